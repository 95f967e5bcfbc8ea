"""Measure how much of PyTorch's public API autograd_nn covers.

Lists the public callables of twelve PyTorch namespaces (from the installed PyTorch), sets
aside the families that do not apply to dense real CPU tensors (each with its reason, in
``EXCLUDED`` below), and reports per namespace how many applicable names exist in
``autograd_nn``, with the missing names.

    python tools/api_coverage.py                 # print the table and the missing names
    python tools/api_coverage.py --write         # also rewrite docs/api_coverage.md
    python tools/api_coverage.py --missing torch.linalg   # one namespace's missing names

A name is "present" when the matching autograd_nn namespace has an attribute of that name
(whether it behaves as PyTorch's is the parity tests' job).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE_PATH = ROOT / "docs" / "api_coverage.md"

# (PyTorch namespace, how to reach it from the module `torch`)
NAMESPACES = ["torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init",
              "torch.optim", "torch.optim.lr_scheduler", "torch.utils.data", "torch.autograd",
              "torch.linalg", "torch.fft", "torch.special"]

# Families that do not apply to dense real tensors on a NumPy CPU backend: family ->
# (reason, {namespace: regular expressions matched against the whole name}).
EXCLUDED: dict[str, tuple[str, dict[str, list[str]]]] = {
    "GPU and other device backends": (
        "CUDA / cuDNN / MIOpen / MKLDNN / FBGEMM / Vulkan / IPU / XLA / MTIA kernels and "
        "queries: there is one device, the CPU (NumPy)",
        {"torch": [r"cudnn_.*", r"miopen_.*", r"mkldnn_.*", r"fbgemm_.*", r"is_vulkan_available",
                   r".*_(ipu|xla|gpu)_.*", r"get_autocast_(ipu|xla|gpu)_dtype",
                   r"profiler_allow_cudagraph_.*", r"get_device_module", r"Stream", r"Event",
                   r"AcceleratorError", r"OutOfMemoryError"],
         "torch.Tensor": [r"cuda", r"ipu", r"xpu", r"mtia", r"to_mkldnn", r"record_stream",
                          r"pin_memory", r"is_pinned"],
         "torch.nn": [r"SyncBatchNorm"]}),
    "sparse tensors": (
        "sparse layouts (COO, CSR, CSC, BSR, BSC) and their kernels: only dense tensors exist",
        {"torch": [r"sparse_.*", r"[dh]?smm", r"spmm", r"s?saddmm", r"hspmm",
                   r"(ccol|crow|col|row)_indices_copy", r"indices_copy", r"values_copy",
                   r"resize_as_sparse_"],
         "torch.Tensor": [r"to_sparse.*", r"coalesce", r"is_coalesced", r"indices", r"values",
                          r"(ccol|crow|col|row)_indices", r"sparse_.*", r"dense_dim", r"smm",
                          r"sspaddmm", r"to_dense", r"resize_as_sparse_"],
         "torch.nn.init": [r"sparse_?"],
         "torch.optim": [r"SparseAdam"]}),
    "quantized tensors": (
        "quantized dtypes (qint8, quint8...) and fake quantization",
        {"torch": [r"quantize_.*", r"quantized_.*", r"dequantize", r"q_.*", r"int_repr",
                   r"qscheme", r"fake_quantize_.*", r"fused_moving_avg_obs_fake_quant",
                   r"choose_qparams_optimized", r"empty_quantized", r"Q[A-Za-z0-9]*Storage"],
         "torch.Tensor": [r"q_.*", r"int_repr", r"dequantize", r"qscheme"]}),
    "complex numbers": (
        "complex dtypes are not supported (their ops, conjugate views, and transforms whose "
        "output is complex: fft, eig)",
        {"torch": [r"complex", r"polar", r"view_as_(real|complex)(_copy)?", r"conj.*",
                   r"resolve_conj", r"is_conj", r"imag", r"Complex.*Storage"],
         "torch.Tensor": [r"conj.*", r"resolve_conj", r"is_conj", r"cfloat", r"cdouble",
                          r"chalf"],
         "torch.linalg": [r"eig", r"eigvals"],
         "torch.fft": [r"i?r?fft[2n]?", r"i?hfft[2n]?"]}),
    "distributed": (
        "process groups, DDP, distributed data pipes",
        {"torch": [r"is_distributed"], "torch.Tensor": [r"is_distributed", r"share_memory_",
                                                        r"is_shared"]}),
    "nested tensors": ("jagged/nested layouts", {"torch.Tensor": [r"to_padded_tensor"]}),
    "TorchScript, compiler and C++ binding types": (
        "torch.jit / torch.compile / FX internals and the torch._C classes re-exported at "
        "the top level: there is no graph compiler",
        {"torch": [r"Alias.*", r".*Type", r"Argument(Spec)?", r"Benchmark.*", r"Block",
                   r"CallStack", r"Capsule", r"Code", r"CompilationUnit", r"Complete.*",
                   r"ConcreteModuleType.*", r"DeepCopyMemoTable", r"Deserialization.*",
                   r"Disable.*", r"Dispatch.*", r"ExcludeDispatchKeyGuard", r"ExecutionPlan",
                   r"ErrorReport", r"FatalError", r"FileCheck", r"FunctionSchema", r"Future",
                   r"Gradient", r"Graph.*", r"IODescriptor", r"JITException",
                   r"LiteScriptModule", r".*Logger", r"LoggerBase", r"Node", r"OperatorInfo",
                   r"PyTorchFile.*", r"Script.*", r"Serialization.*", r"StaticModule",
                   r"Sym(Bool|Float|Int)", r"Tag", r"ThroughputBenchmark", r"TracingState",
                   r"Use", r"Value", r"ModuleDict", r"ParameterDict", r"BufferDict",
                   r"AggregationType", r"compile", r"fork", r"wait", r"vmap", r"cond",
                   r"while_loop", r"sym_.*", r"parse_ir", r"parse_schema",
                   r"parse_type_comment", r"import_ir_module.*", r"merge_type_from_type_comment",
                   r"unify_type_list", r"classproperty", r"compiled_with_cxx11_abi",
                   r"get_file_path", r"prepare_multiprocessing_environment",
                   r"autocast_(increment|decrement)_nesting", r"clear_autocast_cache",
                   r"set_autocast_.*", r"is_autocast_(cache|cpu)_enabled",
                   r"get_autocast_cpu_dtype", r"thread_safe_generator"],
         "torch.Tensor": [r"module_load", r"as_subclass", r"reinforce"],
         "torch.nn": [r"factory_kwargs"],
         "torch.nn.functional": [r"handle_torch_function", r"has_torch_function.*",
                                 r"boolean_dispatch", r"assert_int_or_pair"],
         "torch.autograd": [r"handle_torch_function", r"has_torch_function",
                            r"Profiler(Config|Event|State)", r"DeviceType", r"kineto_available",
                            r"is_view_replay_enabled", r"enforce_grad_layout_policy",
                            r"NestedIOFunction", r"is_multithreading_enabled",
                            r"set_multithreading_enabled", r"SavedTensor"],
         "torch.utils.data": [r".*DataPipe", r"DataChunk", r"functional_datapipe",
                              r"argument_validation", r"runtime_validation.*",
                              r"non_deterministic", r"guaranteed_datapipes_determinism"]}),
    "storage, strides and raw memory": (
        "typed/untyped storages, data pointers and stride-level views (as_strided): tensors "
        "are NumPy arrays, whose memory PyTorch's stride API cannot address faithfully",
        {"torch": [r".*Storage", r"StorageBase", r"is_storage", r"as_strided.*",
                   r"empty_strided", r"empty_permuted", r"from_file", r"set_flush_denormal"],
         "torch.Tensor": [r"storage", r"untyped_storage", r"storage_type", r"storage_offset",
                          r"data_ptr", r"const_data_ptr", r"as_strided.*", r"set_",
                          r"is_set_to", r"new_empty_strided", r"dim_order"]}),
    "ATen internals and functionalization variants": (
        "backward kernels, native_* and *_copy functionalization variants PyTorch exposes at "
        "the top level but documents no use of",
        {"torch": [r"batch_norm_(backward_.*|elemt|gather_stats.*|stats|update_stats)",
                   r"native_.*", r".*_copy", r"segment_reduce", r"slice_inverse",
                   r"affine_grid_generator", r"grid_sampler(_[23]d)?", r"conv_tbc",
                   r"constant_pad_nd", r"convolution", r"embedding_renorm_", r"rsub",
                   r"norm_except_dim", r"frobenius_norm", r"nuclear_norm"],
         "torch.Tensor": [r"slice_inverse"],
         "torch.nn.functional": [r"native_channel_shuffle", r"conv_tbc", r"scaled_mm",
                                 r"scaled_grouped_mm", r"grouped_mm", r"ScalingType",
                                 r"SwizzleType"]}),
    "removed from PyTorch": (
        "names that only raise in PyTorch 2 (symeig, eig, lstsq, solve, matrix_rank)",
        {"torch": [r"symeig", r"eig", r"lstsq", r"solve", r"matrix_rank"],
         "torch.Tensor": [r"symeig", r"eig", r"lstsq", r"solve"]}),
}


_IMPORTED = "imported names"


@dataclass
class Row:
    namespace: str
    total: int = 0
    excluded: dict[str, list[str]] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def applicable(self) -> int:
        return len(self.present) + len(self.missing)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.present) / self.applicable if self.applicable else 100.0


def _resolve(root: types.ModuleType, root_name: str, dotted: str) -> object | None:
    obj: object = root
    for part in dotted.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(f"{root_name}.{part}" if obj is root else
                                              f"{obj.__name__}.{part}")  # type: ignore[attr-defined]
            except ImportError:
                return None
    return obj


def public_callables(ns: object) -> tuple[list[str], list[str]]:
    """(the namespace's own public callables, names it merely imports from outside torch)."""
    own, imported = [], []
    for name in dir(ns):
        if name.startswith("_"):
            continue
        try:
            v = getattr(ns, name)
        except Exception:  # noqa: BLE001 - a lazy attribute that fails to load is not API
            continue
        if isinstance(v, types.ModuleType) or not callable(v):
            continue
        mod = getattr(v, "__module__", None) or "torch"
        reexported_tensor = v is getattr(sys.modules.get("torch"), "Tensor", None) and \
            getattr(ns, "__name__", "") != "torch"
        (own if mod.startswith("torch") and not reexported_tensor else imported).append(name)
    return own, imported


def exclusion_family(namespace: str, name: str) -> str | None:
    for family, (_, by_ns) in EXCLUDED.items():
        if any(re.fullmatch(p, name) for p in by_ns.get(namespace, ())):
            return family
    return None


def measure() -> list[Row]:
    import torch

    import autograd_nn

    rows = []
    for ns in NAMESPACES:
        theirs = _resolve(torch, "torch", ns)
        ours = _resolve(autograd_nn, "autograd_nn", ns)
        names, imported = public_callables(theirs)
        row = Row(ns, total=len(names) + len(imported))
        if imported:
            row.excluded[_IMPORTED] = imported
        for name in names:
            fam = exclusion_family(ns, name)
            if fam is not None:
                row.excluded.setdefault(fam, []).append(name)
            elif ours is not None and hasattr(ours, name):
                row.present.append(name)
            else:
                row.missing.append(name)
        rows.append(row)
    return rows


def markdown(rows: list[Row]) -> str:
    import torch

    out = [f"<!-- generated by tools/api_coverage.py against PyTorch {torch.__version__}; "
           f"do not edit by hand -->", "",
           "| namespace | public callables | not applicable | applicable | present here | % |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        n_ex = sum(len(v) for v in r.excluded.values())
        out.append(f"| `{r.namespace}` | {r.total} | {n_ex} | {r.applicable} | "
                   f"{len(r.present)} | {r.percent:.1f} |")
    tot_app = sum(r.applicable for r in rows)
    tot_pre = sum(len(r.present) for r in rows)
    out.append(f"| **all** | {sum(r.total for r in rows)} | "
               f"{sum(sum(len(v) for v in r.excluded.values()) for r in rows)} | {tot_app} | "
               f"{tot_pre} | {100 * tot_pre / tot_app:.1f} |")
    out += ["", "Not applicable (set aside per family; the lists are in `tools/api_coverage.py`):",
            ""]
    for family, (reason, _) in [(_IMPORTED, ("names a namespace imports from typing, "
                                             "functools... or re-exports (`Tensor`)", {}))] + \
            list(EXCLUDED.items()):
        n = sum(len(r.excluded.get(family, ())) for r in rows)
        out.append(f"- {family} ({n}): {reason}.")
    out += ["", "### Missing names", ""]
    for r in rows:
        if r.missing:
            out.append(f"- `{r.namespace}` ({len(r.missing)}): " +
                       ", ".join(f"`{m}`" for m in r.missing))
    return "\n".join(out) + "\n"


def committed_numbers(path: Path = TABLE_PATH) -> dict[str, tuple[int, int]]:
    """namespace -> (applicable, present) from the committed table."""
    res = {}
    for line in path.read_text().splitlines():
        m = re.match(r"\| `([\w.]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", line)
        if m:
            res[m.group(1)] = (int(m.group(4)), int(m.group(5)))
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"rewrite {TABLE_PATH.name}")
    ap.add_argument("--missing", metavar="NAMESPACE", help="print one namespace's missing names")
    args = ap.parse_args(argv)
    rows = measure()
    if args.missing:
        for r in rows:
            if r.namespace == args.missing:
                print("\n".join(r.missing))
        return 0
    text = markdown(rows)
    if args.write:
        TABLE_PATH.parent.mkdir(exist_ok=True)
        TABLE_PATH.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
