"""Weights moving between PyTorch and autograd_nn by name: the oracle is PyTorch's own forward
on the same inputs (float32 outputs agree to 1e-5; state dicts round-trip bitwise)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn.serialization import from_torch_state_dict, to_torch_state_dict

torch = pytest.importorskip("torch")


def _models():
    ag.manual_seed(0)
    torch.manual_seed(0)
    ours = ag.nn.Sequential(ag.nn.Linear(5, 8), ag.nn.ReLU(), ag.nn.Linear(8, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    return ours, theirs


def _forward_close(ours, theirs, x: np.ndarray):
    with torch.no_grad():
        want = theirs(torch.from_numpy(x)).numpy()
    got = ours(ag.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    return got


def test_torch_to_ours_sequential(rng):
    ours, theirs = _models()
    sd = from_torch_state_dict(theirs.state_dict())
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(isinstance(v, ag.Tensor) and v.dtype == ag.float32 for v in sd.values())
    ours.load_state_dict(sd)
    _forward_close(ours, theirs, rng.standard_normal((4, 5)).astype(np.float32))
    # copies, not views: changing the torch weights later does not touch ours
    with torch.no_grad():
        theirs[0].weight.zero_()
    assert np.abs(ours[0].weight.detach().numpy()).sum() > 0


def test_ours_to_torch_linear_and_back_bitwise(rng):
    ag.manual_seed(1)
    lin = ag.nn.Linear(6, 2, dtype=ag.float64)
    tlin = torch.nn.Linear(6, 2, dtype=torch.float64)
    tlin.load_state_dict(to_torch_state_dict(lin))  # a Module is accepted too
    x = rng.standard_normal((3, 6))
    with torch.no_grad():
        want = tlin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(lin(ag.from_numpy(x)).detach().numpy(), want, rtol=1e-12,
                               atol=1e-12)
    back = from_torch_state_dict(to_torch_state_dict(lin.state_dict()))
    for k, v in lin.state_dict().items():
        assert back[k].dtype == v.dtype and back[k].numpy().tobytes() == v.numpy().tobytes()


def test_nested_and_integer_buffers():
    sd = {"model": {"w": torch.arange(6, dtype=torch.int64).reshape(2, 3)},
          "step": 7, "flags": (torch.tensor([True, False]), "x")}
    ours = from_torch_state_dict(sd)
    assert ours["model"]["w"].dtype == ag.int64 and ours["model"]["w"].tolist() == [[0, 1, 2],
                                                                                    [3, 4, 5]]
    assert ours["step"] == 7 and ours["flags"][1] == "x" and ours["flags"][0].dtype == ag.bool
    again = to_torch_state_dict(ours)
    assert torch.equal(again["model"]["w"], sd["model"]["w"])
    with pytest.raises(TypeError, match="dtype torch.bfloat16, which autograd_nn does not"):
        from_torch_state_dict({"w": torch.zeros(2, dtype=torch.bfloat16)})


def test_via_safetensors_file(tmp_path, rng):
    """Weights saved by PyTorch with safetensors load directly with autograd_nn.load."""
    st_torch = pytest.importorskip("safetensors.torch")
    ours, theirs = _models()
    st_torch.save_file(theirs.state_dict(), str(tmp_path / "t.safetensors"))
    ours.load_state_dict(ag.load(tmp_path / "t.safetensors"))
    x = rng.standard_normal((2, 5)).astype(np.float32)
    got = _forward_close(ours, theirs, x)
    # and back: our file, read by safetensors' torch loader
    ag.save(ours.state_dict(), tmp_path / "o.safetensors")
    theirs2 = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs2.load_state_dict(st_torch.load_file(str(tmp_path / "o.safetensors")))
    with torch.no_grad():
        np.testing.assert_array_equal(theirs2(torch.from_numpy(x)).numpy(),
                                      theirs(torch.from_numpy(x)).numpy())
    assert got.shape == (2, 3)


def test_optimizer_state_moves_both_ways(rng):
    """An Adam checkpoint taken in one framework continues identically in the other."""
    ag.manual_seed(0)
    model = ag.nn.Linear(3, 2)
    opt = ag.optim.Adam(model.parameters(), lr=0.1)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    for _ in range(2):
        opt.zero_grad()
        model(ag.from_numpy(x)).pow(2).sum().backward()
        opt.step()
    tmodel = torch.nn.Linear(3, 2)
    tmodel.load_state_dict(to_torch_state_dict(model))
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.1, foreach=False)
    topt.load_state_dict(to_torch_state_dict(opt.state_dict()))
    for _ in range(2):
        opt.zero_grad()
        model(ag.from_numpy(x)).pow(2).sum().backward()
        opt.step()
        topt.zero_grad()
        tmodel(torch.from_numpy(x)).pow(2).sum().backward()
        topt.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), tmodel.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    # and back: torch's state (step 4) loads into a fresh autograd_nn Adam
    opt2 = ag.optim.Adam(ag.nn.Linear(3, 2).parameters(), lr=0.1)
    opt2.load_state_dict(from_torch_state_dict(topt.state_dict()))
    st = opt2.state_dict()["state"][0]
    assert float(st["step"].item()) == 4.0
    np.testing.assert_allclose(st["exp_avg"].numpy(), topt.state[tmodel.weight]["exp_avg"].numpy(),
                               rtol=1e-5, atol=1e-7)
