"""Binary arithmetic on the GPU: CuPy's own elementwise ufuncs already run
as single fused launches, so these are thin aliases with the kernel API's
names (see ``cpu/_arith.pyx`` for why the CPU has its own)."""

__all__ = ["add_fwd", "sub_fwd", "mul_fwd", "div_fwd"]


def add_fwd(a, b):
    """``a + b`` (CuPy arrays and/or Python numbers)."""
    return a + b


def sub_fwd(a, b):
    """``a - b``."""
    return a - b


def mul_fwd(a, b):
    """``a * b``."""
    return a * b


def div_fwd(a, b):
    """``a / b``."""
    return a / b
