"""pytensor: a define-by-run deep-learning framework with a tape you can see.

The flat API mirrors PyTorch's::

    import pytensor
    x = pytensor.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad
"""
import warnings as _warnings

# First, before NumPy and the OpenMP kernels load: idle thread pools sleep
# instead of spinning on cores the next op needs (why: pytensor/_threads.py).
from pytensor import _threads as _threads

_threads.tune()

from pytensor import _compiled as _compiled_guard

_compiled_guard.install_guard()     # never run a stale compiled module

from pytensor import _malloc as _malloc

_malloc.tune()      # large blocks stay in the heap between steps (why: there)

# IEEE semantics, as in PyTorch: 1/0 is inf and log(-1) NaN, silently.
# Only warnings raised from pytensor's own frames are silenced.
_warnings.filterwarnings("ignore", category=RuntimeWarning,
                         module=r"pytensor(_ext)?(\.|$)")

# The flat namespace: re-exports after the setup above (so setup.cfg
# ignores E402/F401/F403 in this file).
from pytensor import dtypes as _dtype_mod
from pytensor.dtypes import (
    dtype, float16, float32, float64, int8, int16, int32, int64, uint8,
    half, double, long, short, get_default_dtype, set_default_dtype,
    promote_types, result_type, can_cast)
from pytensor.backend import device, Device
from pytensor.tensor import Tensor
from pytensor.creation import *
from pytensor.random import *
from pytensor.random import Generator
from pytensor.autograd import (
    no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
    is_inference_mode_enabled)
from pytensor.ops import *
from pytensor import autograd, cuda, debug, ops
from pytensor._format import set_printoptions
from pytensor import creation as _creation, random as _random
from pytensor._errors import wrap_namespace as _wrap_namespace

# Factories report bad arguments in the ops' convention (see _errors.py).
_wrap_namespace(globals(), _creation.__all__ + _random.__all__ + [
    "promote_types", "result_type", "can_cast"])

bool = _dtype_mod.bool_     # pytensor.bool, like torch.bool
float = _dtype_mod.float32  # noqa: A001  (torch.float is float32)
int = _dtype_mod.int32      # noqa: A001  (torch.int is int32)

__version__ = "0.1.0"


def is_tensor(obj):
    """True if ``obj`` is a pytensor Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


_wrap_namespace(globals(), ["numel"])


def __getattr__(name):
    # Subpackages that are heavier or optional load on first use.
    import importlib
    if name in ("nn", "optim", "data", "utils", "serialization"):
        mod = importlib.import_module(f"pytensor.{name}")
        globals()[name] = mod
        return mod
    if name in ("save", "load"):
        from pytensor import serialization
        return getattr(serialization, name)
    if name == "from_dlpack":
        from pytensor.interop import from_dlpack
        return from_dlpack
    raise AttributeError(f"module 'pytensor' has no attribute {name!r}")
