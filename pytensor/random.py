"""Random number generation: ``Generator``, ``manual_seed`` and the random
factories (``rand randn randint randperm normal`` and ``*_like``).

The CPU generator is NumPy's PCG64; CUDA tensors draw from a CuPy
generator of the same seed (``pytensor.cuda.manual_seed``).  Streams are
reproducible within pytensor, not bit-identical to PyTorch's.
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
        self.device = _backend.Device(device)
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._np = np.random.Generator(np.random.PCG64(self._seed))
        self._cp = None

    def manual_seed(self, seed):
        """Reset the stream to ``seed``; returns the generator."""
        seed = int(seed)
        if seed < 0:
            seed += 2 ** 64
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        self._cp = None
        return self

    def seed(self):
        """Re-seed from OS entropy; returns the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream state, as a uint8 tensor (restorable bit for bit)."""
        import json
        st = json.dumps(self._np.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(st, dtype=np.uint8).copy())

    def set_state(self, state):
        import json
        arr = state._data if isinstance(state, Tensor) else np.asarray(state)
        self._np.bit_generator.state = json.loads(bytes(arr.astype(np.uint8)))
        return self

    def numpy_generator(self):
        return self._np

    def cupy_generator(self, dev):
        cp = _backend.cupy_or_none()
        if self._cp is None:
            with cp.cuda.Device(dev.index):
                self._cp = cp.random.default_rng(self._seed)
        return self._cp

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
    """Draw with NumPy on the CPU, with CuPy on a GPU (its own stream)."""
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


def randperm(n, generator=None, dtype=None, device=None):
    """A random permutation of ``0..n-1``."""
    npd, dev = _resolve(dtype, device, default=_dt.int64)
    arr = _draw(dev, generator, lambda g: g.permutation(n).astype(npd))
    return Tensor._make(arr)


def _check_std(std):
    # "not >=" also rejects NaN, as PyTorch does.
    if isinstance(std, Tensor):
        if std._data.size and not bool((std._data >= 0).all()):
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
    z = randn(*((size,) if isinstance(size, int) else tuple(size)),
              generator=generator, dtype=dtype, device=device)
    z._data *= std
    z._data += mean
    if requires_grad:
        z.requires_grad_(True)
    return z


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
    """Indices sampled from the rows of ``input`` (non-negative weights)."""
    probs = np.asarray(input.detach().cpu()._data, dtype=np.float64)
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
    res = Tensor._make(out[0] if single else out)
    return res.to(input.device)


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
