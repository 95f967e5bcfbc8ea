"""The import structure: ``import autograd_nn`` loads only NumPy (besides the standard library),
and no module imports inside a function except for the optional extras listed below."""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograd_nn"

# (file, imported module) -> why it is imported inside a function. Only optional packages that
# `import autograd_nn` must not require belong here; anything else goes to the module's top.
ALLOWED = {
    ("_dtype.py", "ml_dtypes"): "optional extra: bfloat16, built on first use",
    ("demo.py", "matplotlib"): "optional extra [plot]: the loss curves",
    ("demo.py", "matplotlib.pyplot"): "optional extra [plot]: the loss curves",
    ("keras/callbacks.py", "matplotlib"): "optional extra [plot]: plotting the history",
    ("keras/callbacks.py", "matplotlib.pyplot"): "optional extra [plot]: plotting the history",
    ("keras/preprocessing/image.py", "PIL"): "optional extra [image]: Pillow reads images",
    ("keras/applications/mobilenet_v2.py", "keras"): "optional: the real Keras, to convert "
                                                     "its weights",
    ("recipes.py", "sklearn.datasets"): "optional extra [datasets]: the digits",
    ("recipes.py", "tqdm"): "optional extra [progress]: the progress bar",
    ("serialization.py", "torch"): "optional: only to_torch_state_dict needs PyTorch",
    ("viz/__init__.py", "graph"): "the drawing module needs the graphviz extra",
}


def _imports_in_functions(node: ast.AST, in_function: bool = False) -> set[str]:
    found = set()
    for child in ast.iter_child_nodes(node):
        if in_function and isinstance(child, ast.Import):
            found.update(a.name for a in child.names)
        elif in_function and isinstance(child, ast.ImportFrom):
            found.add(child.module or child.names[0].name)
        elif isinstance(child, ast.Call) and getattr(child.func, "id", None) == "__import__":
            found.add("__import__()")  # the same, spelled as a call
        found |= _imports_in_functions(child, in_function or isinstance(
            child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))
    return found


def _function_level_imports() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.update((rel, name) for name in _imports_in_functions(tree))
    return found


def test_no_function_level_imports_but_optional_extras():
    found = _function_level_imports()
    new = sorted(found - set(ALLOWED))
    assert not new, (f"imports inside functions (move them to the module's top, or, for an "
                     f"optional package, add them to ALLOWED with the reason): {new}")
    stale = sorted(set(ALLOWED) - found)
    assert not stale, f"ALLOWED entries that no longer occur: {stale}"


def test_the_scan_finds_function_level_imports(tmp_path, monkeypatch):
    """The checker itself: an import inside a method is found, one at the top is not."""
    (tmp_path / "m.py").write_text("import os\nclass A:\n    def f(self):\n"
                                   "        from .x import y\n        import json\n"
                                   "        return __import__('re')\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert _function_level_imports() == {("m.py", "x"), ("m.py", "json"),
                                         ("m.py", "__import__()")}


def test_import_loads_only_numpy():
    """`import autograd_nn` loads no third-party package but NumPy (SciPy, torch, graphviz,
    matplotlib, ... are optional and loaded on first use)."""
    code = ("import json, sys\nbefore = set(sys.modules)\nimport autograd_nn\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True)
    loaded = json.loads(r.stdout)
    top = {m.split(".")[0] for m in loaded}
    # NumPy's compiled (Cython) extensions register their runtime modules as they load
    third_party = {m for m in top - set(sys.stdlib_module_names)
                   if m not in ("autograd_nn", "numpy", "cython_runtime")
                   and not m.startswith("_cython_")}
    assert not third_party, f"import autograd_nn loaded {sorted(third_party)}"
    for lazy in ("autograd_nn.nn", "autograd_nn.optim", "autograd_nn.keras", "autograd_nn.viz"):
        assert lazy not in loaded, f"{lazy} should load on first use"


# the distribution that installs each optional import of ALLOWED
DISTRIBUTION = {"matplotlib": "matplotlib", "PIL": "Pillow", "sklearn": "scikit-learn",
                "tqdm": "tqdm", "graphviz": "graphviz"}


def _extras() -> dict[str, set[str]]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    return {name: {re.split(r"[<>=!~\[; ]", line.strip())[0] for line in value.splitlines()
                   if line.strip() and not line.strip().startswith("#")}
            for name, value in cfg["options.extras_require"].items()}


def test_missing_extra_messages_name_the_extra_that_installs_it():
    """Every ``autograd_nn[X]`` the package tells users to install exists in setup.cfg, and a
    module importing an optional package names the extra that holds that package."""
    extras = _extras()
    named = {path.relative_to(PACKAGE).as_posix():
             set(re.findall(r"autograd_nn\[(\w+)\]", path.read_text(encoding="utf-8")))
             for path in PACKAGE.rglob("*.py")}
    unknown = {f: n - set(extras) for f, n in named.items() if n - set(extras)}
    assert not unknown, f"extras that setup.cfg does not define: {unknown}"
    for (file, module), why in [*ALLOWED.items(),
                                (("viz/graph.py", "graphviz"), "optional extra [viz]")]:
        tag = re.search(r"optional extra \[(\w+)\]", why)
        if not tag:
            continue
        extra, dist = tag.group(1), DISTRIBUTION[module.split(".")[0]]
        assert dist in extras.get(extra, set()), f"[{extra}] does not install {dist}"
        assert extra in named[file], f"{file} should name autograd_nn[{extra}] for {dist}"
