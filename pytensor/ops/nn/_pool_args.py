"""Argument handling of the pooling and unfold/fold ops: PyTorch's
argument forms, checks and messages (prefixed by the op name), then one
:mod:`_pool_core` op."""
from pytensor.ops.nn import _geometry as G
from pytensor.ops.nn._pool_core import (AvgPool, Fold, MaxPool, PoolGeom,
                                        Unfold)

__all__ = []


def _hw(dims, t, fill):
    """A 1-d value as an (h, w) pair for the kernels."""
    return (fill,) + tuple(t) if dims == 1 else tuple(t)


def _check_1d(op, kernel, stride, padding, dilation):
    """max_pool1d's own checks and messages."""
    k, s, p, d = kernel[0], stride[0], padding[0], dilation[0]
    if k <= 0:
        raise RuntimeError(f"{op}() kernel_size must be greater than zero, "
                           f"but got {k}")
    if s <= 0:
        raise RuntimeError(f"{op}() stride must be greater than zero, but "
                           f"got {s}")
    if p < 0:
        raise RuntimeError(f"{op}() padding must be non-negative, but got "
                           f"{p}")
    if p > k // 2:
        raise RuntimeError(f"{op}() padding should be at most half of kernel "
                           f"size, but got padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"{op}() dilation must be greater than zero, but "
                           f"got {d}")


def _check_2d(op, kernel, stride, padding, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"{op}: kernel size should be greater than zero, but got "
            f"kH: {kernel[0]} kW: {kernel[-1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: pad must be non-negative, but got pad: "
                           f"{min(padding)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            f"{op}: dilation should be greater than zero, but got "
            f"dilationH: {dilation[0]} dilationW: {dilation[-1]}")
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"{op}: pad should be at most half of effective kernel size, "
                f"but got pad={p}, kernel_size={k} and dilation={d}")
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        raise RuntimeError(
            f"{op}: pad should be smaller than or equal to half of kernel "
            f"size, but got padW = {padding[-1]}, padH = {padding[0]}, "
            f"kW = {kernel[-1]}, kH = {kernel[0]}")


def _input(op, input, dims):
    G.check_tensor(op, "input", input)
    nd = input.ndim
    if nd not in (dims + 1, dims + 2) or any(
            s == 0 for s in input.shape[-(dims + 1):]):
        raise RuntimeError(
            f"{op}: Expected {dims + 1}D or {dims + 2}D (batch mode) tensor "
            f"with optional 0 dim batch size for input, but got: "
            f"{G.fmt(input.shape)}")


def _windows(op, dims, input, kernel, stride, padding, dilation,
             ceil_mode):
    sizes = tuple(input.shape[-dims:])
    out = tuple(G.pool_out(op, s, k, st, p, d, ceil_mode)
                for s, k, st, p, d in zip(sizes, kernel, stride, padding,
                                          dilation))
    if any(o <= 0 for o in out):
        if op == "max_pool1d":
            raise RuntimeError(f"{op}() Invalid computed output size: "
                               f"{out[0]}")
        c = input.shape[-dims - 1]
        ins = "x".join(map(str, (c,) + _hw(dims, sizes, 1)))
        outs = "x".join(map(str, (c,) + _hw(dims, out, 1)))
        raise RuntimeError(
            f"{op}: Given input size: ({ins}). Calculated output size: "
            f"({outs}). Output size is too small")
    return sizes, out


def max_pool(op, dims, input, kernel_size, stride, padding, dilation,
             ceil_mode, return_indices):
    _input(op, input, dims)
    G.float_or_int(op, input)
    kernel = G.pool_param(op, "kernel_size", kernel_size, dims)
    stride = G.pool_param(op, "stride", stride, dims, default=kernel)
    padding = G.pool_param(op, "padding", padding, dims)
    dilation = G.pool_param(op, "dilation", dilation, dims)
    (_check_1d if op == "max_pool1d" else _check_2d)(
        op, kernel, stride, padding, dilation)
    sizes, out = _windows(op, dims, input, kernel, stride, padding,
                          dilation, ceil_mode)
    geom = PoolGeom(op, dims, _hw(dims, kernel, 1), _hw(dims, stride, 1),
                    _hw(dims, padding, 0), _hw(dims, dilation, 1),
                    _hw(dims, out, 1), _hw(dims, sizes, 1))
    y, idx = MaxPool(geom).apply(input)
    return (y, idx) if return_indices else y


def avg_pool(op, dims, input, kernel_size, stride, padding, ceil_mode,
             count_include_pad, divisor_override):
    _input(op, input, dims)
    G.float_or_int(op, input)
    kernel = G.pool_param(op, "kernel_size", kernel_size, dims)
    stride = G.pool_param(op, "stride", stride, dims, default=kernel)
    padding = G.pool_param(op, "padding", padding, dims)
    _check_2d(op, kernel, stride, padding, (1,) * dims)
    if divisor_override is not None:
        if not G._is_int(divisor_override):
            raise TypeError(f"{op}: divisor_override must be an int, not "
                            f"{type(divisor_override).__name__}")
        if divisor_override == 0:
            raise RuntimeError(f"{op}: divisor must be not zero")
    sizes, out = _windows(op, dims, input, kernel, stride, padding,
                          (1,) * dims, ceil_mode)
    geom = PoolGeom(op, dims, _hw(dims, kernel, 1), _hw(dims, stride, 1),
                    _hw(dims, padding, 0), (1, 1), _hw(dims, out, 1),
                    _hw(dims, sizes, 1), bool(count_include_pad),
                    None if divisor_override is None else
                    int(divisor_override))
    return AvgPool(geom).apply(input)


def _output_size(op, dims, output_size, sizes):
    """An adaptive pooling's output size: an int, or one entry per dim
    (None keeps the input's size)."""
    if G._is_int(output_size):
        out = (int(output_size),) * dims
    elif isinstance(output_size, (tuple, list)):
        if len(output_size) != dims:
            if dims == 1:
                raise RuntimeError(
                    f"{op}() argument 'output_size' should contain one int "
                    f"(got {len(output_size)})")
            raise RuntimeError(f"{op}: output_size must be {dims}")
        out = tuple(s if v is None else v
                    for v, s in zip(output_size, sizes))
        if not all(G._is_int(v) for v in out):
            raise TypeError(f"{op}: output_size must contain ints (or None), "
                            f"got {tuple(output_size)!r}")
        out = tuple(int(v) for v in out)
    else:
        raise TypeError(f"{op}: output_size must be an int or a tuple, not "
                        f"{type(output_size).__name__}")
    if any(v < 0 for v in out):
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal "
            f"to 0 but received {{{', '.join(map(str, out))}}}")
    return out


def adaptive_pool(op, dims, input, output_size, kind, return_indices=False):
    G.check_tensor(op, "input", input)
    nd = input.ndim
    if nd not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}(): Expected {dims + 1}D or {dims + 2}D "
                           f"tensor, but got: {G.fmt(input.shape)}")
    for d in range(nd - dims - 1, nd):
        if input.shape[d] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {G.fmt(input.shape)} with "
                f"dimension {d} being empty")
    G.float_only(op, input)
    sizes = tuple(input.shape[-dims:])
    out = _output_size(op, dims, output_size, sizes)
    geom = PoolGeom(op, dims, blocks=_hw(dims, out, 1),
                    image=_hw(dims, sizes, 1))
    if kind == "avg":
        return AvgPool(geom, adaptive=True).apply(input)
    y, idx = MaxPool(geom, adaptive=True).apply(input)
    return (y, idx) if return_indices else y


# --- unfold / fold ------------------------------------------------------
def _pair_args(op, kernel_size, dilation, padding, stride):
    def pair(name, v):
        if G._is_int(v):
            return (int(v), int(v))
        if isinstance(v, (tuple, list)) and len(v) == 2 and all(
                G._is_int(e) for e in v):
            return (int(v[0]), int(v[1]))
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, "
                        f"got {v!r}")
    k, d = pair("kernel_size", kernel_size), pair("dilation", dilation)
    p, s = pair("padding", padding), pair("stride", stride)
    if min(k) <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, "
                           f"but got kernel_height: {k[0]} kernel_width: "
                           f"{k[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but "
                           f"got stride_height: {s[0]} stride_width: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but "
                           f"got dilation_height: {d[0]} dilation_width: "
                           f"{d[1]}")
    if min(p) < 0:
        raise RuntimeError(f"{op}: padding should be non-negative, but got "
                           f"pad_height: {p[0]} pad_width: {p[1]}")
    return k, d, p, s


def _blocks(image, k, d, p, s):
    return tuple(G.conv_out(i, kk, ss, 2 * pp, dd)
                 for i, kk, ss, pp, dd in zip(image, k, s, p, d))


def unfold(input, kernel_size, dilation, padding, stride):
    op = "unfold"
    G.check_tensor(op, "input", input)
    if input.ndim not in (3, 4) or any(s == 0 for s in input.shape[-3:]):
        raise RuntimeError(
            f"{op}: Expected 3D or 4D (batch mode) tensor with possibly 0 "
            f"batch size and other non-zero dimensions for input, but got: "
            f"{G.fmt(input.shape)}")
    G.float_only(op, input)
    k, d, p, s = _pair_args(op, kernel_size, dilation, padding, stride)
    image = tuple(input.shape[-2:])
    blocks = _blocks(image, k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(
            f"{op}: Given input with spatial size {image}, kernel_size={k}, "
            f"dilation={d}, padding={p}, calculated shape of the array of "
            f"sliding blocks as {blocks}, but its components must be at "
            f"least one.")
    geom = PoolGeom(op, 2, k, s, p, d, blocks, image)
    return Unfold(geom).apply(input)


def fold(input, output_size, kernel_size, dilation, padding, stride):
    op = "fold"
    G.check_tensor(op, "input", input)
    if input.ndim not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError(
            f"{op}: Expected 2D or 3D (batch mode) tensor for input with "
            f"possibly 0 batch size and non-zero dimensions for input, but "
            f"got: {G.fmt(input.shape)}")
    G.float_only(op, input)
    if G._is_int(output_size):
        image = (int(output_size),) * 2
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 2 \
            and all(G._is_int(v) for v in output_size):
        image = tuple(int(v) for v in output_size)
    else:
        raise TypeError(f"{op}: output_size must be an int or a pair of "
                        f"ints, got {output_size!r}")
    k, d, p, s = _pair_args(op, kernel_size, dilation, padding, stride)
    if min(image) <= 0:
        raise RuntimeError(f"{op}: expected output spatial size to be "
                           f"positive, but got: output_size={image}")
    rows, cols = input.shape[-2], input.shape[-1]
    if rows % (k[0] * k[1]):
        raise RuntimeError(
            f"{op}: Expected size of input's dimension {input.ndim - 2} to "
            f"be divisible by the product of kernel_size, but got "
            f"input.size({input.ndim - 2})={rows} and kernel_size={k}.")
    blocks = _blocks(image, k, d, p, s)
    if cols != blocks[0] * blocks[1] or min(blocks) < 1:
        raise RuntimeError(
            f"{op}: Given output_size={image}, kernel_size={k}, "
            f"dilation={d}, padding={p}, stride={s}, expected size of "
            f"input's dimension {input.ndim - 1} to match the calculated "
            f"number of sliding blocks {max(blocks[0], 0)} * "
            f"{max(blocks[1], 0)} = {max(blocks[0], 0) * max(blocks[1], 0)}"
            f", but got input.size({input.ndim - 1})={cols}.")
    geom = PoolGeom(op, 2, k, s, p, d, blocks, image)
    return Fold(geom).apply(input)
