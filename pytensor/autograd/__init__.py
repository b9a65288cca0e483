"""Autograd: ``Function``, ``backward``, ``grad``, grad modes, the tape,
hooks and gradient checking."""
from pytensor.autograd.function import Function, once_differentiable
from pytensor.autograd.engine import backward, grad
from pytensor.autograd.grad_mode import (
    no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
    is_inference_mode_enabled)
from pytensor.autograd.gradcheck import (
    gradcheck, gradgradcheck, GradcheckError)
from pytensor.autograd import tape, hooks, functional

__all__ = ["Function", "once_differentiable", "backward", "grad", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "gradcheck",
           "gradgradcheck", "GradcheckError", "tape", "hooks", "functional"]
