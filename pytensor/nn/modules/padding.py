"""Padding layers over :func:`~pytensor.nn.functional.pad`:
``ConstantPad1d/2d/3d``, ``ZeroPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d``."""
from pytensor.nn import functional as F
from pytensor.nn.module import Module

_KINDS = ("Constant", "Zero", "Reflection", "Replication", "Circular")
__all__ = [f"{kind}Pad{n}d" for kind in _KINDS for n in (1, 2, 3)]


def _ntuple(padding, n):
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a {2 * n}-tuple, got "
                         f"{padding}")
    return padding


class _PadNd(Module):
    mode = "constant"
    ndims = 1
    __constants__ = ["padding"]

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self.ndims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


def _make(kind, base, mode, n):
    doc = (f"Pad the last {n} dim(s) ({mode} mode); ``padding`` is an int "
           f"or a {2 * n}-tuple ``(left, right"
           f"{', top, bottom' if n > 1 else ''}"
           f"{', front, back' if n > 2 else ''})``.")
    cls = type(f"{kind}Pad{n}d", (base,), {"mode": mode, "ndims": n,
                                           "__doc__": doc,
                                           "__module__": __name__})
    return cls


for _n in (1, 2, 3):
    for _kind, _base, _mode in (("Constant", _ConstantPadNd, "constant"),
                                ("Zero", _ZeroPadNd, "constant"),
                                ("Reflection", _PadNd, "reflect"),
                                ("Replication", _PadNd, "replicate"),
                                ("Circular", _PadNd, "circular")):
        globals()[f"{_kind}Pad{_n}d"] = _make(_kind, _base, _mode, _n)
