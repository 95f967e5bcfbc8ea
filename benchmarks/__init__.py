"""Speed and memory benchmarks of autograd_nn against PyTorch and hand-written NumPy.

``python -m benchmarks.run`` (``make bench``) runs them all; see ``benchmarks/README.md``.
"""
