"""Argument handling of the convolution ops: PyTorch's argument forms
(ints, tuples, ``padding="same"/"valid"``), its shape checks and its error
messages (prefixed by the op name), then one :mod:`_conv_core` op."""
from pytensor.ops.nn import _geometry as G
from pytensor.ops.nn._conv_core import Conv, ConvGeom, ConvInputGrad

__all__ = []

_KDIMS = {1: "kW", 2: "kH, kW"}
_SPATIAL = {1: "(N, C, L)", 2: "(N, C, H, W)"}


def _batched(op, input, dims):
    """Unbatched inputs gain a batch dim (removed from the result)."""
    if input.ndim == dims + 2:
        return input, False
    if input.ndim == dims + 1:
        return input.unsqueeze(0), True
    lo, hi = dims + 1, dims + 2
    raise RuntimeError(
        f"{op}: Expected {lo}D (unbatched) or {hi}D (batched) input to {op}, "
        f"but got input of size: {G.fmt(input.shape)}")


def _common_checks(op, dims, input, weight, bias, groups):
    G.check_tensor(op, "input", input)
    G.check_tensor(op, "weight", weight)
    if bias is not None:
        G.check_tensor(op, "bias", bias)
    if weight.ndim != dims + 2:
        raise RuntimeError(
            f"{op}: expected weight with {dims + 2} dims (out_channels, "
            f"in_channels / groups, {_KDIMS[dims]}), got weight of size "
            f"{G.fmt(weight.shape)}")
    if not G._is_int(groups):
        raise TypeError(f"{op}: argument 'groups' must be int, not "
                        f"{type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported")
    G.float_or_int(op, input)
    if weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{op}: Input type ({input._data.dtype.name}) and weight type "
            f"({weight._data.dtype.name}) should be the same")
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{op}: Input type ({input._data.dtype.name}) and bias type "
            f"({bias._data.dtype.name}) should be the same")


def _check_params(op, stride, padding, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: non-positive dilation is not supported")


def conv(op, dims, input, weight, bias, stride, padding, dilation, groups):
    """``conv1d`` / ``conv2d``."""
    _common_checks(op, dims, input, weight, bias, groups)
    x, unbatched = _batched(op, input, dims)
    stride = G.conv_param(op, "stride", stride, dims)
    dilation = G.conv_param(op, "dilation", dilation, dims)
    same = False
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError(f"{op}: padding='same' is not supported "
                                   f"for strided convolutions")
            same = True
            padding = (0,) * dims
        else:
            raise RuntimeError(f"{op}: Invalid padding string: {padding!r}")
    else:
        padding = G.conv_param(op, "padding", padding, dims)
    _check_params(op, stride, padding, dilation)
    o, cg = weight.shape[0], weight.shape[1]
    ksize = tuple(weight.shape[2:])
    if o < 1:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be at least 1 "
            f"at dimension 0, but got weight of size "
            f"{G.fmt(weight.shape)} instead")
    if o % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible "
            f"by {groups} at dimension 0, but got weight of size "
            f"{G.fmt(weight.shape)} instead")
    if x.shape[1] != cg * groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size "
            f"{G.fmt(weight.shape)}, expected input{G.fmt(x.shape)} to have "
            f"{cg * groups} channels, but got {x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(
            f"{op}: Given weight of size {G.fmt(weight.shape)}, expected "
            f"bias to be 1-dimensional with {o} elements, but got bias of "
            f"size {G.fmt(bias.shape)} instead")
    sizes = tuple(x.shape[2:])
    if same:
        # Total padding d*(k-1): the extra row/column of an odd total goes
        # after the input (PyTorch pads the right/bottom side).
        before = tuple(d * (k - 1) // 2 for k, d in zip(ksize, dilation))
        blocks = sizes
    else:
        before = padding
        eff = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
        padded = tuple(s + 2 * p for s, p in zip(sizes, padding))
        if any(p < e for p, e in zip(padded, eff)):
            raise RuntimeError(
                f"{op}: Calculated padded input size per channel: "
                f"({' x '.join(map(str, padded))}). Kernel size: "
                f"({' x '.join(map(str, eff))}). Kernel size can't be greater "
                f"than actual input size")
        blocks = tuple(G.conv_out(s, k, st, 2 * p, d) for s, k, st, p, d in
                       zip(sizes, ksize, stride, padding, dilation))
    geom = _geom(op, dims, ksize, stride, before, dilation, groups, sizes,
                 blocks)
    fn = Conv(geom)
    y = fn.apply(x, weight) if bias is None else fn.apply(x, weight, bias)
    return y.squeeze(0) if unbatched else y


def _geom(op, dims, ksize, stride, before, dilation, groups, image, blocks):
    if dims == 1:
        pad1 = lambda t, v: (v,) + tuple(t)       # noqa: E731
        return ConvGeom(op, 1, pad1(ksize, 1), pad1(stride, 1),
                        pad1(before, 0), pad1(dilation, 1), groups,
                        pad1(image, 1), pad1(blocks, 1))
    return ConvGeom(op, 2, ksize, stride, before, dilation, groups, image,
                    blocks)


def conv_transpose(op, dims, input, weight, bias, stride, padding,
                   output_padding, groups, dilation):
    """``conv_transpose1d`` / ``conv_transpose2d``: the input gradient of a
    convolution whose weight is ``weight`` read as (out, in/groups, ...)
    with out = ``in_channels``."""
    if isinstance(padding, str):
        raise TypeError(f"{op}: argument 'padding' must be tuple of ints, "
                        f"not str")
    _common_checks(op, dims, input, weight, bias, groups)
    x, unbatched = _batched(op, input, dims)
    stride = G.conv_param(op, "stride", stride, dims)
    padding = G.conv_param(op, "padding", padding, dims)
    dilation = G.conv_param(op, "dilation", dilation, dims)
    out_pad = G.conv_param(op, "output_padding", output_padding, dims)
    _check_params(op, stride, padding, dilation)
    if any(p < 0 for p in out_pad):
        raise RuntimeError(f"{op}: negative output_padding is not supported")
    if any(op_ >= s and op_ >= d
           for op_, s, d in zip(out_pad, stride, dilation)):
        names = ("height", "width") if dims == 2 else ("width",)
        parts = [f"output_padding_{n}: {v}" for n, v in zip(names, out_pad)]
        parts += [f"stride_{n}: {v}" for n, v in zip(names, stride)]
        parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation)]
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or "
            f"dilation, but got {' '.join(parts)}")
    cin, cg = weight.shape[0], weight.shape[1]
    ksize = tuple(weight.shape[2:])
    if cin % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible "
            f"by {groups} at dimension 0, but got weight of size "
            f"{G.fmt(weight.shape)} instead")
    if x.shape[1] != cin:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size "
            f"{G.fmt(weight.shape)}, expected input{G.fmt(x.shape)} to have "
            f"{cin} channels, but got {x.shape[1]} channels instead")
    cout = cg * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size "
            f"{G.fmt(weight.shape)}, expected bias to be 1-dimensional with "
            f"{cout} elements, but got bias of size {G.fmt(bias.shape)} "
            f"instead")
    sizes = tuple(x.shape[2:])
    out = tuple((s - 1) * st - 2 * p + d * (k - 1) + op_ + 1
                for s, st, p, d, k, op_ in zip(sizes, stride, padding,
                                               dilation, ksize, out_pad))
    if any(v < 1 for v in out):
        raise RuntimeError(
            f"{op}: Given input size per channel: "
            f"({' x '.join(map(str, sizes))}). Calculated output size per "
            f"channel: ({' x '.join(map(str, out))}). Output size is too "
            f"small")
    geom = _geom(op, dims, ksize, stride, padding, dilation, groups, out,
                 sizes)
    y = ConvInputGrad(geom, (x.shape[0], cout) + out).apply(x, weight)
    if bias is not None:
        y = y + bias.reshape((1, cout) + (1,) * dims)
    return y.squeeze(0) if unbatched else y
