"""Tests for microgrid.viz: graph descriptions, DOT text, rendered pictures,
side-by-side pairs and the backward pass step by step, for torch and microgrid.

Pictures are really rendered (PNG, SVG, PDF) with the Graphviz bundled in
pygraphviz and checked: PNG signature and header, SVG parsed as XML.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microgrid
from microgrid import viz
from microgrid.viz.description import CELL_PRINT, FREED, framework, values_text
from microgrid.viz.dot import STYLES
from microgrid.viz.render import check_picture

LIBS = [torch, microgrid]
SVG = "{http://www.w3.org/2000/svg}"


def tutorial(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    return x, lib.mean(x * x)


def png_size(path: Path) -> tuple:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> list:
    """The text of every <text> element of an SVG (parsed, so it must be valid XML)."""
    root = ET.fromstring(data)
    return ["".join(t.itertext()).replace("\xa0", " ") for t in root.iter(SVG + "text")]


def chain(lib, n):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(n // 2):
        y = y * 1.0001
        y = y + 1
    return x, y.sum()


# -- import ---------------------------------------------------------------------
def test_import_microgrid_loads_neither_torch_nor_graphviz():
    code = ("import sys, microgrid, microgrid.viz; "
            "print(sorted(m for m in ('torch', 'pygraphviz', 'graphviz', 'PIL') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- descriptions and DOT text ------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_tutorial_description(lib):
    x, out = tutorial(lib)
    d = viz.describe(out, {"x": x}, show_values=True, show_grads=True)
    assert json.loads(json.dumps(d)) == d
    by_id = {n["id"]: n for n in d["nodes"]}
    assert [n["name"] for n in d["nodes"] if n["index"] is not None] == [
        "MeanBackward0", "MulBackward0", "AccumulateGrad"]
    assert by_id["n1"]["inputs"] == [2, 2]
    leaf = by_id["n2"]
    assert leaf["kind"] == "leaf" and leaf["title"] == "x"
    assert leaf["lines"] == ["(2, 2) float32", "AccumulateGrad"]
    assert leaf["cells"] == [["data", "[[1., 2.],\n [3., 4.]]"], ["grad", "None"]]
    assert by_id["out0"]["cells"] == [["data", "7.5000"]]
    assert [(e["tail"], e["head"]) for e in d["edges"]] == [
        ("n1", "n0"), ("n2", "n1"), ("n2", "n1"), ("n0", "out0")]


def test_torch_and_microgrid_give_the_same_dot():
    (xt, ot), (xm, om) = tutorial(torch), tutorial(microgrid)
    ot.backward(retain_graph=True)
    om.backward(retain_graph=True)
    options = {"show_values": True, "show_grads": True}
    t = viz.draw(ot, {"x": xt}, **options).source
    m = viz.draw(om, {"x": xm}, **options).source
    assert "<b>PyTorch 2.13.0</b>" in t and "<b>microgrid</b>" in m
    assert t.replace("PyTorch 2.13.0", "microgrid") == m
    assert "[[0.5000, 1.0000],<br" in m  # x.grad == x / 2


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_same_program_same_dot(lib):
    sources = [viz.draw(tutorial(lib)[1], show_saved=True).source for _ in range(2)]
    assert sources[0] == sources[1]
    assert "0x" not in sources[0]  # no addresses or ids from id() anywhere


def test_same_dot_across_processes():
    code = ("import microgrid as torch; from microgrid import viz\n"
            "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
            "print(viz.draw(torch.mean(x * x + x), {'x': x}, show_values=True).source)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and "AddBackward0" in runs[0]


OPS = {"add": lambda x, y, c: x + y, "mul": lambda x, y, c: x * y,
       "sub": lambda x, y, c: x - y, "rsub": lambda x, y, c: 1.5 - x,
       "scale": lambda x, y, c: x * 2.5, "div": lambda x, y, c: x / c, "neg": lambda x, y, c: -x,
       "mean_dim": lambda x, y, c: x.mean(dim=1, keepdim=True),
       "sum_dim": lambda x, y, c: x.sum(dim=0), "reshape": lambda x, y, c: x.reshape(3, 2),
       "expand": lambda x, y, c: x.sum(dim=0, keepdim=True).expand(4, 3)}


def run_program(lib, program):
    a = lib.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)
    b = lib.tensor([[2.0, 1.0, -1.0], [3.0, -0.5, 2.0]], requires_grad=True)
    c = lib.tensor([[1.0, 1.0, 2.0], [2.0, 1.0, 4.0]])  # a constant: no gradient
    values = [a, b, c]
    for op, i, j in program:
        x, y = values[i % len(values)], values[j % len(values)]
        if x.shape != (2, 3):
            x = x.sum() * c
        if y.shape != (2, 3):
            y = y.sum() * c
        values.append(OPS[op](x, y, c))
    return {"a": a, "b": b}, values[-1].sum()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 12), st.integers(0, 12)),
                min_size=1, max_size=8))
def test_random_programs_same_dot_in_both_frameworks(program):
    (pt, ot), (pm, om) = run_program(torch, program), run_program(microgrid, program)
    t = viz.draw(ot, pt, show_saved=False).source
    m = viz.draw(om, pm).source
    assert t.replace("PyTorch 2.13.0", "microgrid") == m
    # Unsummarized, the description is the walk, node for node.
    names = [n["name"] for n in viz.describe(om, chain_limit=10**9)["nodes"]
             if n["kind"] in ("backward", "leaf")]
    assert names == [n.name for n in microgrid.autograd.walk.walk(om)]


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_constants_are_faint_dots(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    d = viz.describe(x * 2)
    constant = [n for n in d["nodes"] if n["kind"] == "constant"]
    assert [n["id"] for n in constant] == ["n0_c1"]
    assert {"id": "e0_1", "tail": "n0_c1", "head": "n0", "kind": "constant"} in d["edges"]
    source = viz.draw(x * 2).source
    assert re.search(r"\tn0_c1 \[label=\"\" .*shape=point", source)
    assert re.search(r"\tn0_c1 -> n0 \[.*style=dashed", source)


def test_saved_values():
    (_, ot), (_, om) = tutorial(torch), tutorial(microgrid)
    t = {n["id"]: n["saved"] for n in viz.describe(ot, show_saved=True)["nodes"]}
    m = {n["id"]: n["saved"] for n in viz.describe(om, show_saved=True)["nodes"]}
    assert t["n1"] == [["other", "(2, 2) float32"], ["self", "(2, 2) float32"]]
    assert t["n0"] == []  # MeanBackward0 saved no tensor, only attributes (show_attrs)
    attrs = {n["id"]: n["saved"] for n in viz.describe(ot, show_attrs=True)["nodes"]}
    assert attrs["n0"] == [["self_sym_numel", "4"], ["self_sym_sizes", "(2, 2)"]]
    assert attrs["n1"] == []
    cut = viz.describe(ot, show_attrs=True, max_attr_chars=4)["nodes"][0]["saved"]
    assert cut == [["self_sym_numel", "4"], ["self_sym_sizes", "(..."]]
    mine = {n["id"]: n["saved"] for n in viz.describe(om, show_attrs=True)["nodes"]}
    assert ["input_shape", "(2, 2)"] in mine["n0"] and mine["n1"] == []
    assert [v for _, v in m["n1"]] == ["(2, 2) float32", "(2, 2) float32"]
    with_values = viz.describe(om, show_saved=True, show_values=True)["nodes"][1]["saved"]
    assert with_values[0][1] == "(2, 2) float32\n[[1., 2.],\n [3., 4.]]"
    assert t["n2"] == m["n2"] == []  # leaves save nothing
    for lib, name in ((torch, "result"), (microgrid, "saved[0]")):  # a node saving its output
        r = lib.tensor([1.0, 4.0], requires_grad=True).reciprocal()
        saved = viz.describe(r, show_saved=True, show_values=True)["nodes"][0]["saved"]
        assert saved == [[name, "(2,) float32\n[1.0000, 0.2500]"]]
    ot.backward()
    om.backward()
    assert viz.describe(ot, show_saved=True)["nodes"][1]["saved"] == [
        ["other", FREED], ["self", FREED]]
    assert viz.describe(om, show_saved=True)["nodes"][1]["saved"] == [["saved", FREED]]
    assert "saved for backward" in viz.draw(om, show_saved=True).source


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, max_side=8)


@settings(max_examples=40, deadline=None)
@given(st.one_of(
    hnp.arrays(st.sampled_from([np.float32, np.float64]), SHAPES,
               elements=st.integers(-80000, 80000).map(lambda v: v / 64)),
    hnp.arrays(np.int64, SHAPES, elements=st.integers(-10**6, 10**6))))
def test_values_are_printed_as_torch_prints_them(array):
    torch.set_printoptions(**CELL_PRINT)
    try:
        expected = repr(torch.from_numpy(array.copy()))
    finally:
        torch.set_printoptions(profile="default")
    first, *rest = values_text(array).split("\n")
    rebuilt = "\n".join(["tensor(" + first] + [line and " " * 7 + line for line in rest])
    assert expected.startswith(rebuilt)
    assert re.fullmatch(r"(,\s*dtype=torch\.\w+)?\)", expected[len(rebuilt):])


# -- escaping --------------------------------------------------------------------
NASTY = ['<b>"x"</b>', "a\nb", "a\\nb", "}; digraph g {", "&amp; &#92; &", 'x>]; pwn [label=<',
         "tab\there", "θ · 2"]


@pytest.mark.parametrize("name", NASTY)
def test_names_are_escaped(name, tmp_path):
    import pygraphviz

    x, out = tutorial(microgrid)
    graph = viz.draw(out, {name: x})
    parsed = pygraphviz.AGraph(string=graph.source)
    assert sorted(parsed.nodes()) == ["legend", "n0", "n1", "n2", "out0"]  # nothing injected
    if any(ch in name for ch in '<>"&\\\n\t'):
        assert name not in graph.source
    shown = "".join(ch if ch.isprintable() or ch == "\n" else repr(ch)[1:-1] for ch in name)
    texts = svg_texts(graph.pipe("svg"))
    for line in shown.split("\n"):
        assert line in texts
    page = viz.draw_backward_steps(out, tmp_path, {name: x}).html.read_text()
    if "<" in name:
        assert name not in page


# -- rendering -------------------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_render_tutorial_png_svg_pdf(lib, tmp_path):
    x, out = tutorial(lib)
    graph = viz.draw(out, {"x": x}, show_values=True, show_saved=True)
    width, height = png_size(Path(graph.render(outfile=tmp_path / "t.png")))
    assert width > 100 and height > 100
    svg = Path(graph.render(outfile=tmp_path / "t.svg")).read_bytes()
    texts = svg_texts(svg)
    for name in ("MulBackward0", "MeanBackward0", "x", "output", "AccumulateGrad"):
        assert name in texts
    assert Path(graph.render(outfile=tmp_path / "t.pdf")).read_bytes().startswith(b"%PDF-")
    assert graph._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")
    assert Path(graph.render(tmp_path / "noext", format="svg")).read_bytes() == svg
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "t.png").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_deep_chain_is_summarized(lib, tmp_path):
    x, out = chain(lib, 10_000)
    graph = viz.draw(out, {"x": x})
    d = graph.description
    assert d["node_count"] == 10_002
    box = [n for n in d["nodes"] if n["kind"] == "collapsed"]
    assert len(box) == 1
    # Kept: SumBackward0, AddBackward0 (n0, n1) and the first op's Add, Mul.
    assert box[0]["title"] == "… 9,997 more MulBackward0/AddBackward0 nodes …"
    assert box[0]["id"] == "n2_more" and box[0]["members"] == [[2, 9998]]
    assert len(d["nodes"]) < 20 and "single-input" in d["notes"][0]
    assert [(e["tail"], e["head"]) for e in d["edges"] if "n2_more" in (e["tail"], e["head"])] \
        == [("n2_more", "n1"), ("n9999", "n2_more")]
    width, height = png_size(Path(graph.render(outfile=tmp_path / "deep.png")))
    assert width > 0 and height > 0
    assert "AddBackward0" in svg_texts(graph.pipe("svg"))


def test_wide_graph_is_cut_at_max_nodes(tmp_path):
    leaves = [microgrid.tensor([float(i)], requires_grad=True) for i in range(60)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total * leaf
    d = viz.describe(total, max_nodes=25)
    more = [n for n in d["nodes"] if n["kind"] == "collapsed"]
    assert len(more) == 1 and more[0]["lines"] == ["not drawn: raise max_nodes to see them"]
    assert sum(r[1] - r[0] + 1 for r in more[0]["members"]) == d["node_count"] - 25
    pairs = [(e["tail"], e["head"]) for e in d["edges"]]
    assert len(pairs) == len(set(pairs))  # one edge per neighbour of the box
    png_size(Path(viz.draw(d).render(outfile=tmp_path / "wide.png")))


def test_render_without_dot_on_path(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    x, out = tutorial(microgrid)
    assert png_size(Path(viz.draw(out).render(outfile=tmp_path / "t.png")))[0] > 0


def test_clear_errors_and_no_broken_files(tmp_path, monkeypatch):
    """Errors of the in-process renderer (no ``dot`` on the PATH)."""
    import graphviz
    import pygraphviz

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    graph = viz.draw(tutorial(microgrid)[1])
    with pytest.raises(ValueError, match="unknown format: 'nonsense'"):
        graph.render(tmp_path / "t", format="nonsense")  # graphviz's own check and error
    with pytest.raises(ValueError, match="unknown engine"):
        graph.pipe("svg", engine="no-such-layout")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(tutorial(microgrid)[1], rankdir="up")
    with pytest.raises(graphviz.CalledProcessError, match='Format: \\"bmp\\" not recognized'):
        graph.pipe("bmp")  # a format graphviz knows but no plugin here renders: Graphviz says so
    monkeypatch.setattr(pygraphviz.AGraph, "draw", lambda self, **kw: b"\x89PNG\r\n")
    with pytest.raises(graphviz.CalledProcessError):
        graph.render(outfile=tmp_path / "t.png", cleanup=True)
    # Only the DOT file graphviz saves before rendering; no picture, no temporary file.
    assert sorted(tmp_path.iterdir()) == [tmp_path / "empty", tmp_path / "t.gv"]
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    with pytest.raises(graphviz.ExecutableNotFound, match="pip install 'pygraphviz>=2'"):
        graph.pipe("png")
    for fmt, data in (("png", b"\x89PNG\r\n\x1a\n" + b"\0" * 4 + b"IHDR" + b"\0" * 8),
                      ("svg", b"<svg>"), ("pdf", b"%PDF-1.5"), ("gif", b"")):
        assert not check_picture(data, fmt)


# -- several outputs, leaves, tensors without a graph ---------------------------------
@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_outputs_of_every_kind(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = viz.describe([y.sum(), y.mean(), x], {"x": x})
    outputs = [n for n in d["nodes"] if n["kind"] == "output"]
    assert [n["title"] for n in outputs] == ["output 0", "output 1", "x"]
    assert [e["tail"] for e in d["edges"] if e["kind"] == "output"] == ["n0", "n3", "n4"]
    constant = viz.describe(lib.tensor([1.0]) * 2)
    assert "does not require grad" in constant["notes"][0]
    assert [n["kind"] for n in constant["nodes"]] == ["output"]


# -- draw_pair ---------------------------------------------------------------------
def test_pair_of_equal_graphs(tmp_path):
    (xt, ot), (xm, om) = tutorial(torch), tutorial(microgrid)
    pair = viz.draw_pair(ot, om, {"x": xt}, {"x": xm})
    assert pair.description["differences"] == []
    assert "the graphs match node for node" in pair.source
    assert "cluster_left" in pair.source and "<b>PyTorch 2.13.0</b>" in pair.source
    texts = svg_texts(Path(pair.render(outfile=tmp_path / "pair.svg")).read_bytes())
    assert {"PyTorch 2.13.0", "microgrid"} <= set(texts)
    assert texts.count("MulBackward0") == 2


def test_pair_highlights_a_different_node():
    xt, ot = tutorial(torch)
    xm = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    om = microgrid.mean(xm + xm)  # AddBackward0 where torch has MulBackward0
    described = json.loads(json.dumps(viz.describe(om, {"x": xm})))  # as compare sends it
    pair = viz.draw_pair(ot, described, {"x": xt})
    assert pair.description["differences"] == ["n1"]
    fill, border = STYLES["diff"]
    for side in ("left", "right"):
        label = re.search(rf"^\s*{side}_n1 \[label=(.*)\]$", pair.source, re.M).group(1)
        assert f'bgcolor="{fill}"' in label and f'color="{border}"' in label
        assert f'bgcolor="{fill}"' not in re.search(rf"{side}_n0 \[label=(.*)\]",
                                                    pair.source).group(1)
    assert "1 node differ (red)" in pair.source


# -- draw_backward_steps --------------------------------------------------------------
def node_positions(svg: bytes) -> dict:
    """Each node's title and where its first text is drawn, from an SVG frame."""
    root = ET.fromstring(svg)
    where = {}
    for group in root.iter(SVG + "g"):
        if group.get("class") == "node":
            text = next(group.iter(SVG + "text"), None)
            title = group.find(SVG + "title").text
            where[title] = None if text is None else (text.get("x"), text.get("y"))
    return where


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_backward_steps_of_the_tutorial(lib, tmp_path):
    x, out = tutorial(lib)
    steps = viz.draw_backward_steps(out, tmp_path, {"x": x})
    assert steps.order == ["MeanBackward0", "MulBackward0", "AccumulateGrad"]
    assert [p.name for p in steps.files] == ["step_0.svg", "step_1.svg", "step_2.svg",
                                             "step_3.svg"]
    quarter = "[[0.2500, 0.2500],\n [0.2500, 0.2500]]"
    half_x = "[[0.5000, 1.0000],\n [1.5000, 2.0000]]"
    before, first, second, third = (str(f) for f in steps.frames)
    assert "step 0 of 3: before backward()" in before
    assert "step 1 of 3: MeanBackward0" in first and "into x.grad" in third
    assert values_text(np.full((2, 2), 0.25, np.float32)) == quarter
    html_quarter = quarter.replace("\n ", '<br align="left"/>&#160;')
    assert html_quarter not in before
    assert html_quarter in first and html_quarter in second  # MeanBackward0 sends it
    assert half_x.replace("\n ", '<br align="left"/>&#160;') in third  # x.grad == x / 2
    assert half_x.split("\n")[0] not in second
    assert x.grad is None  # drawing left the leaf as it was
    texts = [svg_texts(path.read_bytes()) for path in steps.files]
    for frame in texts:
        assert "MulBackward0" in frame
        assert sum("step " in t for t in frame) == 1  # the caption once
    assert ["receives", "1."] == texts[1][texts[1].index("receives"):][:2]  # the seed
    assert "[[0.2500, 0.2500]," in texts[2] and "[[0.2500, 0.2500]," not in texts[0]
    assert "[[0.5000, 1.0000]," in texts[3] and "[[0.5000, 1.0000]," not in texts[2]
    assert {"[0]", "[1]"} <= set(texts[0])  # MulBackward0's two edges, told apart
    page = steps.html.read_text()
    assert page.count('<div class="mg-frame"') == 4 and page.count("<svg") == 4
    assert page.count("step 2 of 3") == 1  # the caption is in the picture only
    assert "<script src" not in page and not re.search(r"(href|src)=\"https?:", page)
    assert "@import" not in page and "url(" not in page
    ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    assert steps._repr_html_().count("<svg") == 4 and "<html" not in steps._repr_html_()


def test_backward_step_frames_share_one_layout(tmp_path):
    x = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = microgrid.tensor([0.5, -1.0], requires_grad=True)
    out = ((x * x + w) * w).sum()
    steps = viz.draw_backward_steps(out, tmp_path, {"x": x, "w": w}, show_values=True)
    positions = [node_positions(path.read_bytes()) for path in steps.files]
    assert len(positions) == len(steps.order) + 1
    assert all(p == positions[0] for p in positions[1:])  # nothing moves
    assert len(positions[0]) >= 7
    boxes = {re.search(r'viewBox="([^"]+)"', path.read_text()).group(1) for path in steps.files}
    assert len(boxes) == 1  # nor does the picture's frame


def test_backward_steps_animation(tmp_path):
    from PIL import Image

    x, out = tutorial(microgrid)
    steps = viz.draw_backward_steps(out, tmp_path, {"x": x}, show_values=True, animation="gif")
    assert steps.animation == tmp_path / "backward.gif"
    with Image.open(steps.animation) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.info["loop"] == 0
        sizes = set()
        for k in range(gif.n_frames):
            gif.seek(k)
            sizes.add(gif.size)
        assert len(sizes) == 1 and min(sizes.pop()) > 200
    apng = viz.draw_backward_steps(out, tmp_path / "apng", animation="png").animation
    with Image.open(apng) as image:
        assert apng.name == "backward.png" and image.n_frames == 4
    with pytest.raises(ValueError, match="animation must be one of gif, png"):
        viz.draw_backward_steps(out, tmp_path, animation="mp4")


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_backward_steps_leave_grads_and_hooks_alone(lib, tmp_path):
    x, out = tutorial(lib)
    out.backward(retain_graph=True)
    grad = x.grad
    before = grad.clone()
    steps = viz.draw_backward_steps(out, tmp_path, format="png")
    assert x.grad is grad and x.grad.tolist() == before.tolist()
    assert all(png_size(p)[0] > 0 for p in steps.files)
    out.backward()  # the graph was retained, and no hook is left to record anything
    assert x.grad.tolist() == (2 * before).tolist()
    if lib is microgrid:
        assert not any(n.node._post_hooks for n in microgrid.autograd.walk.walk(out))


def test_backward_steps_restore_an_output_that_retains_grad(tmp_path):
    x, out = tutorial(torch)
    out.retain_grad()
    viz.draw_backward_steps(out, tmp_path, {"x": x})
    assert out.grad is None and x.grad is None


def test_backward_steps_of_a_deep_chain(tmp_path):
    x, out = chain(microgrid, 1_000)
    steps = viz.draw_backward_steps(out, tmp_path)
    # Before; Sum, Add, [997 summarized], Mul... : each drawn node is one frame, the box one.
    assert len(steps.frames) == 7
    assert "step 3 of 6: 997 summarized nodes run" in steps.frames[3].source
    assert x.grad is None
    with pytest.raises(ValueError, match="max_frames"):
        viz.draw_backward_steps(out, tmp_path, max_frames=3)


def test_backward_steps_errors(tmp_path):
    x, out = tutorial(microgrid)
    with pytest.raises(ValueError, match="require grad"):
        viz.draw_backward_steps(out.detach(), tmp_path)
    with pytest.raises(ValueError, match="unknown format"):
        viz.draw_backward_steps(out, tmp_path, format="nonsense")
    with pytest.raises(TypeError, match="draw_backward_steps\\(\\) takes the tensor"):
        viz.draw_backward_steps(microgrid.nn.Linear(2, 2), tmp_path)
    out.backward()
    with pytest.raises(RuntimeError, match="second time"):
        viz.draw_backward_steps(out, tmp_path)
    assert x.grad.tolist() == (x.detach() / 2).tolist()


# -- the tutorial's pictures ------------------------------------------------------------
def test_tutorial_command(tmp_path):
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    subprocess.run([sys.executable, "-m", "microgrid.viz", "tutorial", str(tmp_path)],
                   check=True, capture_output=True, env=env)
    assert png_size(tmp_path / "tutorial_pair.png")[0] > 0
    texts = svg_texts((tmp_path / "tutorial_pair.svg").read_bytes())
    assert "the graphs match node for node" in texts
    assert "[[0.5000, 1.0000]," in texts  # x.grad after backward, on both sides
    assert (tmp_path / "tutorial_steps" / "index.html").exists()


def test_module_reads_only_the_shared_protocol():
    """describe works on anything with the protocol: here, torch's nodes."""
    assert framework(torch.ones(1)) == "PyTorch 2.13.0"
    assert framework(microgrid.ones(1)) == "microgrid"


def test_backward_steps_same_frames_in_both_frameworks(tmp_path):
    """A node with several outputs (unbind) receives one gradient per output
    (None for an unused one); PyTorch's frames and microgrid's are the same."""
    sources = {}
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a, b, _ = x.unbind()
        steps = viz.draw_backward_steps(a * 2 + b, tmp_path / lib.__name__, {"x": x},
                                        show_values=True)
        assert steps.order == ["AddBackward0", "MulBackward0", "UnbindBackward0",
                               "AccumulateGrad"]
        sources[lib] = [str(frame).replace("PyTorch 2.13.0", "microgrid")
                        for frame in steps.frames]
    assert sources[torch] == sources[microgrid]
    unbind = svg_texts((tmp_path / "microgrid" / "step_3.svg").read_bytes())
    start = unbind.index("receives [0]")
    assert unbind[start:start + 6] == ["receives [0]", "2.", "receives [1]", "1.",
                                       "receives [2]", "None"]
    assert "each of its outputs" in sources[microgrid][3]


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_backward_step_labels_never_overlap(tmp_path, rankdir):
    """Gradients are written inside boxes; the only labels on edges are the
    ``[k]`` tags, placed on the outer side of each edge entering a node."""
    x = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = microgrid.tensor([0.5, -1.0], requires_grad=True)
    b = microgrid.tensor([0.1, 0.2], requires_grad=True)
    out = (microgrid.tanh(x * w + b) * (w * b) * (x * x)).sum()  # x * x: parallel edges
    steps = viz.draw_backward_steps(out, tmp_path, {"x": x, "w": w, "b": b}, rankdir=rankdir)
    root = ET.fromstring(steps.files[-1].read_bytes())
    tags = [(float(t.get("x")), float(t.get("y"))) for t in root.iter(SVG + "text")
            if re.fullmatch(r"\[\d\]", t.text or "")]
    assert len(tags) == 12  # five products and a sum, each with two gradient edges
    for i, (x0, y0) in enumerate(tags):  # "[0]" at 9 points: about 16 wide, 9 high
        for x1, y1 in tags[i + 1:]:
            assert abs(x0 - x1) > 17 or abs(y0 - y1) > 10
