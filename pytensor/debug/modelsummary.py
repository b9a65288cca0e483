"""``model_summary()``: a module table with shapes, parameter counts,
trainable counts, train/eval mode and gradient presence (``:summary``).

With an input it runs one forward to record each module's input and output
shapes, under ``no_grad`` and with the state snapshotted and restored
(parameters, buffers such as BatchNorm statistics, and every RNG), so the
summary never changes the model: the result says whether the checksum
after equals the one before.
"""
import dataclasses

from pytensor.debug._render import fmt_bytes, fmt_shape, Table
from pytensor.debug._result import Result
from pytensor.debug.names import Namer, is_module

__all__ = ["ModuleRow", "ModelSummary", "model_summary"]


@dataclasses.dataclass
class ModuleRow:
    """One module: path and tree prefix, type, shapes, parameter counts
    (its own; the root counts all; a nested container shows the count
    below it in parentheses), mode (``train``/``eval``) and grads (``✓``
    all, ``-`` none, ``k/n``)."""
    path: str
    prefix: str
    type: str
    depth: int
    in_shape: str = "-"
    out_shape: str = "-"
    params: int = 0
    trainable: int = 0
    mode: str = "train"
    grads: str = ""
    subtotal: int = None        # a container: the parameters below it


@dataclasses.dataclass
class ModelSummary(Result):
    """Rows of :func:`model_summary` and totals."""
    name: str
    rows: list
    total_params: int
    trainable_params: int
    param_bytes: int
    activation_bytes: int = None
    ran: bool = False
    restored: bool = None

    def render(self, width=None, color=False):
        t = Table([("module", {"flex": 2, "min": 10}), "type",
                   ("in", {"drop": 2}), "out",
                   ("params", {"align": ">"}),
                   ("trainable", {"align": ">", "drop": 3}),
                   ("mode", {"drop": 4}), ("grads", {"drop": 1})])
        for r in self.rows:
            if r.params:
                params, train = f"{r.params:,}", f"{r.trainable:,}"
            elif r.subtotal:
                params, train = f"({r.subtotal:,})", "-"
            else:
                params = train = "-"
            t.add([r.prefix + r.path, r.type, r.in_shape, r.out_shape,
                   params, train, r.mode, r.grads])
        foot = (f"params {self.total_params:,} ({fmt_bytes(self.param_bytes)})"
                f" · trainable {self.trainable_params:,}")
        if self.ran:
            if self.activation_bytes is not None:
                foot += f" · activations {fmt_bytes(self.activation_bytes)}"
            foot += " · ran without grad, state restored"
            foot += " (checksum equal)" if self.restored else \
                " (CHECKSUM DIFFERS)"
        return t.render(width, color) + "\n" + foot


def _shape_of(x):
    from pytensor.tensor import Tensor
    if isinstance(x, Tensor):
        return fmt_shape(x.shape)
    if isinstance(x, (tuple, list)):
        parts = [_shape_of(e) for e in x]
        parts = [p for p in parts if p != "-"]
        return ", ".join(parts) if parts else "-"
    return "-"


def _nbytes(x):
    from pytensor.tensor import Tensor
    if isinstance(x, Tensor):
        return int(x._data.nbytes)
    if isinstance(x, (tuple, list)):
        return sum(_nbytes(e) for e in x)
    return 0


def model_summary(model, input=None, namespace=None, depth=None):
    """Describe ``model`` module by module.

    Args:
        model: a ``pytensor.nn.Module``.
        input: None (no shapes), a Tensor, a tuple of Tensors, or a shape
            such as ``(16, 4)`` (a standard-normal batch is drawn; the RNG
            is restored afterwards).
        namespace (dict): for the model's name.
        depth (int): deepest level shown (None: all).

    Returns:
        ModelSummary
    """
    import pytensor
    from pytensor.debug.state import run_readonly
    from pytensor.tensor import Tensor
    if not is_module(model):
        raise TypeError(f"summary: expected a module, got "
                        f"{type(model).__name__}")
    namer = Namer(namespace or {})
    name = namer.module_name(model) or type(model).__name__
    shapes = {}
    acts = [0]
    ran = False
    restored = None
    if input is not None:
        ns = dict(namespace or {})
        ns.setdefault("__summary_model__", model)

        def forward():
            x = input
            if isinstance(x, (tuple, list)) and x and all(
                    isinstance(d, int) for d in x):
                dtype = None
                try:
                    p = next(iter(model.parameters()))
                    dtype = p.dtype
                except StopIteration:
                    pass
                x = pytensor.randn(*x, dtype=dtype)
            args = x if isinstance(x, tuple) and x and isinstance(
                x[0], Tensor) else (x,)
            handles = []

            def hook(m, a, out):
                shapes[id(m)] = (_shape_of(a), _shape_of(out))
                acts[0] += _nbytes(out)
            for _, m in model.named_modules():
                handles.append(m.register_forward_hook(hook))
            try:
                with pytensor.no_grad():
                    return model(*args)
            finally:
                for h in handles:
                    h.remove()
        _, restored = run_readonly(forward, ns, retain_graphs=False)
        ran = True
    rows = []
    total = trainable = nbytes = 0
    seen = set()
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p._data.size
        nbytes += p._data.nbytes
        if p._requires_grad:
            trainable += p._data.size

    def walk(m, path, prefix_parts, level):
        if depth is not None and level > depth:
            return
        own = [p for _, p in m.named_parameters(recurse=False)] \
            if _has_recurse(m) else []
        kids = list(m.named_children()) if hasattr(m, "named_children") \
            else []
        subtotal = None
        if kids and level == 0:
            ps = [p for p in m.parameters()]
        else:
            ps = own if kids else list(m.parameters())
            if kids and not own:
                subtotal = sum(p._data.size for p in m.parameters())
        n = sum(p._data.size for p in ps)
        tr = sum(p._data.size for p in ps if p._requires_grad)
        if ps:
            have = sum(1 for p in ps if p._grad is not None)
            grads = "✓" if have == len(ps) else ("-" if have == 0 else
                                                 f"{have}/{len(ps)}")
        else:
            grads = ""
        ins, outs = shapes.get(id(m), ("-", "-"))
        prefix = "".join(prefix_parts)
        rows.append(ModuleRow(path, prefix, type(m).__name__, level, ins,
                              outs, n, tr,
                              "train" if getattr(m, "training", True)
                              else "eval", grads, subtotal))
        for i, (cname, c) in enumerate(kids):
            last = i == len(kids) - 1
            parts = [p.replace("├ ", "│ ").replace("└ ", "  ")
                     for p in prefix_parts]
            walk(c, cname, parts + ["└ " if last else "├ "], level + 1)
    walk(model, name, [], 0)
    return ModelSummary(name, rows, total, trainable, nbytes,
                        acts[0] if ran else None, ran, restored)


def _has_recurse(m):
    import inspect
    try:
        return "recurse" in inspect.signature(m.named_parameters).parameters
    except (TypeError, ValueError):
        return False
