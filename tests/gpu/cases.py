"""Every op-table row of ``tests/ops``, for running the same tables on a GPU
(``tests/gpu/test_gpu_ops.py``) and on the fake GPU
(``tests/core/test_device_ops.py``).  New tables are picked up without
registration: any module-level list named ``*CASES`` of ``OpCase`` rows in
a ``tests/ops/test_*.py`` module."""
import importlib
import pkgutil
import re

from tests.parity import OpCase

# Host round trips that are inherent (a data-dependent output shape, or a
# choice PyTorch also makes with a synchronisation), with the reason, keyed
# by table row name or by the op code's site ``"file.py (function)"``.
# Every other op must keep its data on the device: no ``.item()``,
# ``bool(array)``, ``.get()``, Python iteration or boolean-mask indexing of
# device data, and no host-to-device copies.  Checked on the fake GPU
# (tests/core/test_device_ops.py) and, with CuPy's sync detector, on a
# real one (tests/gpu/test_gpu_ops.py).
HOST_TRAFFIC = {
    "prod.py (backward)": "PyTorch's prod backward also reads back whether "
                          "the input has zeros (nonzero) to pick a formula",
    "prod.py (backward_arrays)": "as prod.py (backward)",
    "cumulative.py (backward)": "PyTorch's cumprod backward also reads back "
                                "whether the input has zeros (.item())",
}


def inherent(case_name, where):
    """Why a host round trip at ``where`` (``"file.py:12 (function)"``) in
    row ``case_name`` is allowed, or None."""
    if case_name in HOST_TRAFFIC:
        return HOST_TRAFFIC[case_name]
    return HOST_TRAFFIC.get(re.sub(r":\d+ ", " ", where))


def all_op_cases():
    """``[(module name, OpCase), ...]`` in module order, each row once."""
    import tests.ops
    out, seen = [], set()
    for info in sorted(pkgutil.iter_modules(tests.ops.__path__),
                       key=lambda i: i.name):
        if not info.name.startswith("test_"):
            continue
        mod = importlib.import_module(f"tests.ops.{info.name}")
        for attr in sorted(vars(mod)):
            rows = getattr(mod, attr)
            if not (attr.isupper() and attr.endswith("CASES")
                    and isinstance(rows, (list, tuple))):
                continue
            for c in rows:
                if isinstance(c, OpCase) and id(c) not in seen:
                    seen.add(id(c))
                    out.append((info.name, c))
    return out
