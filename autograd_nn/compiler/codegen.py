"""Turning a recording into straight-line Python over NumPy arrays.

The replay of a traced call is one generated function (``source`` shows it: ``explain`` prints
it). Each recorded op becomes ``v7 = Mul_forward(c7, v3, p0)``: the op's own forward on arrays,
with a fresh ``ctx`` it may store extras on (masks, indices) -- or, for the ops of
:mod:`.lower`, the same ufunc calls written out into buffers (``v7 = _mul(v3, p0, out=B4)``).
An op whose node took part in a backward keeps ``inputs``/``out``/``needs_input_grad`` on that
ctx, and each backward pass becomes its rules' calls in the order the engine ran them, each
result routed the way the engine routed it (reduced to the input's shape by the engine's own
``_fit``, summed into the gradient waiting at the next node in the same order) and each leaf's
total added to ``.grad`` as ``run_backward`` does. Whole calls (``optimizer.step()``) are called
as they are (SGD's written out). The same kernels run in the same order on the same values: the
results are eager's, bit for bit.
"""

from __future__ import annotations

import math
import re
import threading
from sys import getrefcount
from typing import Any

import numpy as np

from .._ops.conv import Conv
from .._ops.elementwise import Add, Mul, Relu, Sigmoid, Sub, Tanh
from .._ops.linear import Linear
from .._ops.loss import BinaryCrossEntropy
from .._ops.pool import max_pool_regular
from ..autograd import engine
from ..nn._functional.loss import _class_coef
from ..optim.adam import Adam, AdamW
from ..optim.optimizer import Optimizer
from ..optim.sgd import SGD
from ..tensor import Tensor
from . import lower
from .lower import KERNELS, LOWERED, WITH_PARAMS, adam_step, class_coef, pool_tiles, sgd_step
from .tracer import BackwardEvent, CallEvent, HelperEvent, OpEvent, meta

# optimizers whose step() the replay writes out (lower.py), by exact type (a subclass may
# override _update_group)
_WRITTEN_OUT_STEPS = {SGD: sgd_step, Adam: adam_step, AdamW: adam_step}
# written-out elementwise ops that may write over their input (their forward is one ufunc per
# element; their backward reads no input: Program._inplace), and written-out ops whose backward
# never reads their output array (Conv's reads its saved columns)
_INPLACE = {Add, Sub, Relu, Tanh}
_NO_OUTPUT_READ = {Add, Sub, Mul, Linear, Conv}
# helpers of the functional layer written out (lower.py)
_WRITTEN_OUT_HELPERS = {_class_coef: class_coef, max_pool_regular: pool_tiles}


class _Ctx:
    """The ``ctx`` of a replayed op (forward may store extras; backward reads them)."""

    __slots__ = ("__dict__",)


class Program:
    """A recording compiled to a Python function ``run(args) -> result``."""

    def __init__(self, events: list, arg_count: int, result: Any,
                 returns: str | None = None, arg_meta: list | None = None,
                 fuse: bool = False) -> None:
        """``returns``: the return expression verbatim (the compiled module's forward returns
        its output array and the ctxs its backward reads); ``A`` then holds arrays.
        ``arg_meta``: (shape, dtype, layout) of each argument's array; given (and ``returns``
        not), the ops of :mod:`.lower` write into buffers reused across calls."""
        self.ns: dict[str, Any] = {"_Ctx": _Ctx, "_nd": np.ndarray, "_asarray": np.asarray,
                                   "_fit": engine._fit, "_wrap": Tensor._wrap, "_np": np,
                                   "_diverged": _diverged, "_reuse": _reuse, **KERNELS}
        self._consts: dict[int, str] = {}
        self._nums: dict[tuple, str] = {}  # Python numbers as 0-d arrays (num)
        self.cur_dtype: Any = None  # the dtype of the op being written out
        self.saved: dict = {}  # slot of a written-out op -> what its backward reads (lower.py)
        self.buffer_views: set = set()  # constants that are views of buffers (lower.py)
        self._out_meta: Any = None  # (shape, dtype, layout) of the op being written out
        self._cur_out: str | None = None  # its output buffer, once made (out_buffer)
        self._helper_meta: dict = {}  # slot -> (shape, dtype, layout) of a written-out helper's
        self._keep: list = []
        self._nodes = {ev.slot: ev.node for ev in events if type(ev) is OpEvent}
        self._events = {ev.slot: ev for ev in events if type(ev) is OpEvent}
        self._all_events, self._result_spec = events, result  # (users_of)
        self._users: dict | None = None
        self._out_buf: dict[int, str] = {}  # slot of a written-out op -> its output buffer
        self.identity_rules: set = set()  # slots whose rule another one did (lower.py)
        self._n_backward = 0
        # buffers: only for functions (a compiled module's ctxs outlive the call)
        self.lower = returns is None and arg_meta is not None
        self.fuse = fuse and self.lower  # mode="max-autotune": see _fusions (not bit-identical)
        self.arg_meta = list(arg_meta or ())
        self.buffers: list = []  # the preallocated arrays (B0, B1, ...)
        self.lock = threading.Lock()  # held by the replay using them (compiled.py)
        self._low: dict[int, tuple] = {}  # slot of a lowered op -> (its backward, input exprs)
        self._maybe: set = set()  # forward values that may be (views of) buffers
        self._pv: dict[int, str] = {}  # id(tensor) -> the local holding its ._data
        self._n_pv = 0
        self._pre: list = []  # hoisting lines waiting to go before the current event's lines
        self._funcs: list = []  # source of helper functions (an inlined optimizer step)
        lines = ["def run(A):"]
        field = "" if returns is not None else "._data"
        lines += [f"    a{k} = A[{k}]{field}" for k in range(arg_count)]
        self.n_ops = 0
        self.n_lowered = 0
        self.n_backward_rules = 0
        self.n_calls = 0
        for ev in events:
            if type(ev) is OpEvent:
                body = self._op(ev)
            elif type(ev) is BackwardEvent:
                body = self._backward(ev)
            elif type(ev) is HelperEvent:
                body = self._helper(ev)
            else:
                body = self._call(ev)
                self._pv.clear()  # a whole call may rebind a tensor's data: read it again
            lines += self._pre + body
            self._pre = []
        lines.append(f"    return {returns if returns is not None else self._result(result)}")
        lines = _free_dead(lines, {f"v{n}" for n in self._low})
        self.source = "\n".join(self._funcs + lines) + "\n"
        self._drop_untouched()
        exec(compile(self.source, "<autograd_nn.compile replay>", "exec"), self.ns)
        self.run = self.ns["run"]

    def _drop_untouched(self) -> None:
        """Forget the buffers the code never reads or writes (a route's buffer a rule did not
        use, an output that is its input's values): neither by name nor through a view."""
        used = set(re.findall(r"\b[A-Z]+\d+\b", self.source))
        views = [v for k, v in self.ns.items() if k in used and type(v) is np.ndarray]
        keep = []
        for i, arr in enumerate(self.buffers):
            name = f"B{i}"
            if name in used or any(np.may_share_memory(arr, v) for v in views):
                keep.append(arr)
            else:
                del self.ns[name]
        self.buffers = keep

    def buf(self, shape: tuple, dtype: Any, layout: str = "C") -> str:
        """A new preallocated array (a global of the generated code), zero-filled, laid out as
        the array it stands for ("C" or "F")."""
        name = f"B{len(self.buffers)}"
        arr = np.zeros(shape, dtype=dtype, order=layout)
        self.buffers.append(arr)
        self.ns[name] = arr
        return name

    def out_buffer(self, view: str | None = None) -> str:
        """The output buffer of the op being written out, made now (for a written-out forward
        that makes views of it; otherwise it is made after the forward's lines), or ``view``:
        a constant naming a view of a buffer (laid out as the output) that holds it."""
        if self._cur_out is None:
            self._cur_out = view or self.buf(*self._out_meta)
        return self._cur_out

    def meta_of(self, s: tuple) -> tuple | None:
        """(shape, dtype, layout) of a source's array (tracer.meta); dtype None for a Python int
        or float."""
        kind, x = s
        if kind == "v":
            ev = self._events.get(x)
            if ev is None:
                return self._helper_meta.get(x)
            return ev.meta or None
        if kind == "arg":
            return self.arg_meta[x] if x < len(self.arg_meta) else None
        if kind == "p":
            return meta(x._data)
        if kind == "c" and type(x) in (int, float):
            return ((), None, "C")
        if kind == "c" and type(x) is np.ndarray:  # (e.g. the zero initial state of an RNN)
            return meta(x)
        return None

    def users_of(self, slot: int) -> list:
        """Every place the recording reads value ``("v", slot)``: (the event, or None for the
        function's result; where in it: "inputs", a parameter's name, "args", "seeds" or
        "result") -- the op events' inputs and parameters, the helpers' arguments, the
        backward seeds, the result."""
        if self._users is None:
            self._users = {}

            def scan(obj: Any, ev: Any, where: Any) -> None:
                if (type(obj) is tuple and len(obj) == 2 and type(obj[0]) is str
                        and obj[0] == "v" and type(obj[1]) is int):
                    self._users.setdefault(obj[1], []).append((ev, where))
                elif type(obj) in (tuple, list):
                    for o in obj:
                        scan(o, ev, where)
                elif type(obj) is dict:
                    for k, o in obj.items():
                        scan(o, ev, k)
            for ev in self._all_events:
                if type(ev) is OpEvent:
                    scan(ev.inputs, ev, "inputs")
                    scan(ev.params, ev, None)
                elif type(ev) is HelperEvent:
                    scan(ev.args, ev, "args")
                elif type(ev) is BackwardEvent:
                    scan(ev.seeds, ev, "seeds")
            scan(self._result_spec, None, "result")
        return self._users.get(slot, [])

    def _inplace(self, ev: OpEvent) -> str | None:
        """The buffer of an input this written-out op may overwrite: an elementwise op whose
        backward reads no input (``_INPLACE``) on the value of a written-out op whose backward
        does not read its output (``_NO_OUTPUT_READ``), of the same shape, dtype and layout,
        read by nothing else (no other op, helper, seed or result): eager's fresh array and
        the input's, one dead once the other exists, share one buffer. A ufunc gives the same
        bits in place; the step's working set shrinks (the next kernel finds it in cache)."""
        if ev.cls not in _INPLACE:
            return None
        for s in ev.inputs:
            if s[0] != "v" or self._out_buf.get(s[1]) is None:
                continue
            a = self._events.get(s[1])
            if a is None or a.cls not in _NO_OUTPUT_READ or a.meta != ev.meta:
                continue
            users = self.users_of(s[1])
            if len(users) == 1 and users[0][0] is ev and users[0][1] == "inputs":
                return self._out_buf[s[1]]
        return None

    def meta_expr(self, var: str) -> tuple:
        """(shape, dtype, layout) of a lowered forward output ``v<slot>``."""
        return self._events[int(var[1:])].meta

    def num(self, value: int | float, dtype: Any = None) -> str:
        """A Python number operand of a written-out ufunc as a 0-d array of ``dtype`` (default:
        the dtype of the op being written out). A ufunc takes a Python scalar as *weak*: it is
        cast to the array's dtype, the loop is the same; a 0-d array of that dtype holding the
        cast value gives the same bits and skips ~0.7-1 us of scalar conversion per call. An
        int not exactly representable, or a value that overflows, stays a literal."""
        dtype = np.dtype(dtype if dtype is not None else self.cur_dtype)
        key = (type(value), repr(value), dtype.str)
        name = self._nums.get(key)
        if name is None:
            with np.errstate(over="ignore", invalid="ignore"):
                arr = np.array(value, dtype=dtype)
            if not np.isfinite(arr) or (type(value) is int and int(arr) != value):
                return self.src(("c", value))
            arr.flags.writeable = False
            name = self._nums[key] = f"N{len(self._nums)}"
            self.ns[name] = arr
        return name

    # ------------------------------------------------------------------------ expressions
    def const(self, value: Any, hint: str = "C") -> str:
        key = id(value)
        name = self._consts.get(key)
        if name is None:
            name = f"{hint}{len(self._consts)}"
            self._consts[key] = name
            self._keep.append(value)
            self.ns[name] = value
        return name

    def src(self, s: tuple) -> str:
        kind, x = s
        if kind == "v":
            return f"v{x}"
        if kind == "arg":
            return f"a{x}"
        if kind == "p":  # read once into a local (again after a whole call)
            name = self._pv.get(id(x))
            if name is None:
                name = self._pv[id(x)] = f"p{self._n_pv}"
                self._n_pv += 1
                self._pre.append(f"    {name} = {self.const(x, 'P')}._data")
            return name
        if kind == "grad":
            return f"{self.const(x, 'L')}._grad._data"
        return repr(x) if _plain(x) else self.const(x)

    def param(self, p: tuple) -> str:
        kind, x = p
        if kind == "src":
            return self.src(x)
        if kind == "tuple":
            return "(" + "".join(self.param(v) + ", " for v in x) + ")"
        if kind == "tensor":  # a Tensor a helper updates in place (BatchNorm's buffers)
            return self.const(x, "P")
        if kind == "out":  # a fresh list the forward appends its side outputs to (_op)
            return "[]"
        return self.src(("c", x))

    # ------------------------------------------------------------------------------ events
    def _op(self, ev: OpEvent) -> list:
        self.n_ops += 1
        n = ev.slot
        ins = [self.src(s) for s in ev.inputs]
        low = self._lower(ev, ins)
        if low is not None:
            return low
        fwd = self.const(ev.cls.forward, f"{ev.cls.__name__}_forward_")
        kw = [f"{k}={self.param(v)}" for k, v in ev.params.items()]
        # its result may be (a view of) a buffer: an input or a parameter is one (PoolGather
        # returns its ``values`` parameter itself)
        if any(i in self._maybe for i in ins) or \
                any(v in self._maybe for v in _NAME.findall(" ".join(kw))):
            self._maybe.add(f"v{n}")
        side = [(k, v[1]) for k, v in ev.params.items() if v[0] == "out"]
        if side:  # Normalize's batch statistics: values of the replay (the running stats' update)
            kw = [f"{k}=s{n}_{k}" if v[0] == "out" else f"{k}={self.param(v)}"
                  for k, v in ev.params.items()]
        out = [f"    c{n} = _Ctx()"] + [f"    s{n}_{k} = []" for k, _ in side] + [
               f"    v{n} = {fwd}(c{n}, {', '.join(ins + kw)})",
               f"    if type(v{n}) is not _nd: v{n} = _asarray(v{n})"]
        for k, slots in side:
            names = "".join(f"v{x}, " for x in slots)
            out.append(f"    ({names}) = s{n}_{k}" if slots else f"    del s{n}_{k}")
            if slots:
                out.append(f"    del s{n}_{k}")
        if ev.node is not None:
            needs = self.src(("c", tuple(ev.node.needs_input_grad)))
            out += [f"    c{n}.inputs = ({''.join(i + ', ' for i in ins)})",
                    f"    c{n}.out = v{n}",
                    f"    c{n}.needs_input_grad = {needs}"]
        return out

    def _lower(self, ev: OpEvent, ins: list) -> list | None:
        """The op as inline NumPy calls into a buffer (see lower.py), or None."""
        pair = LOWERED.get(ev.cls) if self.lower else None
        if pair is None or not ev.meta or ev.meta[1].kind != "f" or ev.meta[2] is None:
            return None
        metas = [self.meta_of(s) for s in ev.inputs]
        # float arrays of the output's dtype, or Python numbers: the ufuncs pick the same loop
        # with or without out=; contiguous ones: the output's layout follows theirs
        if not all(m is not None and (m[1] is None or m[1] == ev.meta[1]) and m[2] is not None
                   for m in metas):
            return None
        if all(m[1] is None for m in metas) or (ev.params and pair[0] not in WITH_PARAMS):
            return None
        self.params, self.cur_node, self.cur_dtype = ev.params, ev.node, ev.meta[1]
        self.cur_slot = ev.slot
        # Python numbers among the operands: 0-d arrays of the op's dtype (see num)
        ins = [self.num(s[1]) if m[1] is None else i for i, s, m in zip(ins, ev.inputs, metas)]
        self._out_meta, self._cur_out = ev.meta, None
        body = pair[0](self, ins, metas)
        if body is None:
            return None
        n = ev.slot
        # (a forward that writes no kernel -- PoolGather's: its values -- gets no buffer)
        b = self._out_buf[n] = self._cur_out or self._inplace(ev) or (
            self.buf(*ev.meta) if any("BUF" in line for line in body) else None)
        self._low[n] = (pair[1], ins, ev)
        self._maybe.add(f"v{n}")
        self.n_lowered += 1
        return [f"    {line.replace('OUT', f'v{n}').replace('BUF', b or 'BUF')}" for line in body]

    def _backward(self, ev: BackwardEvent) -> list:
        self._n_backward += 1
        out = [f"    # backward pass {self._n_backward}"]
        pending: set = set()  # gradient variables holding a value
        maybe: set = set()  # gradient variables that may be (views of) buffers
        var_meta: dict = {}  # gradient variable -> (shape, dtype) of its value
        acc: dict = {}  # gradient variable -> its accumulation buffer
        leaf_var: dict[int, str] = {}

        def target_var(t: tuple) -> str:
            if t[0] == "n":
                return f"g{t[1]}"
            leaf = t[1]
            if id(leaf) not in leaf_var:
                leaf_var[id(leaf)] = f"l{len(leaf_var)}_{self._n_backward}"
            return leaf_var[id(leaf)]

        def arrive(var: str, value: str, is_buf: bool, meta: Any) -> str:
            if var not in pending:
                pending.add(var)
                var_meta[var] = meta
                (maybe.add if is_buf else maybe.discard)(var)
                return f"    {var} = {value}"
            if self.lower and meta is not None and var_meta[var] == meta and meta[2] == "C":
                # eager's var + value (a fresh sum) written into this variable's own buffer
                if var not in acc:
                    acc[var] = self.buf(*meta)
                maybe.add(var)
                return f"    {var} = _add({var}, {value}, out={acc[var]})"
            maybe.discard(var)
            return f"    {var} = {var} + {value}"

        # a leaf gradient that arrives once and is adopted as .grad: computed into an array
        # of its own (not a buffer: it is handed out), the one handed out by the previous call
        # when nothing references it any more (zero_grad dropped it), else a fresh one
        arrivals: dict = {}
        for target, _ in ev.seeds:
            arrivals[target_var(target)] = arrivals.get(target_var(target), 0) + 1
        for _, _, routes in ev.steps:
            for _, _, target, _ in routes:
                arrivals[target_var(target)] = arrivals.get(target_var(target), 0) + 1
        adopted = {target_var(("l", leaf)) for leaf, a in ev.leaves if a and id(leaf) in leaf_var}

        for target, s in ev.seeds:
            seed = self.src(s)
            if s[0] == "c":
                seed += ".copy()"  # eager makes a fresh one each call
            out.append(arrive(target_var(target), seed, s[0] != "c", self.meta_of(s)))
        recycled: set = set()  # arrays of their own (see _reuse), handed out as they are
        fused_bce, fused_sig = self._fusions(ev, arrivals) if self.fuse else ({}, {})
        for slot, is_tuple, routes in ev.steps:
            self.n_backward_rules += 1
            g = f"g{slot}"
            low = self._low.get(slot)
            if slot in fused_bce:  # BCE of sigmoid (mode="max-autotune"): only g * (1 / n),
                s, inv_n = fused_bce[slot]  # handed to the sigmoid's step
                out.append(f"    g{s} = _mul({g}, {inv_n})")
                pending.discard(g)
                pending.add(f"g{s}")
                maybe.discard(f"g{s}")
                continue
            if low is not None:
                rule, ins, fev = low
                if slot in fused_sig:  # its input's gradient: (p - t) * g * (1 / n)
                    rule = fused_sig[slot]
                identity = slot in self.identity_rules  # done by the rule before (lower.py)
                if identity:
                    rule = lower.identity_rule
                outs = {}
                for j, fit, target, meta in routes:
                    if identity:  # (writes nothing)
                        outs[j] = None
                        continue
                    var = target_var(target)
                    fresh = not fit and var in adopted and arrivals[var] == 1
                    if fresh and meta[2] is not None:
                        r = self.const([np.empty(meta[0], meta[1], order=meta[2])], "R")
                        out.append(f"    o{j} = _reuse({r})")
                        outs[j] = f"o{j}"
                        recycled.add(f"o{j}")
                    else:
                        outs[j] = None if fresh or meta[2] is None else self.buf(*meta)
                self.params, self.cur_inputs, self.cur_dtype = fev.params, fev.inputs, fev.meta[1]
                lines, values = rule(self, ins, f"v{slot}", g, outs)
                out += lines
                refs = ins
            else:
                node = self._node_of(slot)
                bwd = self.const(node.op.backward, f"{node.op.__name__}_backward_")
                out.append(f"    gin = {bwd}(c{slot}, {g})")
                fev = self._events[slot]
                views = g in maybe or any(x[0] == "v" and f"v{x[1]}" in self._maybe
                                          for x in fev.inputs)
                values = {j: (f"gin[{j}]" if is_tuple else "gin") for j, _, _, _ in routes}
                outs = {j: (values[j] if views else None) for j in values}
                refs = [f"c{slot}.inputs[{j}]" for j in range(len(fev.inputs))]
            pending.discard(g)
            for j, fit, target, meta in routes:
                value = values[j]
                is_buf = (outs[j] is not None and outs[j] not in recycled) or \
                    (value == g and g in maybe) or value in self.buffer_views
                if fit:
                    value = f"_fit({value}, {refs[j]})"
                    meta = self.meta_of(fev.inputs[j])
                out.append(arrive(target_var(target), value, is_buf, meta))
        for leaf, adopted_ in ev.leaves:
            var = leaf_var.get(id(leaf))
            if var is None:
                continue
            L = self.const(leaf, "L")
            dt = self.const(leaf._data.dtype, "DT")
            if not adopted_:
                fresh = f"_np.array({var}, dtype={dt}, copy=True)"
            else:  # a buffer is never handed out: .grad outlives the call
                fresh = f"{var}.copy('K')" if var in maybe else var
            # (the engine's own stores: the .grad setter's checks hold by construction)
            out += [f"    if {L}._grad is None: {L}._grad = _wrap({fresh})",
                    f"    else: _np.add({L}._grad._data, {var}, out={L}._grad._data)"]
        return out

    def _fusions(self, ev: BackwardEvent, arrivals: dict) -> tuple:
        """mode="max-autotune": the backward of ``binary_cross_entropy(sigmoid(z), t)`` (mean,
        no weight, the sigmoid's output read by nothing else that is differentiated) as
        ``(p - t) * (g / n)``, BCE-with-logits' gradient, instead of BCE's rule (divided by
        ``max(p (1 - p), eps)``) then sigmoid's (times ``p (1 - p)``). NOT bit-identical to
        eager: it rounds differently, and where ``p`` rounds to 0 or 1 eager's gradient
        vanishes while this one is the exact derivative. Returns ({BCE slot: (sigmoid slot,
        1/n)}, {sigmoid slot: its replacement rule})."""
        bce, sig = {}, {}
        for slot, _, routes in ev.steps:
            low = self._low.get(slot)
            if low is None or low[2].cls is not BinaryCrossEntropy or len(routes) != 1:
                continue
            j, fit, target, _ = routes[0]
            s = target[1] if target[0] == "n" else None
            if (j != 0 or fit or s is None or low[2].inputs[0] != ("v", s)
                    or s not in self._low or self._low[s][2].cls is not Sigmoid
                    or arrivals.get(f"g{s}") != 1):
                continue
            shape, dtype = self.meta_of(low[2].inputs[0])[:2]
            bce[slot] = (s, self.num(1.0 / math.prod(shape), dtype))
            t = low[1][1]

            def rule(pg: Any, ins: list, y: str, g: str, outs: dict, t: str = t) -> tuple:
                o = outs[0]
                return [f"    t0 = _sub({y}, {t}{f', out={o}' if o else ''})",
                        f"    _mul(t0, {g}, out=t0)"], {0: "t0"}
            sig[s] = rule
        return bce, sig

    def _helper(self, ev: HelperEvent) -> list:
        fn = self.const(ev.fn, "H")
        write_out = _WRITTEN_OUT_HELPERS.get(ev.fn) if self.lower else None
        if write_out is not None:
            low = write_out(self, ev, fn)
            if low is not None:  # (its results are buffers)
                self._maybe.update(f"v{r[1]}" for r in ev.results if r[0] == "v")
                return low
        call = f"{fn}({', '.join(self.param(a) for a in ev.args)})"
        if ev.results == [("c", None)]:  # (it updates its arguments: BatchNorm's buffers)
            return [f"    {call}"]
        out = [f"    r = {call}"]
        many = len(ev.results) > 1
        for i, (kind, x) in enumerate(ev.results):
            r = f"r[{i}]" if many else "r"
            if kind == "v":
                out.append(f"    v{x} = {r}")
            else:  # a flag the recording depends on (e.g. "every target ignored")
                out.append(f"    if {r} != {self.src(('c', x))}: _diverged({fn})")
        return out

    def _call(self, ev: CallEvent) -> list:
        self.n_calls += 1
        fn = self.const(ev.fn, "F")
        args = [self.src(("c", a)) for a in ev.args]
        kw = [f"{k}={self.src(('c', v))}" for k, v in ev.kwargs.items()]
        call = f"{fn}({', '.join(args + kw)})"
        if (self.lower and ev.fn is Optimizer.step and type(ev.args[0]) in _WRITTEN_OUT_STEPS
                and len(ev.args) == 1 and not ev.kwargs and ev.result_slot is None):
            src, name = _WRITTEN_OUT_STEPS[type(ev.args[0])](self, ev.args[0], fn)
            self._funcs += src
            return [f"    {name}({args[0]})"]
        if ev.result_slot is None:
            return [f"    {call}"]
        return [f"    v{ev.result_slot} = {call}._data"]

    def _result(self, r: tuple) -> str:
        kind = r[0]
        if kind == "tensor":
            s = r[1]
            if s[0] == "arg":
                return f"A[{s[1]}]"
            if s[0] == "p":
                return self.const(s[1], "P")
            v = self.src(s)
            if v in self._maybe:  # a buffer is overwritten by the next call: hand out a copy
                v += ".copy('K')"  # (the layout eager gave it)
            return f"_wrap({v})"
        if kind in ("tuple", "list"):
            inner = "".join(self._result(x) + ", " for x in r[1])
            return f"({inner})" if kind == "tuple" else f"[{inner}]"
        if kind == "dict":
            return "{" + ", ".join(f"{self.const(k)}: {self._result(v)}" for k, v in r[1]) + "}"
        return self.src(("c", r[1]))

    def _node_of(self, slot: int) -> Any:
        return self._nodes[slot]


_NAME = re.compile(r"\b(?:[vcg]\d+|l\d+_\d+)\b")


def _free_dead(lines: list, buffers: set = frozenset()) -> list:
    """Insert ``del`` after each temporary's last use: arrays, ctxs (with what they saved) and
    gradients are freed as early as eager frees them (fresh memory costs page faults). Names
    in ``buffers`` always hold a buffer (nothing to free). A ``del`` never splits a block (an
    indented body, an ``if``/``else`` pair): it goes after the block's last line."""
    last: dict[str, int] = {}
    for i, line in enumerate(lines):
        for name in _NAME.findall(line):
            last[name] = i
    dels: dict[int, list] = {}
    for name, i in last.items():
        if name in buffers:
            continue
        while i + 1 < len(lines) and lines[i + 1].startswith(("        ", "    else", "    elif")):
            i += 1
        dels.setdefault(i, []).append(name)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in dels and i < len(lines) - 1:
            out.append(f"    del {', '.join(sorted(dels[i]))}")
    return out


def _refs_in(r: list) -> int:
    a = r[0]
    return getrefcount(a)


_REUSE_REFS = _refs_in([np.empty(1)])  # _reuse's count when only its list holds the array


def _reuse(r: list) -> np.ndarray:
    """``r[0]`` when nothing but ``r`` references it (the gradient array handed out as a
    leaf's ``.grad`` by the previous call, since dropped by ``zero_grad``: reusing its memory
    is unobservable and saves the page faults of a fresh large array), else a new array laid
    out like it (``r[0]`` becomes that one). A view, a Tensor or any other holder of the old
    array counts as a reference, as for the engine's adoption (allocator.owned)."""
    a = r[0]
    if getrefcount(a) > _REUSE_REFS:
        a = r[0] = np.empty_like(a)
    return a


def _plain(x: Any) -> bool:
    """Whether ``repr(x)`` is a literal evaluating to ``x`` (not inf or nan)."""
    if type(x) is float:
        return math.isfinite(x)
    return type(x) in (int, bool, str) or x is None


def _diverged(fn: Any) -> None:
    raise RuntimeError(f"autograd_nn.compile: {fn.__name__} took another branch than when the "
                       f"function was traced (e.g. every target ignored in a loss); call "
                       f"compiled_fn.reset() or run this batch eagerly")
