"""``pytensor.optim``: optimizers and learning-rate schedulers with
PyTorch 2.13's API, update formulas and state-dict layout.

The update of each parameter runs in one fused kernel
(``pytensor_ext``: Cython on the CPU, CuPy on a GPU) that evaluates
PyTorch's single-tensor formulas in the same order of operations.
"""
from pytensor.optim.optimizer import Optimizer
from pytensor.optim.sgd import SGD
from pytensor.optim.adam import Adam
from pytensor.optim.adamw import AdamW
from pytensor.optim.rmsprop import RMSprop
from pytensor.optim.adagrad import Adagrad
from pytensor.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
           "lr_scheduler"]

# Constructors report bad arguments named after the class ("SGD(): Invalid
# learning rate: -1"), see pytensor/_errors.py.
from pytensor._errors import wrap_classes as _wrap_classes  # noqa: E402

_wrap_classes(globals(), __all__)
_wrap_classes(vars(lr_scheduler), lr_scheduler.__all__)
