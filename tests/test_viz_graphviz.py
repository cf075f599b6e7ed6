"""microgrid.viz pictures as torchviz users know them: a real ``graphviz.Digraph``.

Every idiom of the ``graphviz`` package and of torchviz's README is run on
what ``draw`` and ``make_dot`` return, with no ``dot`` program on the PATH
(rendered by the Graphviz bundled in pygraphviz) and with a stand-in ``dot``
(graphviz's own path).  Also: nothing on stderr, Jupyter's SVG and PNG,
errors that say what to pass, and names that are long, not strings, or not
encodable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import graphviz
import pytest
import torch

import microgrid
from microgrid import viz
from microgrid.viz import render

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_dot(tmp_path, monkeypatch):
    """No ``dot`` on the PATH (as after a plain pip install), and a fresh folder."""
    empty = tmp_path / "no-dot-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.chdir(tmp_path)


def tutorial(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    return x, (x * x).mean()


def test_draw_and_make_dot_return_a_real_digraph():
    x, y = tutorial(microgrid)
    for graph in (viz.draw(y, {"x": x}), viz.make_dot(y, params={"x": x})):
        assert isinstance(graph, graphviz.Digraph)
        assert str(graph) == graph.source and graph.source.startswith("digraph microgrid {")
        assert graph.format == "pdf" and graph.engine == "dot"  # graphviz's defaults


def test_torchviz_readme_render_name_and_format(tmp_path):
    x, y = tutorial(microgrid)
    written = viz.make_dot(y, params={"x": x}).render("attached", format="png")
    assert written == "attached.png"
    assert (tmp_path / "attached").read_text().startswith("digraph")  # the DOT source
    assert (tmp_path / "attached.png").read_bytes().startswith(PNG)


def test_render_file_names_as_graphviz_makes_them(tmp_path):
    graph = viz.draw(tutorial(microgrid)[1])
    assert graph.render("x.jpg") == "x.jpg.pdf"  # a name is not a format: graphviz's rule
    assert (tmp_path / "x.jpg.pdf").read_bytes().startswith(b"%PDF-")
    assert graph.render(outfile="g.png") == "g.png"
    assert (tmp_path / "g.png").read_bytes().startswith(PNG) and (tmp_path / "g.gv").exists()
    assert graph.render(outfile="h.svg", cleanup=True) == "h.svg"
    assert not (tmp_path / "h.gv").exists()
    out = graph.render("pic", directory="sub", format="svg", cleanup=True)
    assert Path(out) == Path("sub", "pic.svg") and (tmp_path / "sub" / "pic.svg").exists()
    assert not (tmp_path / "sub" / "pic").exists()
    graph.format = "png"  # directory= stuck, as graphviz's attributes do
    assert Path(graph.render("again")) == Path("sub", "again.png")
    with pytest.warns(graphviz.FormatSuffixMismatchWarning):
        graph.render(outfile="mismatch.png", format="svg")
    assert (tmp_path / "sub" / "mismatch.png").read_bytes().lstrip().startswith(b"<?xml")


def test_format_errors_are_graphviz_errors():
    graph = viz.draw(tutorial(microgrid)[1])
    with pytest.raises(ValueError, match="unknown format: 'nonsense'"):
        graph.render("t", format="nonsense")
    with pytest.raises(graphviz.RequiredArgumentError, match="cannot infer rendering format"):
        graph.render(outfile="t.nonsense")
    with pytest.raises(ValueError, match="unknown format"):
        graph.pipe(format="nonsense")
    with pytest.raises(graphviz.CalledProcessError) as error:
        graph.pipe(format="bmp")  # graphviz knows it; the bundled Graphviz cannot render it
    assert "not recognized" in str(error.value) and "pip install" not in str(error.value)


def test_pipe_encoding_save_copy_attr_node_edge(tmp_path):
    x, y = tutorial(microgrid)
    graph = viz.draw(y, {"x": x})
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert isinstance(svg, str) and svg.rstrip().endswith("</svg>")
    assert graph.pipe().startswith(b"%PDF-")  # format defaults to the graph's, pdf
    graph.attr(rankdir="LR")
    graph.graph_attr["splines"] = "ortho"
    graph.node_attr["margin"] = "0.1"
    graph.edge_attr["penwidth"] = "2"
    graph.node("note", "a note of mine")
    graph.edge("note", "n0")
    source = str(graph)
    for text in ("rankdir=LR", "splines=ortho", "margin=0.1", "penwidth=2",
                 'note [label="a note of mine"]', "note -> n0"):
        assert text in source
    assert "a note of mine" in graph.pipe(format="svg", encoding="utf-8")
    assert Path(graph.save("saved.gv")).read_text() == source
    copied = graph.copy()
    copied.node("only_in_copy")
    assert "only_in_copy" not in graph.source and copied.description is graph.description
    assert graph.description["title"] == "microgrid"


def test_view_opens_the_rendered_file(tmp_path, monkeypatch):
    opened = []
    platform = graphviz.backend.viewing.PLATFORM
    monkeypatch.setattr(viz.Graph, f"_view_{platform}",
                        staticmethod(lambda path, quiet: opened.append((path, quiet))))
    graph = viz.draw(tutorial(microgrid)[1])
    graph.format = "png"
    assert graph.view("shown", cleanup=True) == "shown.png"
    assert opened == [("shown.png", False)]
    assert (tmp_path / "shown.png").read_bytes().startswith(PNG)


def test_make_dot_on_pytorch_with_torchviz_arguments(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    y = model(torch.ones(4, 3)).sum()
    graph = viz.make_dot(y, params=dict(model.named_parameters()), show_attrs=True,
                         show_saved=True, max_attr_chars=10)
    source = graph.source
    assert "<b>PyTorch 2.13.0</b>" in source and "AddmmBackward0" in source
    assert "0.weight" in source and "0.bias" in source
    assert "saved for backward" in source
    assert graph.render("model", format="png") == "model.png"
    positional = viz.make_dot(y, dict(model.named_parameters()), False, True, 50)
    assert positional.source != viz.make_dot(y).source


def test_type_errors_say_what_to_pass():
    model = microgrid.nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"not Linear: call the model, then draw its output, "
                                        r"e\.g\. draw\(model\(x\)"):
        viz.draw(model)
    with pytest.raises(TypeError, match=r"make_dot|draw\(\) takes the tensor .* not float"):
        viz.make_dot(3.0)
    with pytest.raises(TypeError, match="params must map names to tensors"):
        viz.draw(tutorial(microgrid)[1], params=[1, 2])


def test_jupyter_gets_svg_and_png():
    graph = viz.draw(tutorial(microgrid)[1])
    bundle = graph._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png"}
    assert bundle["image/png"].startswith(PNG) and "<svg" in bundle["image/svg+xml"]
    assert set(graph._repr_mimebundle_(include=["image/jpeg"])) == {"image/jpeg"}
    previous = viz.set_jupyter_format("png")
    try:
        assert previous == ("svg", "png") and set(graph._repr_mimebundle_()) == {"image/png"}
    finally:
        viz.set_jupyter_format(*previous)
    with pytest.raises(ValueError, match="unknown jupyter_format"):
        viz.set_jupyter_format("gif")


def test_rendering_prints_nothing_to_stderr(tmp_path):
    code = ("import microgrid as torch; from microgrid import viz\n"
            "x = torch.tensor([1., 2.], requires_grad=True)\n"
            "g = viz.draw((x * x).sum(), {'x': x})\n"
            "g.render('a', format='png'); g.pipe('svg'); g._repr_mimebundle_()\n"
            "viz.draw_backward_steps((x * x).sum(), 'steps', animation='gif')\n")
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PATH=str(tmp_path / "no-dot-here"), PYTHONPATH=str(root))
    env.pop("FONTCONFIG_FILE", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=True)
    assert result.stderr == ""
    assert (tmp_path / "a.png").exists() and (tmp_path / "steps" / "backward.gif").exists()


def test_only_fontconfig_warnings_are_dropped(capfd):
    text = ('Fontconfig warning: "/etc/fonts/conf.d/05.conf", line 6: unknown element\n'
            "Warning: node n0, port p unrecognized\n")
    assert render.without_noise(text) == "Warning: node n0, port p unrecognized\n"
    graph = viz.draw(tutorial(microgrid)[1])
    graph.edge("n0:nowhere", "n1")  # Graphviz warns about the unknown port, and renders
    graph.pipe(format="svg")
    assert "port" in capfd.readouterr().err
    graph.pipe(format="svg", quiet=True)
    assert capfd.readouterr().err == ""


def test_a_broken_graph_is_graphviz_s_error_not_an_install_problem():
    graph = viz.draw(tutorial(microgrid)[1])
    graph.body.append("this is { not DOT\n")
    with pytest.raises(graphviz.CalledProcessError) as error:
        graph.pipe(format="svg")
    assert "syntax error" in error.value.stderr and "install" not in str(error.value)


def test_a_dot_program_on_the_path_is_used(tmp_path, monkeypatch):
    """With ``dot`` installed, rendering is graphviz's own: it runs ``dot``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "dot.log"
    fake = bin_dir / "dot"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\ncat > /dev/null\nprintf '<svg/>'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert render.dot_on_path()
    assert viz.draw(tutorial(microgrid)[1]).pipe(format="svg") == b"<svg/>"
    assert log.read_text().split() == ["-Kdot", "-Tsvg"]


# -- names: hostile, huge, not strings, not encodable (issue 18, group 13) ----------------
def test_a_100000_character_name_is_cut_and_renders(tmp_path):
    x, y = tutorial(microgrid)
    graph = viz.draw(y, {"x" * 100_000: x})
    assert graph.pipe(format="png").startswith(PNG)
    assert "x" * 97 + "..." in graph.source and "x" * 101 not in graph.source
    steps = viz.draw_backward_steps(y, "long", {"x" * 100_000: x})
    assert steps.html.exists()


@pytest.mark.parametrize("key", [1, ("layer", 0), None, 2.5])
def test_names_that_are_not_strings(key):
    x, y = tutorial(microgrid)
    graph = viz.draw(y, {key: x})
    assert f"<b>{key}</b>" in graph.source.replace("&#160;", " ").replace("&quot;", '"')
    assert graph.pipe(format="svg").rstrip().endswith(b"</svg>")


def test_a_lone_surrogate_in_a_name(tmp_path):
    x, y = tutorial(microgrid)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = viz.draw(y, {"x\ud800": x})
        assert graph.pipe(format="png").startswith(PNG)
        steps = viz.draw_backward_steps(y, "frames", {"x\ud800": x}, animation="gif")
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        "backward.gif", "index.html", "step_0.svg", "step_1.svg", "step_2.svg", "step_3.svg"]
    assert "x\\ud800.grad" in steps.html.read_text(encoding="utf-8")


def test_a_failed_stepper_writes_nothing(tmp_path, monkeypatch):
    x, y = tutorial(microgrid)

    def broken(*args, **kwargs):
        raise RuntimeError("the animation failed")

    monkeypatch.setattr("microgrid.viz.steps.animate", broken)
    with pytest.raises(RuntimeError, match="the animation failed"):
        viz.draw_backward_steps(y, "frames", {"x": x}, animation="gif")
    assert not (tmp_path / "frames").exists()
