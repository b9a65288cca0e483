"""``record()``: turn the tape on for a block (or for good)."""
import contextlib

from pytensor.autograd.tape import tape

__all__ = ["record", "tape"]


@contextlib.contextmanager
def record(source=True, timing=False, clear=False):
    """Record every op run inside the block on the tape.

    Args:
        source (bool): capture each op's user source line.
        timing (bool): time each op's forward.
        clear (bool): empty the tape first and number the records from #1
            again.

    Yields:
        The :class:`~pytensor.autograd.tape.Tape`.

    Example:
        >>> import pytensor
        >>> x = pytensor.ones(3, requires_grad=True)
        >>> with pytensor.debug.record(clear=True) as t:
        ...     y = (x * 2).sum()
        >>> [r.op for r in t.records]
        ['mul', 'sum']
    """
    prev = (tape.source, tape.timing)
    tape.source, tape.timing = source, timing
    if clear:
        tape.reset()
    tape.start()
    try:
        yield tape
    finally:
        tape.stop()
        tape.source, tape.timing = prev
