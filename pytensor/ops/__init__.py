"""Differentiable ops, one family per package and (mostly) one op per file.

Importing this package binds every op's Tensor methods; the families'
public functions are re-exported flat from ``pytensor``.
"""
import importlib as _importlib

FAMILIES = ("convert", "arith", "unary", "activation", "compare", "reduce",
            "linalg", "shape", "index", "nn")

__all__ = []
for _f in FAMILIES:
    _mod = _importlib.import_module(f"{__name__}.{_f}")
    for _n in _mod.__all__:
        globals()[_n] = getattr(_mod, _n)
    __all__ += _mod.__all__
