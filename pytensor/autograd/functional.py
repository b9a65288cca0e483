"""Higher-level derivatives built on ``grad``: ``vjp``, ``jvp``, ``hvp``,
``jacobian``, ``hessian`` (as ``torch.autograd.functional``)."""
from pytensor.autograd.engine import grad as _grad

__all__ = ["vjp", "hvp", "vhp", "jacobian", "hessian"]


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _prep(inputs, create_graph):
    return tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))


def vjp(func, inputs, v=None, create_graph=False):
    """``(func(inputs), v^T J)``."""
    single = not isinstance(inputs, (tuple, list))
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    g = _grad(out, xs, grad_outputs=v, create_graph=create_graph,
              allow_unused=True, materialize_grads=True)
    return out, (g[0] if single else g)


def vhp(func, inputs, v, create_graph=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    single = not isinstance(inputs, (tuple, list))
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    gs = _grad(out, xs, create_graph=True, allow_unused=True,
               materialize_grads=True)
    hv = _grad(gs, xs, grad_outputs=_tuple(v), create_graph=create_graph,
               allow_unused=True, materialize_grads=True)
    return out, (hv[0] if single else hv)


hvp = vhp       # H is symmetric for twice-differentiable functions


def jacobian(func, inputs, create_graph=False):
    """The Jacobian of ``func`` at ``inputs`` (row by row)."""
    from pytensor.creation import zeros
    from pytensor.ops.shape.stack import stack
    single = not isinstance(inputs, (tuple, list))
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    flat = out.reshape(-1)
    rows = [[] for _ in xs]
    for i in range(flat.shape[0]):
        e = zeros(flat.shape[0], dtype=out.dtype, device=out.device)
        e._data[i] = 1
        gs = _grad(flat, xs, grad_outputs=e, retain_graph=True,
                   create_graph=create_graph, allow_unused=True,
                   materialize_grads=True)
        for r, g in zip(rows, gs):
            r.append(g)
    jac = tuple(stack(r).reshape(out.shape + x.shape) if r else
                zeros(out.shape + x.shape, dtype=out.dtype)
                for r, x in zip(rows, xs))
    return jac[0] if single else jac


def hessian(func, inputs, create_graph=False):
    """The Hessian of a scalar ``func`` at ``inputs`` (single input)."""
    def grad_fn(x):
        (g,) = _grad(func(x), x, create_graph=True)
        return g
    return jacobian(grad_fn, inputs, create_graph=create_graph)
