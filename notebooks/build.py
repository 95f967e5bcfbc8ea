"""Re-execute the notebooks top to bottom, each in a fresh kernel, and save them with clean outputs.

    python notebooks/build.py              # every notebook in notebooks/
    python notebooks/build.py 02 16        # those whose file names start with 02 or 16
    make notebooks                         # the same, inside .venv

Needs the ``notebooks`` extra (``pip install -e .[notebooks]``: jupyter, nbclient, matplotlib...).
The kernel starts in ``notebooks/`` with this process's environment, so ``AUTOGRAD_NN_DATA``
(default: ``../shared/data`` next to the repository) tells the data notebooks where MNIST and
rt-polarity are; a notebook whose data is absent is left as it is, with a message.

Saved outputs are cleaned: machine paths (kernel temp files, the checkout, site-packages) become
``<cell>`` or repository-relative paths, the ``text/plain`` twin of a figure is dropped, and no
timing metadata is recorded, so a rebuild changes only what the library computes differently.
``tests/notebooks/test_notebooks.py`` imports this file to run every notebook the same way.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent
ROOT = NOTEBOOKS.parent

# an absolute path of two or more components under any root (/check/work/main, /usr/lib/...,
# /opt/conda/...), from its start (not a piece of a longer path or of a URL's "//host/..."), up
# to the next quote, space or colon; or a Windows path of two or more components (C:\Users\...)
_PATH_END = r"[^\s'\"`:,;()<>\[\]]+"
MACHINE_PATH = re.compile(r"(?<![\w./-])/[\w.-]+/" + _PATH_END
                          + r"|(?<![\w])[A-Za-z]:\\[\w.-]+\\" + _PATH_END)
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
BINARY_TYPES = ("image/png", "image/jpeg")  # base64: may spell "/tmp/" by chance, never a path
WARNING = re.compile(r"\w+Warning: ")  # as Python prints one: "file:line: RuntimeWarning: ..."


def notebook_paths() -> list[Path]:
    """Every committed notebook, sorted by name."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def data_dir() -> Path:
    """``$AUTOGRAD_NN_DATA``, else ``../shared/data`` next to the repository."""
    return Path(os.environ.get("AUTOGRAD_NN_DATA", ROOT.parent / "shared" / "data"))


def required_data(nb) -> list[str]:
    """Files (relative to the data folder) the notebook reads, from its metadata."""
    return list(nb.metadata.get("autograd_nn", {}).get("requires_data", []))


def missing_data(nb) -> list[str]:
    return [f for f in required_data(nb) if not (data_dir() / f).is_file()]


def execute(nb, timeout: int = 300):
    """Run ``nb`` (a NotebookNode, changed in place) in a fresh ``python3`` kernel whose working
    folder is ``notebooks/``; raises ``nbclient.exceptions.CellExecutionError`` at the first
    failing cell. Returns the notebook."""
    from nbclient import NotebookClient

    env = dict(os.environ)
    env.setdefault("AUTOGRAD_NN_DATA", str(data_dir()))
    # inline whatever the shell says: with MPLBACKEND=Agg (usual on headless machines)
    # plt.show() would display nothing and the saved notebook would lose its figures
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=env)
    return nb


def _unpath(match: re.Match) -> str:
    """A machine path -> what a reader may see: ``<cell>`` for the kernel's cell files, the part
    after ``site-packages/`` or after the checkout root, else ``<path>/name``."""
    p = match.group(0)
    if "/ipykernel_" in p:
        return "<cell>"
    p = p.replace("\\", "/")
    if "site-packages/" in p:
        return p.split("site-packages/", 1)[1]
    for root in (str(ROOT), str(ROOT.resolve())):
        if p.startswith(root + "/"):
            return p[len(root) + 1:]
    if "/autograd_nn/" in p:  # another checkout of this project
        return "autograd_nn/" + p.split("/autograd_nn/", 1)[1]
    return "<path>/" + p.rstrip("/").rsplit("/", 1)[-1]


def _joined(text) -> str:
    """An output's text, stored as one string or as a list of lines."""
    return "".join(text) if isinstance(text, list) else text


def _clean_text(text):
    text = _joined(text)
    for root in {str(ROOT), str(ROOT.resolve())}:  # the checkout first, wherever it lives
        text = re.sub(r"(?<![\w./-])" + re.escape(root + "/"), "", text)
    return MACHINE_PATH.sub(_unpath, text)


def clean(nb):
    """Strip machine paths from every output and the ``text/plain`` twin of figures; merge
    consecutive chunks of one stream (how a cell's prints arrive in chunks depends on timing);
    drop per-cell execution metadata. Changes ``nb`` in place and returns it."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        merged = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else {}
            if (out.get("output_type") == "stream" and last.get("output_type") == "stream"
                    and last.get("name") == out.get("name")):
                last["text"] = _joined(last["text"]) + _joined(out["text"])
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _clean_text(out["text"])
            data = out.get("data", {})
            if any(k in data for k in IMAGE_TYPES):
                data.pop("text/plain", None)
            for key in list(data):
                if key not in BINARY_TYPES and isinstance(data[key], (str, list)):
                    data[key] = _clean_text(data[key])
            if out.get("output_type") == "error":
                out["traceback"] = [_clean_text(t) for t in out.get("traceback", [])]
    return nb


def problems(nb) -> list[str]:
    """What a committed notebook must not have: unexecuted code cells, an execution order other
    than 1, 2, 3..., error outputs or tracebacks, warnings printed to stderr (they quote a
    library file and line number that go stale), machine paths, and a cell that draws (calls
    ``plt.show()`` or ends with ``draw_graph(...)``) without a figure among its outputs."""
    found = []
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.get("execution_count") for c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"execution counts {counts} are not 1..{len(code)} (run top to bottom)")
    for i, cell in enumerate(code, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"code cell {i}: error output {out.get('ename')}")
            if out.get("name") == "stderr" and WARNING.search("".join(out.get("text", ""))):
                found.append(f"code cell {i}: a warning on stderr")
            texts = [out.get("text", "")] + [v for k, v in out.get("data", {}).items()
                                             if k not in BINARY_TYPES]
            for t in texts:
                t = "".join(t) if isinstance(t, list) else t
                if not isinstance(t, str):
                    continue
                if "Traceback (most recent call last)" in t:
                    found.append(f"code cell {i}: a traceback in its output")
                for m in MACHINE_PATH.finditer(t):
                    found.append(f"code cell {i}: machine path {m.group(0)!r}")
        if draws(cell.source) and not any(k in out.get("data", {}) for out in cell.outputs
                                          for k in IMAGE_TYPES):
            found.append(f"code cell {i}: draws but saved no figure (not the inline matplotlib "
                         "backend, or no Graphviz 'dot'?)")
    return found


def draws(source: str) -> bool:
    """Whether a code cell shows a figure: ``plt.show()``, or a cell calling ``draw_graph`` whose
    last line (its displayed value) is that call or a bare name (the drawing kept in a variable)."""
    lines = [ln for ln in source.strip().splitlines() if ln.strip()]
    return "plt.show()" in source or bool(lines) and (
        lines[-1].startswith("draw_graph(") or "draw_graph(" in source and lines[-1].isidentifier())


def build(path: Path, timeout: int = 300) -> float | None:
    """Execute ``path`` and save it cleaned; returns the seconds taken, None if skipped."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    missing = missing_data(nb)
    if missing:
        print(f"{path.name}: skipped, missing data under {data_dir()}: {', '.join(missing)}")
        return None
    t0 = time.perf_counter()
    execute(nb, timeout)
    seconds = time.perf_counter() - t0
    clean(nb)
    left = problems(nb)
    if left:
        raise RuntimeError(f"{path.name}: " + "; ".join(left))
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    paths = [p for p in notebook_paths()
             if not argv or any(p.name.startswith(a) for a in argv)]
    if not paths:
        print(f"no notebook in {NOTEBOOKS} matches {argv}")
        return 1
    total = 0.0
    for p in paths:
        seconds = build(p)
        if seconds is not None:
            total += seconds
            print(f"{p.name:40s} {seconds:6.1f} s")
    print(f"{len(paths)} notebooks, {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
