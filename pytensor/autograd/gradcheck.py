"""``gradcheck`` / ``gradgradcheck``: analytical vs finite-difference
Jacobians, in float64.

On failure the report names the worst element: which input, its index,
which output element, the numerical and analytical values, and the errors,
so a wrong backward is found without printing whole Jacobians.
"""
import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "jacobians"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when the Jacobians differ (``.report`` holds
    the structured result)."""

    def __init__(self, msg, report=None):
        super().__init__(msg)
        self.report = report


def _tensors():
    from pytensor.tensor import Tensor
    return Tensor


def _perturbing(x, n):
    """``range(n)``, with ``x``'s GPU current while the loop body writes
    the perturbed element (CuPy writes on the current device)."""
    import contextlib
    from pytensor.backend import device_guard
    with device_guard(x._data) or contextlib.nullcontext():
        yield from range(n)


def _host64(t):
    """A tensor's values as float64 on the host (GPU tensors are copied)."""
    from pytensor.backend import as_host
    return np.asarray(as_host(t._data), dtype=np.float64)


def _on_device_of(like, arr):
    """A Tensor of host array ``arr`` on ``like``'s device."""
    from pytensor.backend import to_device
    return _tensors()._make(to_device(arr, like.device))


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    Tensor = _tensors()
    outs = _as_tuple(func(*inputs))
    return tuple(o for o in outs if isinstance(o, Tensor)
                 and o._data.dtype.kind == "f")


def jacobians(func, inputs, eps=1e-6):
    """``(numerical, analytical)`` lists of Jacobians, one per
    differentiable input, each of shape (n_outputs_total, input.numel())."""
    from pytensor.autograd.engine import grad
    Tensor = _tensors()
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs)
            if isinstance(x, Tensor) and x._requires_grad]
    outs = _outputs(func, inputs)
    sizes = [o._data.size for o in outs]
    n_out = int(sum(sizes))
    numerical = []
    # Not under no_grad: func may itself differentiate (gradgradcheck).
    if True:
        for i in diff:
            x = inputs[i]
            flat = x._data.reshape(-1) if x._data.flags.c_contiguous else None
            if flat is None:
                raise ValueError("gradcheck: inputs must be contiguous")
            jac = np.zeros((n_out, flat.size))
            for j in _perturbing(x, flat.size):
                orig = flat[j].item()
                flat[j] = orig + eps
                plus = _flat_outputs(func, inputs)
                flat[j] = orig - eps
                minus = _flat_outputs(func, inputs)
                flat[j] = orig
                jac[:, j] = (plus - minus) / (2 * eps)
            numerical.append(jac)
    analytical = [np.zeros((n_out, inputs[i]._data.size)) for i in diff]
    row = 0
    for o, size in zip(outs, sizes):
        for k in range(size):
            go = np.zeros(o._data.size, dtype=o._data.dtype)
            go[k] = 1
            gos = _on_device_of(o, go.reshape(o._data.shape))
            gs = grad(o, [inputs[i] for i in diff], grad_outputs=gos,
                      retain_graph=True, allow_unused=True)
            for a, g in zip(analytical, gs):
                if g is not None:
                    a[row] = _host64(g).reshape(-1)
            row += 1
    return numerical, analytical, diff


def _flat_outputs(func, inputs):
    outs = _outputs(func, inputs)
    if not outs:
        return np.zeros(0)
    return np.concatenate([_host64(o).reshape(-1)
                           for o in outs])


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3,
              raise_exception=True, check_dtype=True, **_ignored):
    """Check ``func``'s backward against central finite differences.

    Args:
        func: maps the inputs to a Tensor or tuple of Tensors.
        inputs: a Tensor or tuple; those with ``requires_grad`` are checked.
            They should be float64 (a warning is given otherwise).
        eps, atol, rtol: perturbation and tolerances
            (``|num - ana| <= atol + rtol * |num|``).
        raise_exception (bool): raise :class:`GradcheckError` on failure
            instead of returning False.

    Returns:
        True when every Jacobian matches.

    Example:
        >>> import pytensor
        >>> x = pytensor.randn(3, dtype=pytensor.float64, requires_grad=True)
        >>> pytensor.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    Tensor = _tensors()
    inputs = _as_tuple(inputs)
    if check_dtype:
        for i, x in enumerate(inputs):
            if isinstance(x, Tensor) and x._requires_grad and \
                    x._data.dtype != np.float64:
                import warnings
                warnings.warn(
                    f"gradcheck: input {i} is {x.dtype}, not float64; finite "
                    "differences will be inaccurate", UserWarning,
                    stacklevel=2)
    numerical, analytical, diff = jacobians(func, inputs, eps)
    worst = None
    for k, (num, ana) in enumerate(zip(numerical, analytical)):
        if num.size == 0:
            continue
        err = np.abs(num - ana)
        bad = err > atol + rtol * np.abs(num)
        nan_mismatch = np.isnan(num) != np.isnan(ana)
        bad |= nan_mismatch
        if bad.any():
            score = np.where(bad, err - (atol + rtol * np.abs(num)), -np.inf)
            score = np.where(np.isnan(score), np.inf, score)
            r, c = np.unravel_index(np.argmax(score), score.shape)
            cand = (score[r, c], k, r, c, num[r, c], ana[r, c],
                    int(bad.sum()), bad.size)
            if worst is None or cand[0] > worst[0]:
                worst = cand
    if worst is None:
        return True
    _, k, r, c, nv, av, nbad, total = worst
    i = diff[k]
    shape = inputs[i]._data.shape
    idx = np.unravel_index(c, shape) if shape else ()
    msg = (f"Jacobian mismatch for input {i} (shape {list(shape)}): "
           f"{nbad}/{total} entries differ. Worst at input"
           f"{list(map(int, idx))} / output element {r}: numerical "
           f"{nv:.6g} vs analytical {av:.6g} (abs err {abs(nv - av):.3g}, "
           f"atol {atol}, rtol {rtol})")
    report = dict(input=i, index=tuple(int(v) for v in idx), output=int(r),
                  numerical=float(nv), analytical=float(av), bad=nbad,
                  total=total, numerical_jacobian=numerical[k],
                  analytical_jacobian=analytical[k])
    if raise_exception:
        raise GradcheckError(msg, report)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5,
                  rtol=1e-3, raise_exception=True,
                  gen_non_contig_grad_outputs=False, **_ignored):
    """Check second derivatives: gradcheck of the vector-Jacobian product
    ``(inputs, v) -> v^T J(inputs)`` with random ``v`` (differentiated
    w.r.t. both)."""
    from pytensor.autograd.engine import grad
    Tensor = _tensors()
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _on_device_of(o, rng.standard_normal(o.shape).astype(
                o._data.dtype)).requires_grad_(True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff = [i for i, x in enumerate(inputs)
            if isinstance(x, Tensor) and x._requires_grad]

    def vjp(*args):
        # gradcheck evaluates this under no_grad for its finite
        # differences; the inner backward needs the graph regardless.
        from pytensor.autograd.grad_mode import enable_grad
        xs, vs = args[:n_in], args[n_in:]
        with enable_grad():
            os_ = _outputs(func, xs)
            gs = grad(os_, [xs[i] for i in diff], grad_outputs=vs,
                      create_graph=True, allow_unused=True,
                      materialize_grads=True)
        return tuple(gs)

    return gradcheck(vjp, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
