"""An optional progress bar for loops over data: :func:`progress`."""
import os
import sys

__all__ = ["progress"]


def _interactive(file):
    if "ipykernel" in sys.modules:          # a notebook: tqdm draws a widget
        return True
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):           # closed or detached stream
        return False


def progress(iterable, desc=None, total=None, disable=None, leave=True,
             file=None, **kwargs):
    """Wrap ``iterable`` in a tqdm progress bar when it would be seen.

    The bar is drawn only on a terminal (or in a notebook): when ``file``
    (default ``sys.stderr``) is not a TTY -- a log file, CI, a pipe -- the
    iterable is returned unchanged, so logs stay clean.  The environment
    variable ``PYTENSOR_PROGRESS=0`` (or ``1``) forces it off (or on).

    Args:
        iterable: what to iterate over (a DataLoader, a range, ...).
        desc (str): a label shown before the bar.
        total (int): the number of items (default ``len(iterable)``).
        disable (bool): True: never draw; False: always draw; None: decide
            as above.
        leave (bool): keep the finished bar on screen.
        file: the stream to draw on (default ``sys.stderr``).
        **kwargs: passed to ``tqdm.tqdm``.

    Returns:
        A tqdm iterator, or ``iterable`` itself when disabled (or when tqdm
        is not installed).

    Example:
        >>> from pytensor.data import progress
        >>> items = [1, 2, 3]
        >>> progress(items, disable=True) is items
        True
        >>> sum(progress(items, desc="sum"))   # no TTY under doctest: silent
        6
    """
    stream = file if file is not None else sys.stderr
    if disable is None:
        env = os.environ.get("PYTENSOR_PROGRESS")
        if env in ("0", "1"):
            disable = env == "0"
        else:
            disable = not _interactive(stream)
    if disable:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=leave, file=stream,
                **kwargs)
