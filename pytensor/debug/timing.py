"""``time_call()``: how long a call takes (``:time``), device-honest.

Host time is measured with ``perf_counter`` around a loop of ``number``
calls, repeated ``repeat`` times.  When a GPU is in use the loop is also
bracketed by CUDA events and the device is synchronised before the clock
stops, so asynchronous kernel launches are not mistaken for fast code.
"""
import dataclasses
import statistics
import time

from pytensor.debug._render import fmt_time
from pytensor.debug._result import Result

__all__ = ["Timing", "time_call"]


@dataclasses.dataclass
class Timing(Result):
    """Per-call times in seconds: host mean and standard deviation over the
    repeats, device mean/std when measured with CUDA events."""
    label: str
    host_mean: float
    host_std: float
    number: int
    repeat: int
    device: str = None
    device_mean: float = None
    device_std: float = None
    synced: bool = False
    hidden: bool = False

    def render(self, width=None, color=False):
        if self.hidden:
            return (f"{self.label}  host (hidden: :set times on)  ·  "
                    f"n={self.number} r={self.repeat}")
        s = (f"{self.label}  host {fmt_time(self.host_mean)} ± "
             f"{fmt_time(self.host_std)}")
        if self.device_mean is not None:
            s += (f"  ·  {self.device} {fmt_time(self.device_mean)} ± "
                  f"{fmt_time(self.device_std)} (events, synced)")
        elif self.synced:
            s += " (device synced)"
        return s + f"  ·  n={self.number} r={self.repeat}"


def _cuda_in_use():
    try:
        from pytensor import cuda
        return cuda.is_available()
    except Exception:
        return False


def time_call(fn, number=None, repeat=5, label="", timer=time.perf_counter,
              sync=None, events=None):
    """Time ``fn()``.

    Args:
        fn: the call.
        number (int): calls per repeat (default: enough for ~0.2 s).
        repeat (int): repeats.
        label (str): shown in the result.
        timer: the clock (injectable for tests).
        sync: a function that waits for the device (default:
            ``pytensor.cuda.synchronize`` when a GPU is available).
        events: a factory of ``(start, stop)`` event pairs with
            ``record()`` and ``stop.elapsed_since(start)`` seconds (default:
            CuPy CUDA events when a GPU is available).

    Returns:
        Timing

    Example:
        >>> from pytensor.debug import time_call
        >>> t = time_call(lambda: sum(range(10)), number=10, repeat=3)
        >>> t.number, t.repeat
        (10, 3)
    """
    gpu = _cuda_in_use()
    if sync is None and gpu:
        from pytensor import cuda
        sync = cuda.synchronize
    if events is None and gpu:
        events = _cupy_events
    if number is None:
        number = 1
        while True:
            t0 = timer()
            for _ in range(number):
                fn()
            if sync:
                sync()
            dt = timer() - t0
            if dt >= 0.2 or number >= 10 ** 6:
                break
            number *= 10 if dt < 0.02 else 2
    host = []
    dev = []
    for _ in range(repeat):
        if sync:
            sync()
        ev = events() if events else None
        if ev:
            ev[0].record()
        t0 = timer()
        for _ in range(number):
            fn()
        if ev:
            ev[1].record()
        if sync:
            sync()
        host.append((timer() - t0) / number)
        if ev:
            dev.append(ev[1].elapsed_since(ev[0]) / number)
    res = Timing(label, statistics.fmean(host),
                 statistics.pstdev(host) if len(host) > 1 else 0.0,
                 number, repeat, synced=bool(sync))
    if dev:
        res.device = "device"
        if gpu:
            from pytensor import cuda
            res.device = f"cuda:{cuda.current_device()}"
        res.device_mean = statistics.fmean(dev)
        res.device_std = statistics.pstdev(dev) if len(dev) > 1 else 0.0
    return res


class _Event:
    def __init__(self):
        import cupy
        self.e = cupy.cuda.Event()

    def record(self):
        self.e.record()

    def elapsed_since(self, start):
        import cupy
        self.e.synchronize()
        return cupy.cuda.get_elapsed_time(start.e, self.e) / 1e3


def _cupy_events():
    return _Event(), _Event()
