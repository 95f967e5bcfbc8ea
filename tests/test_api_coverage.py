"""The API coverage table (``tools/api_coverage.py``, committed as ``docs/api_coverage.md``):
coverage never drops below the committed numbers, and the exclusion list stays honest."""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import ROOT

torch = pytest.importorskip("torch")
sys.path.insert(0, str(ROOT / "tools"))
import api_coverage  # noqa: E402

ROWS = {r.namespace: r for r in api_coverage.measure()}


def test_coverage_does_not_drop_below_the_committed_table():
    committed = api_coverage.committed_numbers()
    assert set(committed) == set(api_coverage.NAMESPACES)
    for ns, (applicable, present) in committed.items():
        row = ROWS[ns]
        assert row.applicable == applicable, (
            f"{ns}: {row.applicable} applicable names now, {applicable} in the committed "
            f"table (PyTorch or the exclusion list changed): run tools/api_coverage.py --write")
        assert len(row.present) >= present, (
            f"{ns}: coverage dropped from {present} to {len(row.present)} names; missing now: "
            f"{row.missing}")


def test_every_exclusion_pattern_matches_a_pytorch_name():
    for family, (reason, by_ns) in api_coverage.EXCLUDED.items():
        assert reason
        for ns, patterns in by_ns.items():
            names = api_coverage.public_callables(
                api_coverage._resolve(torch, "torch", ns))[0]
            for p in patterns:
                assert any(re.fullmatch(p, n) for n in names), \
                    f"{family}: pattern {p!r} matches nothing in {ns} (stale entry)"


def test_present_names_are_callable_here():
    import autograd_nn

    for ns, row in ROWS.items():
        ours = api_coverage._resolve(autograd_nn, "autograd_nn", ns)
        for name in row.present:
            assert callable(getattr(ours, name)), f"{ns}.{name} exists but is not callable"


def test_excluded_families_are_not_applicable_ones():
    # spot checks, hand-picked: dense CPU names must count as applicable, device ones not
    for ns, name in [("torch", "log10"), ("torch", "histc"), ("torch.Tensor", "unsqueeze_"),
                     ("torch.nn.functional", "scaled_dot_product_attention"),
                     ("torch.linalg", "svd"), ("torch.fft", "fftfreq")]:
        assert api_coverage.exclusion_family(ns, name) is None, (ns, name)
    for ns, name in [("torch", "cudnn_convolution"), ("torch", "sparse_coo_tensor"),
                     ("torch", "quantize_per_tensor"), ("torch.Tensor", "cuda"),
                     ("torch.fft", "rfft"), ("torch", "view_as_complex")]:
        assert api_coverage.exclusion_family(ns, name) is not None, (ns, name)
