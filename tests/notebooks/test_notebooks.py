"""Every committed notebook runs top to bottom in a fresh kernel (its assert cells are the
lesson's checks: a library regression fails the notebook), and its committed outputs are clean:
executed in order, no errors or tracebacks, no machine paths."""

from __future__ import annotations

import pytest
from conftest import ROOT, load_script

build = load_script(ROOT / "notebooks" / "build.py", "notebooks_build")
NOTEBOOKS = build.notebook_paths()
IDS = [p.stem for p in NOTEBOOKS]


def test_every_lesson_has_a_notebook_and_the_readme_lists_them():
    names = [p.name for p in NOTEBOOKS]
    readme = (ROOT / "notebooks" / "README.md").read_text()
    for name in names:
        assert f"({name})" in readme, f"notebooks/README.md does not link {name}"
    assert len(names) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_outputs_are_clean(path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert build.problems(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs(path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(path, as_version=4)
    missing = build.missing_data(nb)
    if missing:
        pytest.skip(f"{', '.join(missing)} not found under {build.data_dir()} "
                    f"(set AUTOGRAD_NN_DATA)")
    build.execute(nb, timeout=240)  # raises CellExecutionError naming the failing cell
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count for c in code)


def test_problems_finds_paths_errors_and_unrun_cells():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)"), nbformat.v4.new_code_cell("1/0"),
                nbformat.v4.new_code_cell("x")]
    nb.cells[0].execution_count = 1
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="at /tmp/ipykernel_7/1.py:3\n")]
    nb.cells[1].execution_count = 2
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                                  evalue="", traceback=[])]
    nb.cells[1].outputs.append(nbformat.v4.new_output(
        "stream", name="stderr", text="x.py:3: RuntimeWarning: divide by zero\n"))
    found = build.problems(nb)
    assert any("not 1..3" in f for f in found)
    assert any("a warning on stderr" in f for f in found)
    assert any("error output ZeroDivisionError" in f for f in found)
    assert any("/tmp/ipykernel_7/1.py" in f for f in found)
    build.clean(nb)
    assert nb.cells[0].outputs[0]["text"] == "at <cell>:3\n"
    repo_file = str(ROOT / "autograd_nn" / "tensor.py")
    nb.cells[0].outputs[0]["text"] = f"{repo_file}:10: RuntimeWarning\n"
    build.clean(nb)
    assert nb.cells[0].outputs[0]["text"] == "autograd_nn/tensor.py:10: RuntimeWarning\n"


@pytest.mark.parametrize("checkout", ["/check/work/main", "/work/main", "/srv/ci/autograd_nn"])
def test_clean_strips_the_checkout_wherever_it_lives(monkeypatch, checkout):
    # CI clones under /check/work/main: "/work/main/..." inside it must not be cut in half
    monkeypatch.setattr(build, "ROOT", build.Path(checkout))
    text = f"{checkout}/autograd_nn/tensor.py:10: RuntimeWarning\n"
    assert build._clean_text(text) == "autograd_nn/tensor.py:10: RuntimeWarning\n"
    assert build._clean_text("see /tmp/x/y.py:2") == "see <path>/y.py:2"


@pytest.mark.parametrize("path", ["/check/work/main/autograd_nn/tensor.py",
                                  "/usr/lib/python3.12/site-packages/numpy/core.py",
                                  "/opt/conda/lib/python3.12/x.py", "/mnt/data/mnist-test",
                                  "/var/folders/ab/T/ipykernel_7/1.py", "C:\\Users\\me\\x.py"])
def test_problems_finds_a_path_under_any_root(path):
    # a machine path planted in a committed notebook's output fails the clean-outputs test
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert build.problems(nb) == []
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs.append(nbformat.v4.new_output("stream", text=f"read {path}:3 (ok)\n"))
    assert build.problems(nb) == [f"code cell 1: machine path {path!r}"]
    build.clean(nb)
    assert build.problems(nb) == []
    assert path not in "".join(cell.outputs[-1]["text"])


@pytest.mark.parametrize("text", ["https://arxiv.org/abs/1609.04747", "8.9 us/op",
                                  "autograd_nn/tensor.py:10", "<path>/y.py", "1/1 ━━ 0s",
                                  '"-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/"'])
def test_machine_path_leaves_urls_and_relative_paths(text):
    assert build.MACHINE_PATH.search(text) is None
    assert build._clean_text(text) == text


def test_problems_finds_a_drawing_cell_without_its_figure():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plt.plot([1, 2])\nplt.show()"),
                nbformat.v4.new_code_cell("g = 1\ndraw_graph(y, net)\n"),
                nbformat.v4.new_code_cell("draw_graph(y, net)\nprint(2)"),
                nbformat.v4.new_code_cell("g = draw_graph(y, net)\nassert g.source\ng"),
                nbformat.v4.new_code_cell("g = draw_graph(y, net)\ng.source")]
    for n, cell in enumerate(nb.cells, 1):
        cell.execution_count = n
    assert build.problems(nb) == [f"code cell {i}: draws but saved no figure (not the inline "
                                  "matplotlib backend, or no Graphviz 'dot'?)" for i in (1, 2, 4)]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBO"})]
    for i in (1, 3):
        nb.cells[i].outputs = [nbformat.v4.new_output("execute_result", execution_count=i + 1,
                                                      data={"image/svg+xml": "<svg/>"})]
    assert build.problems(nb) == []


def test_execute_draws_inline_even_when_the_shell_says_agg(monkeypatch):
    # MPLBACKEND=Agg (usual on headless machines) made plt.show() display nothing: the saved
    # notebook lost its figures without any error
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\n"
                                          "plt.plot([1, 2])\nplt.show()")]
    build.execute(nb, timeout=60)
    assert build.problems(nb) == []
    assert any("image/png" in out.get("data", {}) for out in nb.cells[0].outputs)


def test_clean_merges_the_chunks_of_a_stream():
    # a cell's prints arrive in timing-dependent chunks: unmerged, a rebuild rewrote unchanged text
    nbformat = pytest.importorskip("nbformat")
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [nbformat.v4.new_output("stream", text="epoch 1\n"),
                    nbformat.v4.new_output("stream", text=["epoch 2\n", "epoch 3\n"]),
                    nbformat.v4.new_output("stream", name="stderr", text="note\n"),
                    nbformat.v4.new_output("display_data", data={"image/png": "iVBO"}),
                    nbformat.v4.new_output("stream", text="done\n"),
                    nbformat.v4.new_output("stream", text="at /tmp/ipykernel_3/4.py:1\n")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    build.clean(nb)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs] == [
        ("stream", "stdout", "epoch 1\nepoch 2\nepoch 3\n"), ("stream", "stderr", "note\n"),
        ("display_data", None, None), ("stream", "stdout", "done\nat <cell>:1\n")]


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_build_help_prints_usage_and_runs_nothing(flag, capsys):
    """``build.py --help`` was read as a notebook name ("no notebook matches")."""
    assert build.main([flag]) == 0
    out = capsys.readouterr().out
    assert "python notebooks/build.py 02 16" in out and "no notebook" not in out
