"""``pytensor.nn.functional`` (``F``): stateless versions of the layers and
the losses, with PyTorch's names and signatures.

Every module in this package that does not start with ``_`` is imported and
its ``__all__`` re-exported, so a new op file needs no registration here.
The activations are the ops of ``pytensor.ops`` (``relu``, ``gelu``,
``softmax``, ...), re-exported under the same names; they are resolved on
first use.
"""
from pytensor.ops._registry import load_family as _load_family

__all__ = _load_family(__name__, __path__, globals())

# Activations live in pytensor.ops (with PyTorch's functional signatures);
# F re-exports them lazily so this package imports even before an op exists.
_FROM_OPS = (
    "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu",
    "leaky_relu_", "threshold", "threshold_", "elu", "elu_", "selu", "selu_",
    "celu", "celu_", "gelu", "hardsigmoid", "hardswish", "silu", "mish",
    "softplus", "logsigmoid", "softsign", "tanhshrink", "sigmoid", "tanh",
    "one_hot",
)
__all__ += list(_FROM_OPS)


def __getattr__(name):
    if name in _FROM_OPS:
        from pytensor import ops
        try:
            fn = getattr(ops, name)
        except AttributeError:
            raise AttributeError(
                f"pytensor.nn.functional.{name}: the op pytensor.{name} is "
                "not available in this build") from None
        globals()[name] = fn
        return fn
    raise AttributeError(
        f"module 'pytensor.nn.functional' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_OPS))
