"""Random number generation: ``Generator``, ``manual_seed`` and the random
factories (``rand randn randint randperm normal`` and ``*_like``).

The CPU generator is NumPy's PCG64.  CUDA tensors draw on the GPU from
CuPy's generator (XORWOW), one default generator per device
(``pytensor.cuda.default_generator``), seeded by ``pytensor.manual_seed`` /
``pytensor.cuda.manual_seed``: samples never travel from the host.  Streams
are reproducible within pytensor for a given seed and device type, not
bit-identical to PyTorch's, and a CUDA stream differs from the CPU stream of
the same seed (as in PyTorch).
"""
import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor.creation import _finish, _resolve, _shape_arg
from pytensor.tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator", "rand", "randn", "randint",
           "randperm", "normal", "rand_like", "randn_like", "randint_like",
           "bernoulli", "multinomial"]


class Generator:
    """A random stream.

    Args:
        device: the device the stream draws for (``"cpu"`` or ``"cuda"``).

    Example:
        >>> import pytensor
        >>> g = pytensor.Generator().manual_seed(0)
        >>> a = pytensor.rand(3, generator=g)
        >>> g.manual_seed(0)
        <pytensor.Generator seed=0 device=cpu>
        >>> bool((pytensor.rand(3, generator=g) == a).all())
        True
    """

    def __init__(self, device="cpu"):
        d = _backend.Device(device)
        if d.type == "cuda" and d.index is None and \
                _backend.cuda_available():
            d = _backend.resolve_device(d)      # the current device, now
        self.device = d
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._np = np.random.Generator(np.random.PCG64(self._seed))
        self._cp = {}           # CUDA ordinal -> cupy.random.Generator

    def manual_seed(self, seed):
        """Reset the stream to ``seed``; returns the generator."""
        seed = int(seed)
        if seed < 0:
            seed += 2 ** 64
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        self._cp = {}
        return self

    def seed(self):
        """Re-seed from OS entropy; returns the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream state, as a uint8 tensor (restorable bit for bit).

        CPU generators only: CuPy keeps a CUDA stream's state on the device
        in a form it does not export; re-seed with ``manual_seed`` instead.
        """
        self._cpu_only("get_state")
        import json
        st = json.dumps(self._np.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(st, dtype=np.uint8).copy())

    def set_state(self, state):
        self._cpu_only("set_state")
        import json
        arr = state._data if isinstance(state, Tensor) else np.asarray(state)
        arr = _backend.as_host(arr)
        self._np.bit_generator.state = json.loads(bytes(arr.astype(np.uint8)))
        return self

    def _cpu_only(self, what):
        if self.device.type != "cpu":
            raise NotImplementedError(
                f"Generator.{what}: the state of a CUDA generator cannot be "
                "saved or restored; re-seed it with manual_seed(seed)")

    def numpy_generator(self):
        return self._np

    def cupy_generator(self, dev):
        """The CuPy generator drawing on CUDA device ``dev`` (created, from
        this generator's seed, on first use)."""
        g = self._cp.get(dev.index)
        if g is None:
            cp = _backend.cupy_or_none()
            with cp.cuda.Device(dev.index):
                g = self._cp[dev.index] = cp.random.default_rng(self._seed)
        return g

    def __repr__(self):
        return f"<pytensor.Generator seed={self._seed} device={self.device}>"


default_generator = Generator()


def manual_seed(seed):
    """Seed the default CPU generator (and CUDA's, when available)."""
    default_generator.manual_seed(seed)
    np.random.seed(int(seed) % (2 ** 32))
    try:
        from pytensor import cuda
        if cuda.is_available():
            cuda.manual_seed_all(seed)
    except ImportError:
        pass
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _draw(dev, generator, fn_np, fn_cp=None):
    """Draw with NumPy on the CPU, or with CuPy on the GPU ``dev`` (its
    default generator, or ``generator``, whose device type must match)."""
    if generator is not None and generator.device.type != dev.type:
        raise RuntimeError(
            f"Expected a '{dev.type}' device type for generator but found "
            f"'{generator.device.type}'")
    if dev.type == "cpu":
        return fn_np((generator or default_generator)._np)
    from pytensor import cuda
    g = generator if generator is not None else cuda.default_generator(dev)
    with _backend.cupy_or_none().cuda.Device(dev.index):
        return (fn_cp or fn_np)(g.cupy_generator(dev))


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    npd, dev = _resolve(dtype, device)
    _float_only("rand", npd)
    shape = _shape_arg(size, "rand")
    arr = _draw(dev, generator, lambda g: g.random(shape, dtype=np.float64
                                                   if npd == np.float64 else
                                                   np.float32).astype(npd))
    return _finish(arr, requires_grad)


def randn(*size, generator=None, dtype=None, device=None,
          requires_grad=False):
    """Standard normal samples."""
    npd, dev = _resolve(dtype, device)
    _float_only("randn", npd)
    shape = _shape_arg(size, "randn")
    arr = _draw(dev, generator, lambda g: g.standard_normal(
        shape, dtype=np.float64 if npd == np.float64 else np.float32
    ).astype(npd))
    return _finish(arr, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None,
            device=None, requires_grad=False):
    """Integers uniform on [low, high).  ``randint(high, size)`` and
    ``randint(low, high, size)`` as in PyTorch."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint: size (a tuple) is required")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, "
                           f"high={high}")
    npd, dev = _resolve(dtype, device, default=_dt.int64)
    shape = _shape_arg((tuple(size),), "randint")
    arr = _draw(dev, generator,
                lambda g: g.integers(low, high, shape).astype(npd))
    return _finish(arr, requires_grad)


def randperm(n, generator=None, dtype=None, device=None,
             requires_grad=False):
    """A random permutation of ``0..n-1``."""
    npd, dev = _resolve(dtype, device, default=_dt.int64)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    # CuPy's generator has no permutation(): argsort of uniform keys is a
    # uniform permutation (float64 keys tie with negligible probability).
    arr = _draw(dev, generator, lambda g: g.permutation(n).astype(npd),
                lambda g: g.random(n, dtype=np.float64).argsort().astype(npd))
    return _finish(arr, requires_grad)


def _check_std(std):
    # "not >=" also rejects NaN, as PyTorch does.
    if isinstance(std, Tensor):
        a = std._data
        if not a.size:
            return
        # (on a GPU this reads one flag back, as PyTorch's check does)
        guard = _backend.device_guard(a)
        if guard is None:
            ok = bool((a >= 0).all())
        else:
            with guard:
                ok = bool((a >= 0).all())
        if not ok:
            raise RuntimeError("normal: expects all elements of std >= 0.0")
    elif not std >= 0:
        raise RuntimeError(
            f"normal: expects std >= 0.0, but found std {std}")


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None,
           device=None, requires_grad=False):
    """Normal samples; ``mean``/``std`` may be numbers or tensors."""
    _check_std(std)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean if isinstance(mean, Tensor) else None
        s = std if isinstance(std, Tensor) else None
        like = m if m is not None else s
        z = randn(*like.shape, generator=generator, dtype=like.dtype,
                  device=like.device)
        from pytensor.autograd.grad_mode import no_grad
        with no_grad():
            return z * std + mean
    if size is None:
        raise TypeError("normal: size is required with scalar mean and std")
    shape = _shape_arg((size,) if isinstance(size, int) else (tuple(size),),
                       "normal")
    npd, dev = _resolve(dtype, device)
    _float_only("normal", npd)
    work = np.float64 if npd == np.float64 else np.float32
    arr = _draw(dev, generator, lambda g: (
        g.standard_normal(shape, dtype=work) * std + mean).astype(npd))
    return _finish(arr, requires_grad)


def bernoulli(input, p=None, generator=None):
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    probs = input._data if p is None else None
    dev = input.device
    shape = input.shape

    def draw(g):
        u = g.random(shape)
        return (u < (probs if probs is not None else p)).astype(
            input._data.dtype)
    return Tensor._make(_draw(dev, generator, draw))


def multinomial(input, num_samples, replacement=False, generator=None):
    """Indices sampled from the rows of ``input`` (non-negative weights).

    On a GPU the samples are drawn on the device (inverse-CDF sampling with
    replacement, Gumbel top-k without); one host read-back checks the
    weights, as PyTorch's CUDA kernel does with its device assertions.
    """
    if input.is_cuda:
        return _multinomial_device(input, num_samples, replacement, generator)
    probs = np.asarray(input.detach()._data, dtype=np.float64)
    single = probs.ndim == 1
    probs = probs.reshape(-1, probs.shape[-1])
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("multinomial: probabilities must be finite and "
                           "non-negative")
    g = (generator or default_generator)._np
    out = np.empty((probs.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(probs):
        s = row.sum()
        if s <= 0:
            raise RuntimeError("multinomial: invalid distribution (sum of "
                               "probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(row):
            raise RuntimeError("multinomial: cannot sample n_sample > "
                               "prob_dist.size(-1) samples without "
                               "replacement")
        out[i] = g.choice(row.size, num_samples, replace=replacement,
                          p=row / s)
    return Tensor._make(out[0] if single else out)


def _multinomial_device(input, num_samples, replacement, generator):
    dev = input.device
    x = input._data
    single = x.ndim == 1
    n = int(num_samples)

    def draw(g):
        cp = _backend.cupy_or_none()
        p = x.reshape(-1, x.shape[-1]).astype(np.float64)
        total = p.sum(axis=1, keepdims=True)
        nonzero = (p > 0).sum(axis=1)
        # One read-back for every check (a single synchronisation).
        bad = cp.stack([(p < 0).any() | ~cp.isfinite(p).all(),
                        (total <= 0).any(),
                        (nonzero < n).any() if not replacement else
                        cp.zeros((), dtype=bool)]).get()
        if bad[0]:
            raise RuntimeError("multinomial: probabilities must be finite "
                               "and non-negative")
        if bad[1]:
            raise RuntimeError("multinomial: invalid distribution (sum of "
                               "probabilities <= 0)")
        if bad[2]:
            raise RuntimeError("multinomial: cannot sample n_sample > "
                               "prob_dist.size(-1) samples without "
                               "replacement")
        rows, k = p.shape
        if replacement:
            cdf = cp.cumsum(p / total, axis=1)
            u = g.random((rows, n, 1), dtype=np.float64)
            idx = (u >= cdf[:, None, :]).sum(axis=2)
            out = cp.minimum(idx, k - 1)
        else:
            # Gumbel top-k: the n largest log(p) + Gumbel noise are a
            # weighted sample without replacement.
            u = g.random((rows, k), dtype=np.float64)
            keys = cp.where(p > 0, cp.log(p) - cp.log(-cp.log(u)), -cp.inf)
            out = cp.argsort(-keys, axis=1)[:, :n]
        out = out.astype(np.int64)
        return out[0] if single else out
    return Tensor._make(_draw(dev, generator, None, draw))


def _float_only(op, npd):
    if npd.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point dtype, got "
                           f"{_dt.from_numpy_dtype(npd)}")


def _like(fn, input, dtype, device, requires_grad, **kw):
    return fn(*input.shape, dtype=dtype or input.dtype,
              device=device or input.device, requires_grad=requires_grad, **kw)


def rand_like(input, dtype=None, device=None, requires_grad=False,
              generator=None):
    return _like(rand, input, dtype, device, requires_grad,
                 generator=generator)


def randn_like(input, dtype=None, device=None, requires_grad=False,
               generator=None):
    return _like(randn, input, dtype, device, requires_grad,
                 generator=generator)


def randint_like(input, low, high=None, dtype=None, device=None,
                 generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator,
                   dtype=dtype or input.dtype, device=device or input.device)
