"""Every op-table row of ``tests/ops``, for running the same tables on a GPU
(``tests/gpu/test_gpu_ops.py``) and on the fake GPU
(``tests/core/test_device_ops.py``).  New tables are picked up without
registration: any module-level list of ``OpCase`` rows in a
``tests/ops/test_*.py`` or ``tests/nn/test_*.py`` module."""
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
    # Data-dependent output shapes: the count is read back, as in PyTorch.
    "nonzero.py (forward)": "nonzero/argwhere: the output size is the "
                            "number of non-zeros",
    "_key.py (lin)": "boolean-mask indexing: the selected count",
    "_key.py (gather)": "boolean-mask indexing: the selected count",
    "_key.py (make_plan)": "boolean masks among several indices: nonzero",
    # Index validation and host index data.
    "_check.py (min_max)": "index bounds are checked on the host, one "
                           "read-back (PyTorch asserts on the device; CuPy "
                           "would wrap out-of-range indices silently)",
    "scatter.py (_check_bounds)": "pytensor_ext.gpu's index_add and "
                                  "scatter_add check their indices before "
                                  "launching (an out-of-range write on a "
                                  "GPU corrupts memory)",
    "reference.py (_check_index)": "the reference kernels (the fake GPU's "
                                   "stand-in for pytensor_ext.gpu) check "
                                   "indices as scatter.py does",
    "narrow.py (narrow)": "a 0-d tensor start is read as an int, as "
                          "PyTorch does",
    "_key.py (parse_key)": "a 0-d integer tensor index is read as an int, "
                           "as PyTorch does (.item())",
    "_key.py (index_array)": "a Python list or NumPy array index is host "
                             "data: it is copied to the device, as in "
                             "PyTorch",
    "cross_entropy.py (_check_indices)":
        "class-index targets are bounds-checked on the host, one read-back "
        "(PyTorch asserts on the device)",
    "binary_cross_entropy.py (binary_cross_entropy)":
        "the input range [0, 1] is checked on the host (PyTorch asserts on "
        "the device)",
    "masked_scatter": "counts the mask's True entries (data-dependent)",
    "set_mask": "x[mask] = v: boolean-mask indexing (nonzero), as PyTorch",
    "set_mask_tensor_value": "as set_mask",
}


def inherent(case_name, where):
    """Why a host round trip at ``where`` (``"file.py:12 (function)"``) in
    row ``case_name`` is allowed, or None."""
    if case_name in HOST_TRAFFIC:
        return HOST_TRAFFIC[case_name]
    if where.startswith("test_"):
        return "the row's own host data (built in the test, not by the op)"
    return HOST_TRAFFIC.get(re.sub(r":\d+ ", " ", where))


def all_op_cases():
    """``[(module name, OpCase), ...]`` in module order, each row once: the
    rows of every module-level list of ``OpCase`` in ``tests/ops/test_*``
    and ``tests/nn/test_*`` (``CASES``, ``GETITEM``, ``KINKS`` ...; tables
    need no registration)."""
    import tests.nn
    import tests.ops
    out, seen = [], set()
    mods = [(pkg.__name__, info.name) for pkg in (tests.ops, tests.nn)
            for info in sorted(pkgutil.iter_modules(pkg.__path__),
                               key=lambda i: i.name)
            if info.name.startswith("test_")]
    for pkg, name in mods:
        mod = importlib.import_module(f"{pkg}.{name}")
        for attr in sorted(vars(mod)):
            rows = getattr(mod, attr)
            if not (isinstance(rows, (list, tuple)) and rows and all(
                    isinstance(c, OpCase) for c in rows)):
                continue
            for c in rows:
                if id(c) not in seen:
                    seen.add(id(c))
                    out.append((name, c))
    return out
