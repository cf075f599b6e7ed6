"""``save``/``load`` against PyTorch's: a checkpoint written by one engine is
read by the other (tensors, views sharing a storage, state_dicts, whole
modules, optimizers), and ``weights_only`` refuses what PyTorch refuses."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from difftest import float_arrays, shapes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microgrid

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def as_numpy(value: Any) -> Any:
    """Tensors as NumPy arrays (with requires_grad), containers alike."""
    if isinstance(value, (torch.Tensor, microgrid.Tensor)):
        return ("tensor", value.detach().numpy().copy(), value.requires_grad)
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(as_numpy(v) for v in value)
    return value


def assert_same(a: Any, b: Any) -> None:
    if isinstance(a, tuple) and a and a[0] == "tensor":
        assert b[0] == "tensor" and a[2] == b[2]
        assert a[1].dtype == b[1].dtype and a[1].shape == b[1].shape
        np.testing.assert_array_equal(a[1], b[1])
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    else:
        assert a == b


def roundtrips(make: Any, tmp_path: Path, name: str = "ckpt.pt") -> None:
    """``make(lib)`` saved by each engine loads, the same, in both."""
    for writer in (torch, microgrid):
        path = tmp_path / f"{writer.__name__}-{name}"
        original = as_numpy(make(writer))
        writer.save(make(writer), path)
        for reader in (torch, microgrid):
            assert_same(as_numpy(reader.load(path)), original)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), dtype=st.sampled_from(DTYPES), requires_grad=st.booleans())
def test_tensors_of_every_dtype_both_ways(tmp_path, data, dtype, requires_grad):
    shape = data.draw(shapes(max_dims=3))
    if dtype.startswith("float"):
        values = data.draw(float_arrays(np.dtype(dtype), shape))
    else:
        values = np.asarray(data.draw(float_arrays(np.float64, shape, -100, 100))).astype(dtype)
    grad = requires_grad and dtype.startswith("float")

    def make(lib):
        return {"x": lib.tensor(values, requires_grad=grad), "n": 3, "s": "text",
                "l": [1.5, None, (True,)]}
    roundtrips(make, tmp_path)


@pytest.mark.parametrize("writer", [torch, microgrid], ids=["torch", "microgrid"])
@pytest.mark.parametrize("reader", [torch, microgrid], ids=["torch", "microgrid"])
def test_views_keep_sharing_their_storage(tmp_path, writer, reader):
    base = writer.arange(12.0).reshape(3, 4)
    writer.save({"base": base, "view": base[:, 1:], "row": base[2]}, tmp_path / "v.pt")
    loaded = reader.load(tmp_path / "v.pt")
    assert loaded["view"].tolist() == [[1, 2, 3], [5, 6, 7], [9, 10, 11]]
    assert loaded["row"].tolist() == [8, 9, 10, 11]
    loaded["view"][0, 0] = 100.0  # one storage: the base sees it
    assert loaded["base"][0, 1].item() == 100.0
    assert len([n for n in zipfile.ZipFile(tmp_path / "v.pt").namelist()
                if "/data/" in n and not n.endswith(".pkl")]) == 1


def test_the_archive_is_laid_out_as_pytorchs(tmp_path):
    for lib in (torch, microgrid):
        lib.save(lib.ones(2), tmp_path / f"{lib.__name__}.model.pt")
    theirs = zipfile.ZipFile(tmp_path / "torch.model.pt").namelist()
    ours = zipfile.ZipFile(tmp_path / "microgrid.model.pt").namelist()
    assert [n.split("/", 1)[1] for n in ours] == [n.split("/", 1)[1] for n in theirs]
    assert ours[0] == "microgrid.model/data.pkl"
    buffer = io.BytesIO()
    microgrid.save(microgrid.ones(1), buffer)
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()[0] == "archive/data.pkl"
    buffer.seek(0)
    assert torch.load(buffer).tolist() == [1.0]


def models(lib: Any) -> Any:
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


def test_state_dicts_both_ways(tmp_path):
    roundtrips(lambda lib: models(lib).state_dict(), tmp_path)
    for writer, reader in ((torch, microgrid), (microgrid, torch)):
        writer.save(models(writer).state_dict(), tmp_path / "sd.pt")
        state = reader.load(tmp_path / "sd.pt")
        assert type(state).__name__ == "OrderedDict" and state._metadata[""] == {"version": 1}
        fresh = reader.nn.Sequential(reader.nn.Linear(3, 4), reader.nn.ReLU(),
                                     reader.nn.Linear(4, 2))
        fresh.load_state_dict(state)
        x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
        assert fresh(reader.tensor(x)).tolist() == models(writer)(writer.tensor(x)).tolist()


def trained_optimizer(lib: Any) -> Any:
    model = models(lib)
    optimizer = lib.optim.Adam(model.parameters(), lr=0.01)
    model(lib.ones(2, 3)).sum().backward()
    optimizer.step()
    return model, optimizer


def test_optimizer_state_both_ways(tmp_path):
    roundtrips(lambda lib: trained_optimizer(lib)[1].state_dict(), tmp_path)


@pytest.mark.parametrize("writer", [torch, microgrid], ids=["torch", "microgrid"])
@pytest.mark.parametrize("reader", [torch, microgrid], ids=["torch", "microgrid"])
def test_whole_modules_and_optimizers_with_weights_only_false(tmp_path, writer, reader):
    model, optimizer = trained_optimizer(writer)
    writer.save({"model": model, "optimizer": optimizer}, tmp_path / "whole.pt")
    loaded = reader.load(tmp_path / "whole.pt", weights_only=False)
    assert type(loaded["model"]).__module__.split(".")[0] == reader.__name__
    x = reader.ones(1, 3)
    assert loaded["model"](x).tolist() == model(writer.ones(1, 3)).tolist()
    assert repr(loaded["model"]) == repr(model)
    assert_same(as_numpy(loaded["optimizer"].state_dict()), as_numpy(optimizer.state_dict()))
    with pytest.raises(pickle.UnpicklingError) as error:
        reader.load(tmp_path / "whole.pt")
    assert "torch.nn.modules.container.Sequential was not an allowed global" in str(error.value)


class Point:
    """A class of the test's own, which weights_only refuses."""

    def __init__(self, x: float) -> None:
        self.x = x


def test_weights_only_errors_are_pytorchs(tmp_path):
    messages = []
    for lib in (torch, microgrid):
        lib.save({"p": Point(1.0)}, tmp_path / f"{lib.__name__}.pt")
        with pytest.raises(pickle.UnpicklingError) as error:
            lib.load(tmp_path / f"{lib.__name__}.pt")
        messages.append(str(error.value))
        assert lib.load(tmp_path / f"{lib.__name__}.pt", weights_only=False)["p"].x == 1.0
        with lib.serialization.safe_globals([Point]):
            assert lib.load(tmp_path / f"{lib.__name__}.pt")["p"].x == 1.0
    assert messages[0] == messages[1]
    assert "GLOBAL test_serialization.Point was not an allowed global" in messages[1]


def test_a_missing_file_is_pytorchs_error(tmp_path):
    errors = []
    for lib in (torch, microgrid):
        with pytest.raises(FileNotFoundError) as error:
            lib.load(tmp_path / "absent.pt")
        errors.append(str(error.value))
    assert errors[0] == errors[1]


def test_a_file_that_is_no_zip_checkpoint_is_refused(tmp_path):
    (tmp_path / "legacy.pt").write_bytes(pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="only the zip checkpoints"):
        microgrid.load(tmp_path / "legacy.pt")
