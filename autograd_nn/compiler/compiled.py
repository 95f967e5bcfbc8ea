"""A compiled function: guards, the cache of specializations, tracing and replay."""

from __future__ import annotations

import functools
import time
import warnings
import weakref
from typing import Any, Callable

import numpy as np

from ..autograd import engine
from ..tensor import Tensor
from .aot import AOTProgram
from .codegen import Program
from .tracer import (
    GraphBreakError,
    OpEvent,
    Patched,
    Tracer,
    TracerBusyError,
    helper_only_buffers,
    meta,
    rng_state,
)
from .validate import difference, merge_adoption

# As torch._dynamo.config.recompile_limit: specializations per function before it stays eager.
RECOMPILE_LIMIT = 8
_SCALARS = (int, float, bool, str, complex, type(None))
_ALL: weakref.WeakSet = weakref.WeakSet()  # every CompiledFunction (compiler.reset clears them)


def flatten_args(args: tuple, kwargs: dict) -> tuple[list, tuple]:
    """(the Tensors among the arguments, in order; the guard key of the arguments): each
    Tensor's shape, dtype, requires_grad, whether it has history and which earlier argument
    it is (aliasing); each Python scalar's type and value; the identity of anything else."""
    if not kwargs:  # the common call, step(x, y): positional tensors only, no recursion
        tensors = []
        key = []
        for x in args:
            if not isinstance(x, Tensor):
                break
            k = len(tensors)
            for j, y in enumerate(tensors):
                if y is x:
                    k = j
                    break
            else:
                tensors.append(x)
            d = x._data
            key.append((d.shape, d.strides, d.dtype, x.requires_grad, x._node is None, k))
        else:
            return tensors, tuple(key)
    tensors = []
    seen: dict[int, int] = {}
    key = []

    def walk(x: Any) -> None:
        t = type(x)
        if isinstance(x, Tensor):
            k = seen.setdefault(id(x), len(tensors))
            if k == len(tensors):
                tensors.append(x)
            d = x._data
            key.append((d.shape, d.strides, d.dtype, x.requires_grad, x._node is None, k))
        elif t in _SCALARS:
            key.append((t, x))
        elif t is tuple or t is list:
            key.append((t, len(x)))
            for y in x:
                walk(y)
        elif t is dict:
            key.append((t, tuple(x)))
            for y in x.values():
                walk(y)
        else:
            key.append(("id", id(x)))

    walk(args)
    walk(kwargs)
    return tensors, tuple(key)


def arg_meta(tensors: list) -> list:
    """(shape, dtype, layout) of each argument tensor's array (guarded: the replay's
    buffers)."""
    return [meta(t._data) for t in tensors]


def _module_sig(m: Any) -> tuple:
    return (m.training, tuple(map(id, m._parameters.values())),
            tuple(map(id, m._buffers.values())), tuple(map(id, m._modules.values())))


def _tensor_sig(t: Any) -> tuple:
    return (t._data.shape, t._data.dtype, t.requires_grad, t._data.strides)


class Entry:
    """One specialization: its guards beyond the argument key, its first recording (until the
    second call validates it, see validate.py) and then its replay; ``program`` stays None
    when a graph break keeps it eager."""

    def __init__(self, tracer: Tracer, trace_s: float) -> None:
        self.program: Program | None = None
        self.first: list | None = tracer.events if not tracer.breaks else None
        self.breaks = list(tracer.breaks)
        self.trace_s = trace_s
        self.modules = list(tracer.modules.values())
        self.module_sigs = [_module_sig(m) for m in self.modules]
        self.tensors = list(tracer.persistent.values())
        self.tensor_sigs = [_tensor_sig(t) for t in self.tensors]
        # Buffers (BatchNorm's running statistics) may be read with NumPy outside the ops, as
        # constants of the recording: their values are guards (small arrays; a change, e.g.
        # after a training epoch, re-records this specialization in place). Not those a
        # recorded helper takes (BatchNorm's running statistics: the replay updates them and
        # reads them itself), nor those BatchNorm's own forward touches only through helpers
        self.buffers = [b for m in self.modules for name, b in m._buffers.items()
                        if b is not None and id(b) not in tracer.written
                        and name not in helper_only_buffers(m)]
        self.buffer_values = [b._data.copy() for b in self.buffers]

        self._check = self._guard_function()

    def _guard_function(self) -> Callable:
        """The guards as one generated function: 0 (they hold), 1 (a miss), 2 (stale: only a
        buffer's value changed)."""
        ns: dict[str, Any] = {"_eq": np.array_equal}
        conds: list[str] = []
        for i, m in enumerate(self.modules):
            ns[f"m{i}"] = m
            conds.append(f"m{i}.training is {m.training}")
            for reg in ("_parameters", "_buffers", "_modules"):
                d = getattr(m, reg)
                conds.append(f"len(m{i}.{reg}) == {len(d)}")
                for j, (name, v) in enumerate(d.items()):
                    ns[f"o{i}_{reg}_{j}"] = v
                    conds.append(f"m{i}.{reg}.get({name!r}) is o{i}_{reg}_{j}")
        for i, (t, (shape, dtype, rg, strides)) in enumerate(zip(self.tensors,
                                                                 self.tensor_sigs)):
            ns[f"t{i}"], ns[f"d{i}"] = t, dtype
            conds.append(f"t{i}._data.shape == {shape!r} and t{i}._data.dtype == d{i} and "
                         f"t{i}.requires_grad is {rg} and t{i}._data.strides == {strides!r}")
        stale = []
        for i, (b, v) in enumerate(zip(self.buffers, self.buffer_values)):
            ns[f"b{i}"], ns[f"bv{i}"] = b, v
            stale.append(f"_eq(b{i}._data, bv{i})")
        src = ("def check():\n"
               f"    if not ({' and '.join(conds) or 'True'}): return 1\n"
               f"    if not ({' and '.join(stale) or 'True'}): return 2\n"
               "    return 0\n")
        exec(compile(src, "<autograd_nn.compile guards>", "exec"), ns)
        return ns["check"]

    def guards_hold(self) -> bool:
        """Whether this specialization applies (buffer values aside: see ``stale``)."""
        return self._check() != 1

    def stale(self) -> bool:
        """Whether a buffer changed value since the recording."""
        return self._check() == 2

    def guard_lines(self) -> list[str]:
        lines = ["grad mode; each argument tensor's shape, dtype, requires_grad, history and "
                 "aliasing; each Python scalar argument's value"]
        for m, sig in zip(self.modules, self.module_sigs):
            lines.append(f"{type(m).__name__} (id {id(m):#x}): training={sig[0]}, the same "
                         f"{len(sig[1])} parameters, {len(sig[2])} buffers, "
                         f"{len(sig[3])} submodules")
        for t, sig in zip(self.tensors, self.tensor_sigs):
            lines.append(f"tensor (id {id(t):#x}): shape {list(sig[0])}, dtype {sig[1]}, "
                         f"requires_grad={sig[2]}")
        return lines


class CompiledFunction:
    """``autograd_nn.compile(fn)``: calls ``fn`` eagerly while recording it once per
    specialization, then replays the recording (see :mod:`autograd_nn.compiler`)."""

    def __init__(self, fn: Callable, *, fullgraph: bool = False, dynamic: bool | None = None,
                 mode: str | None = None, disable: bool = False, aot: bool = False) -> None:
        if not callable(fn):
            raise TypeError(f"autograd_nn.compile: expected a function or a Module, got "
                            f"{type(fn).__name__}")
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.fullgraph = fullgraph
        self.dynamic = dynamic
        self.mode = mode
        self.disable = disable
        self.aot = aot  # a returned tensor may keep its graph (compile(module): see aot.py)
        self._cache: dict[tuple, list[Entry]] = {}
        self.traces = 0  # specializations recorded so far
        self.replays = 0
        self._warned: set = set()
        _ALL.add(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.disable or engine.current_tracer() is not None:  # inside a trace: it records us
            return self._fn(*args, **kwargs)
        try:
            return self._call(args, kwargs)
        except TracerBusyError:  # another thread is recording: this call runs eagerly
            return self._fn(*args, **kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        tensors, key = flatten_args(args, kwargs)
        key = (engine.is_grad_enabled(), key)
        entries = self._cache.get(key, ())
        for entry in entries:
            verdict = entry._check()
            if verdict != 1:
                if entry.program is None and entry.first is None:  # a graph break: eager
                    return self._fn(*args, **kwargs)
                if verdict == 2:
                    entries.remove(entry)  # re-recorded below, not counted as a recompile
                    self.traces -= 1
                    break
                prog = entry.program
                if prog is not None:
                    if not prog.buffers:
                        self.replays += 1
                        return prog.run(tensors)
                    # the buffers belong to one replay at a time: a call from another thread
                    # (or from a hook inside the replay) meanwhile runs eagerly
                    if not prog.lock.acquire(False):
                        return self._fn(*args, **kwargs)
                    try:
                        self.replays += 1
                        return prog.run(tensors)
                    finally:
                        prog.lock.release()
                if entry.first is not None:
                    return self._validate(entry, tensors, args, kwargs)
                return self._fn(*args, **kwargs)
        if self.traces >= RECOMPILE_LIMIT:
            self._warn_once("limit", f"autograd_nn.compile: {self.__qualname__} was recompiled "
                            f"{RECOMPILE_LIMIT} times (recompile limit); further "
                            f"specializations run eagerly")
            return self._fn(*args, **kwargs)
        entry, result = self.trace(tensors, key, args, kwargs)
        return result

    def trace(self, tensors: list, key: tuple, args: tuple, kwargs: dict) -> tuple:
        """Run the function eagerly under a tracer; cache and return (entry, its result)."""
        tr, result, spec, elapsed = self._record(tensors, args, kwargs)
        entry = Entry(tr, elapsed)
        entry.spec = spec
        self.traces += 1
        self._cache.setdefault(key, []).append(entry)
        self._warn_breaks(entry)
        return entry, result

    def _validate(self, entry: Entry, tensors: list, args: tuple, kwargs: dict) -> Any:
        """Second call of a specialization: trace again, compare, and build the replay."""
        tr, result, spec, elapsed = self._record(tensors, args, kwargs)
        first, entry.first = entry.first, None
        entry.trace_s += elapsed
        why = None if tr.breaks else difference(first, tr.events)
        if why is not None:
            tr.breaks.append((f"{why} between two calls (data-dependent)", f"in "
                              f"{self.__qualname__}"))
        entry.breaks = list(tr.breaks)
        if tr.breaks:
            self._warn_breaks(entry)
            return result
        merge_adoption(first, tr.events)
        if spec[0] == "aot":
            entry.program = AOTProgram(tr.events, tensors, spec[1], self._fn)
        else:
            entry.program = Program(tr.events, len(tensors), spec, arg_meta=arg_meta(tensors),
                                    fuse=self.mode == "max-autotune")
        return result

    def _record(self, tensors: list, args: tuple, kwargs: dict) -> tuple:
        tr = Tracer(self.fullgraph)
        for k, t in enumerate(tensors):
            tr.arg_ids[id(t)] = k
            tr.arg_arrays.setdefault(id(t._data), k)
        t0 = time.perf_counter()
        with Patched(tr):
            result = self._fn(*args, **kwargs)
            if tr.rng_outside or rng_state() != tr.rng_mark:
                tr.graph_break("random numbers drawn outside the recorded kernels (dropout, "
                               "randn, ...)", f"in {self.__qualname__}")
            if tr.inplace_inside:
                tr.graph_break("an in-place write into a tensor (x.add_(), x[i] = v, ...)",
                               f"in {self.__qualname__}")
            spec = _result_spec(tr, result, self.aot)
        return tr, result, spec, time.perf_counter() - t0

    def _warn_breaks(self, entry: Entry) -> None:
        for reason, where in entry.breaks:
            self._warn_once((reason, where), f"autograd_nn.compile: graph break in "
                            f"{self.__qualname__} at {where}: {reason}; it runs eagerly")

    def _warn_once(self, what: Any, msg: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            warnings.warn(msg, stacklevel=3)

    def entries(self) -> list[Entry]:
        """Every specialization recorded so far."""
        return [e for es in self._cache.values() for e in es]

    def reset(self) -> None:
        """Forget every specialization (the next call traces again)."""
        self._cache.clear()
        self.traces = 0


def _result_spec(tr: Tracer, x: Any, aot: bool = False) -> tuple:
    """How the replay rebuilds the function's return value."""
    if isinstance(x, Tensor):
        node = x._node
        if aot and node is not None and id(node) in tr.node_slot:
            if any(type(ev) is not OpEvent for ev in tr.events):
                tr.graph_break("a compiled module's forward ran backward, an optimizer or a "
                               "helper", "in forward")
            return ("aot", tr.node_slot[id(node)])
        if node is not None and node.next is not None:
            tr.graph_break("returns a tensor with a live autograd graph (its backward would "
                           "run outside the compiled function: compile the module instead)",
                           "at the return")
        return ("tensor", tr.source_of_tensor(x))
    t = type(x)
    if t is tuple or t is list:
        return (t.__name__, [_result_spec(tr, y) for y in x])
    if t is dict:
        return ("dict", [(k, _result_spec(tr, v)) for k, v in x.items()])
    if t in _SCALARS:
        return ("c", x)
    tr.graph_break(f"returns a {t.__name__}", "at the return")
    return ("c", x)


__all__ = ["CompiledFunction", "GraphBreakError", "RECOMPILE_LIMIT", "arg_meta", "flatten_args"]
