"""No absolute paths in the examples (issue 14): data folders come from ``--data``, else
``$AUTOGRAD_NN_DATA``, else ``../shared/data``; outputs are relative to the working directory."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a POSIX path from the root with at least two parts, a home-relative path, a drive letter
ABSOLUTE = re.compile(r"(?<![\w.:/])(/[\w.-]+/[\w./-]*|~/[\w./-]+|[A-Za-z]:\\[\w\\.-]+)")


def absolute_paths(source: str) -> list[str]:
    """The absolute paths written in a script's string literals (docstrings included)."""
    tree = ast.parse(source)
    # in f"{root}/mnist-test/x.gz" the literal part after a field is relative to that field
    joined = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
              for part in node.values[1:]}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in joined:
            found += ABSOLUTE.findall(node.value)
    return found


def test_the_detector_finds_what_it_should():
    src = ('"""Reads ../shared/data and $AUTOGRAD_NN_DATA/mnist-test; see a/b/c."""\n'
           'x = "/work/shared/data"\ny = f"{root}/mnist-test/x.gz"\n'
           'u = f"/srv/data/{name}"\nz = "~/data/x.gz"\n'
           'w = "C:\\\\data\\\\x"\nv = "1/2 of the data, loss/accuracy"\n')
    assert sorted(absolute_paths(src)) == sorted(
        ["/work/shared/data", "/srv/data/", "~/data/x.gz", "C:\\data\\x"])


def test_examples_hold_no_absolute_paths():
    scripts = sorted((ROOT / "examples").rglob("*.py"))
    assert len(scripts) >= 5
    offenders = {str(p.relative_to(ROOT)): absolute_paths(p.read_text()) for p in scripts}
    assert {k: v for k, v in offenders.items() if v} == {}
