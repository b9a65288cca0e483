"""Grad mode: whether ops record the graph.

``state.enabled`` is read by ``Function.apply`` on every op, so it is a plain
attribute of a module-level object (one attribute load) rather than a
thread-local.  pytensor's grad mode is therefore process-wide: entering
``no_grad`` in one thread disables recording in all threads.
"""
import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self):
        self.enabled = True
        self.inference = False


state = _State()


def is_grad_enabled():
    """True when new ops record the autograd graph."""
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _GradModeContext:
    """Base of the grad-mode context managers; each is also a decorator."""

    _target = True

    def __enter__(self):
        self._prev = (state.enabled, state.inference)
        state.enabled = self._target
        return self

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._clone():
                return fn(*args, **kwargs)
        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Context manager and decorator that disables graph recording.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(2, requires_grad=True)
        >>> with pytensor.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _target = False

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self if orig_func is None else self(orig_func)


class enable_grad(_GradModeContext):
    """Context manager and decorator that enables graph recording inside a
    ``no_grad`` block."""

    _target = True

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self if orig_func is None else self(orig_func)


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: at once when called, restored at the end of
    a ``with`` block when used as a context manager.

    Args:
        mode (bool): record the graph or not.
    """

    def __init__(self, mode):
        self._target = bool(mode)
        self._prev = (state.enabled, state.inference)
        state.enabled = self._target

    def __enter__(self):
        return self

    def _clone(self):
        clone = set_grad_enabled.__new__(set_grad_enabled)
        clone._target = self._target
        clone._prev = None
        return clone

    def __call__(self, fn):
        mode = self._target
        state.enabled = self._prev[0]   # decorating must not change the mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = (state.enabled, state.inference)
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled, state.inference = prev
        return wrapper


class inference_mode(_GradModeContext):
    """Like ``no_grad``, and marks the region as inference-only
    (``pytensor.is_inference_mode_enabled()`` is True inside).

    Args:
        mode (bool): True to enable inference mode (the default).
    """

    def __init__(self, mode=True):
        if callable(mode):       # used as a bare decorator: @inference_mode
            raise TypeError("use @inference_mode() with parentheses")
        self._mode = bool(mode)

    def __enter__(self):
        self._prev = (state.enabled, state.inference)
        if self._mode:
            state.enabled = False
            state.inference = True
        else:
            state.inference = False
        return self

    def _clone(self):
        return inference_mode(self._mode)
