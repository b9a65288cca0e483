"""``pytensor.nn``: modules, parameters, layers, losses, initialisation.

Mirrors ``torch.nn``: ``nn.Module``, ``nn.Parameter``, the layers and
containers (``nn.Linear``, ``nn.Sequential``, ...), ``nn.functional`` (as
``F``), ``nn.init`` and ``nn.utils``.
"""
from pytensor.nn.parameter import Buffer, Parameter       # noqa: F401
from pytensor.nn.module import Module                     # noqa: F401
from pytensor.nn import functional, init                  # noqa: F401
from pytensor.nn.modules import *                         # noqa: F401,F403
from pytensor.nn.modules import __all__ as _modules_all
from pytensor.nn import utils                             # noqa: F401

__all__ = ["Module", "Parameter", "Buffer", "functional", "init",
           "utils"] + list(_modules_all)

# Layer constructors report bad arguments named after the layer
# ("ZeroPad2d(): padding must be ..."), see pytensor/_errors.py.
from pytensor._errors import wrap_classes as _wrap_classes  # noqa: E402

_wrap_classes(globals(), ["Module"] + list(_modules_all))
