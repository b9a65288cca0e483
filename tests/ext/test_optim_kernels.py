"""The compiled optimizer kernels (``pytensor_ext.cpu._optim``) against the
NumPy reference: bit-for-bit equal results, in float32 and float64, on the
serial and the OpenMP path, for every option; non-contiguous, read-only or
other-dtype arrays go through the reference unchanged."""
import numpy as np
import pytest

import pytensor_ext
from pytensor_ext import cpu, reference as ref

pytestmark = pytest.mark.skipif(
    "sgd_step" not in cpu.COMPILED,
    reason="compiled optimizer kernels not built")

# name -> (state buffer names, list of option dicts)
CONFIGS = {
    "sgd_step": (("momentum_buffer",), [
        dict(lr=0.1),
        dict(lr=0.1, weight_decay=0.01, maximize=True),
        dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
        dict(lr=0.05, momentum=0.9, nesterov=True),
        dict(lr=0.05, momentum=0.5, nesterov=True, maximize=True,
             weight_decay=0.2),
    ]),
    "adam_step": (("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), [
        dict(lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
        dict(lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1,
             amsgrad=True, maximize=True),
        dict(lr=1e-2, beta1=0.3, beta2=0.9, eps=1e-6, weight_decay=0.1,
             decoupled_weight_decay=True),
        dict(lr=1e-3, beta1=0.5, beta2=0.99, eps=1e-8, weight_decay=0.5,
             decoupled_weight_decay=True, amsgrad=True),
    ]),
    "rmsprop_step": (("square_avg", "grad_avg", "momentum_buffer"), [
        dict(lr=1e-2, alpha=0.99, eps=1e-8),
        dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.9, centered=True,
             weight_decay=0.1),
        dict(lr=1e-2, alpha=0.3, eps=1e-8, centered=True, maximize=True),
        dict(lr=1e-2, alpha=0.9, eps=1e-4, momentum=0.5),
    ]),
    "adagrad_step": (("state_sum",), [
        dict(lr=0.1, lr_decay=0.0, eps=1e-10, weight_decay=0.0),
        dict(lr=0.1, lr_decay=0.01, eps=1e-10, weight_decay=0.1,
             maximize=True),
    ]),
}

CASES = [(name, i) for name, (_, opts) in CONFIGS.items()
         for i in range(len(opts))]


def _run(module, name, opts, param, grads, state):
    """Apply ``len(grads)`` steps of kernel ``name`` from ``module``."""
    fn = getattr(module, name)
    for k, g in enumerate(grads):
        kw = dict(opts)
        if name in ("adam_step", "adagrad_step"):
            kw["step"] = float(k + 1)
        if name == "sgd_step":
            fn(param, g, state["momentum_buffer"], first=k == 0, **kw)
        elif name == "adam_step":
            fn(param, g, state["exp_avg"], state["exp_avg_sq"],
               state["max_exp_avg_sq"], **kw)
        elif name == "rmsprop_step":
            fn(param, g, state["square_avg"], state["grad_avg"],
               state["momentum_buffer"], **kw)
        else:
            fn(param, g, state["state_sum"], **kw)
    return param


def _setup(name, shape, dtype, seed=0, layout="contiguous"):
    rng = np.random.default_rng(seed)

    def arr(positive=False):
        a = rng.standard_normal(shape).astype(dtype)
        if positive:
            a = np.abs(a)
        if layout == "strided":
            big = np.zeros(shape[:-1] + (2 * shape[-1],), dtype)
            big[..., ::2] = a
            return big[..., ::2]
        return a

    param = arr()
    grads = [arr() for _ in range(3)]
    # Positive second moments; a small grad_avg keeps RMSprop's centered
    # variance (square_avg - grad_avg**2) positive, so results are finite.
    state = {k: arr(positive=k != "grad_avg")
             * (0.01 if k == "grad_avg" else 0.1)
             for k in CONFIGS[name][0]}
    return param, grads, state


def _copy(param, grads, state):
    return (param.copy(), [g.copy() for g in grads],
            {k: v.copy() for k, v in state.items()})


def _check_same(name, i, shape, dtype, layout="contiguous"):
    opts = CONFIGS[name][1][i]
    p, gs, st = _setup(name, shape, dtype, layout=layout)
    p2, gs2, st2 = _copy(p, gs, st)
    if layout == "strided":         # the copies must stay strided too
        p2 = _setup(name, shape, dtype, layout=layout)[0]
    _run(cpu, name, opts, p, gs, st)
    _run(ref, name, opts, p2, gs2, st2)
    np.testing.assert_array_equal(p, p2)
    # (random states can make a centered variance round to a tiny negative
    # number, hence a rare NaN: it must be the same NaN in both)
    assert p.size == 0 or np.isfinite(p).mean() > 0.999
    for k in st:
        np.testing.assert_array_equal(st[k], st2[k], err_msg=k)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,i", CASES)
def test_kernel_matches_reference_bitwise(name, i, dtype):
    _check_same(name, i, (7, 13), dtype)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_kernel_parallel_path_matches_reference(name):
    i = len(CONFIGS[name][1]) - 1       # the config with the most options
    # Larger than PARALLEL_MIN (2**20): the OpenMP loop.
    _check_same(name, i, (1030, 1031), "float32")


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("shape", [(), (0,), (0, 5), (1,)])
def test_kernel_degenerate_shapes(name, shape):
    _check_same(name, 0, shape if shape else (1,), "float64")
    p, gs, st = _setup(name, (1,), "float64")
    p0 = p.reshape(())                 # 0-d arrays work too
    _run(cpu, name, CONFIGS[name][1][0], p0, [g.reshape(()) for g in gs],
         {k: v.reshape(()) for k, v in st.items()})


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_kernel_strided_falls_back_to_reference(name):
    _check_same(name, len(CONFIGS[name][1]) - 1, (5, 6), "float32",
                layout="strided")


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_kernel_float16_falls_back_to_reference(name):
    _check_same(name, 0, (4, 3), "float16")


def test_kernel_readonly_grad_is_accepted():
    p, gs, st = _setup("adam_step", (4, 5), "float32")
    p2, gs2, st2 = _copy(p, gs, st)
    for g in gs:
        g.flags.writeable = False
    opts = CONFIGS["adam_step"][1][1]
    _run(cpu, "adam_step", opts, p, gs, st)
    _run(ref, "adam_step", opts, p2, gs2, st2)
    np.testing.assert_array_equal(p, p2)


def test_kernel_readonly_param_is_not_written_through():
    p, gs, st = _setup("sgd_step", (4,), "float64")
    p.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        cpu.sgd_step(p, gs[0], None, lr=0.1)


def test_amsgrad_max_propagates_nan_like_torch_maximum():
    p, gs, st = _setup("adam_step", (6,), "float32")
    st["max_exp_avg_sq"][2] = np.nan
    gs[0][4] = np.nan
    p2, gs2, st2 = _copy(p, gs, st)
    opts = CONFIGS["adam_step"][1][1]
    _run(cpu, "adam_step", opts, p, gs[:1], st)
    _run(ref, "adam_step", opts, p2, gs2[:1], st2)
    np.testing.assert_array_equal(p, p2)
    assert np.isnan(p[2]) and np.isnan(p[4]) and np.isfinite(p[0])


def test_kernels_are_dispatched_for_numpy_arrays():
    k = pytensor_ext.kernels_for(np.zeros(3, np.float32))
    for name in ("sgd_step", "adam_step", "rmsprop_step", "adagrad_step"):
        assert name in pytensor_ext.KERNEL_NAMES
        assert getattr(k, name) is getattr(cpu, name)
        assert cpu.COMPILED[name] == "_optim"


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("odd", ["byteswapped", "reshaped", "subclass"])
def test_kernel_checks_read_from_the_array_structs(name, odd):
    """The fast path's checks (dtype with its byte order, the shape, exact
    ndarray) read from NumPy's structs: what they reject goes to the
    reference, with the reference's result."""
    opts = CONFIGS[name][1][-1]
    p, gs, st = _setup(name, (4, 6), "float64")
    p2, gs2, st2 = _copy(p, gs, st)
    if odd == "byteswapped":
        # Same values, other byte order: the reference reads them right.
        gs = [g.astype(g.dtype.newbyteorder()) for g in gs]
    elif odd == "reshaped":
        # As many elements, another shape: the reference broadcasts or
        # raises, and the kernel must do the same, not update 24 values.
        gs = [g.reshape(6, 4) for g in gs]
    else:
        class Sub(np.ndarray):
            pass
        gs = [g.view(Sub) for g in gs]
    try:
        _run(ref, name, opts, p2, [g.copy() for g in gs], st2)
    except Exception as e:
        with pytest.raises(type(e)):
            _run(cpu, name, opts, p, gs, st)
        return
    _run(cpu, name, opts, p, gs, st)
    np.testing.assert_array_equal(p, p2)
    for k in st:
        np.testing.assert_array_equal(st[k], st2[k])
