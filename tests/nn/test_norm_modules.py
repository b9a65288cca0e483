"""BatchNorm1d/2d/3d, InstanceNorm1d/2d, LayerNorm, GroupNorm, RMSNorm:
parity with PyTorch 2.13 (outputs, input and parameter gradients, running
statistics and ``num_batches_tracked`` over several training steps,
``momentum=None``, evaluation mode, ``affine``/``bias``/
``track_running_stats`` variants), reprs, state dicts and errors."""
import numpy as np
import pytest

import pytensor
from pytensor import nn
from tests.nn._torch import check_module, copy_state

DTYPES = ["float32", "float64"]


def _rand(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)


def _pair(torch, cls, *args, **kw):
    torch.manual_seed(0)
    th = getattr(torch.nn, cls)(*args, **kw)
    pt = getattr(nn, cls)(*args, **kw)
    # Non-trivial affine parameters.
    with torch.no_grad():
        for p in th.parameters():
            p.copy_(torch.randn(p.shape) * 0.5 + 1)
    return th, pt


BN = [("BatchNorm1d", (4, 3)), ("BatchNorm1d", (4, 3, 5)),
      ("BatchNorm2d", (2, 3, 4, 4)), ("BatchNorm3d", (2, 3, 2, 2, 3))]
BN_KW = [dict(), dict(momentum=None), dict(affine=False),
         dict(track_running_stats=False), dict(bias=False, momentum=0.3)]


def _kw_id(kw):
    return ",".join(f"{k}={v}" for k, v in kw.items()) or "default"


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", BN_KW, ids=_kw_id)
@pytest.mark.parametrize("cls,shape", BN, ids=lambda v: str(v))
def test_batch_norm_training_steps_then_eval(torch, cls, shape, kw, dtype):
    th, pt = _pair(torch, cls, 3, **kw)
    for step in range(3):
        check_module(torch, th, pt, [_rand(shape, dtype, step)], dtype)
        # check_module copies torch's state into pt before each call, so
        # compare the buffers the step produced afterwards.
        for name, buf in th.named_buffers():
            mine = dict(pt.named_buffers())[name]
            np.testing.assert_allclose(mine.numpy(), buf.numpy(),
                                       rtol=1e-5 if dtype == "float32"
                                       else 1e-12)
        th.zero_grad()
        pt.zero_grad()
    th.eval()
    pt.eval()
    check_module(torch, th, pt, [_rand(shape, dtype, 9)], dtype)


@pytest.mark.torch
def test_batch_norm_running_stats_accumulate_without_reloading(torch):
    """Several steps on the same modules (no state copied in between):
    running statistics, the cumulative average of momentum=None and
    num_batches_tracked follow torch."""
    for kw in (dict(), dict(momentum=None)):
        th, pt = _pair(torch, "BatchNorm1d", 3, **kw)
        copy_state(th, pt)
        for step in range(5):
            x = _rand((6, 3), "float32", step) * (step + 1)
            th(torch.from_numpy(x))
            pt(pytensor.from_numpy(x))
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            np.testing.assert_allclose(getattr(pt, name).numpy(),
                                       getattr(th, name).numpy(), rtol=1e-5,
                                       atol=1e-6)
        assert int(pt.num_batches_tracked) == 5
        th.eval()
        pt.eval()
        x = _rand((2, 3), "float32", 7)
        np.testing.assert_allclose(pt(pytensor.from_numpy(x)).detach().numpy(),
                                   th(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.torch
def test_eval_without_running_stats_uses_batch_stats(torch):
    th, pt = _pair(torch, "BatchNorm1d", 3, track_running_stats=False)
    th.eval()
    pt.eval()
    check_module(torch, th, pt, [_rand((5, 3), "float64", 1)], "float64")


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,args,kw,shape", [
    ("LayerNorm", (5,), {}, (3, 4, 5)),
    ("LayerNorm", ([4, 5],), {}, (3, 4, 5)),
    ("LayerNorm", (5,), {"elementwise_affine": False}, (2, 5)),
    ("LayerNorm", (5,), {"bias": False, "eps": 1e-3}, (2, 5)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("GroupNorm", (1, 4), {"affine": False}, (2, 4, 2, 2)),
    ("GroupNorm", (4, 4), {"bias": False}, (2, 4, 3)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 5)),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True},
     (2, 3, 2, 3)),
    ("RMSNorm", (5,), {}, (3, 4, 5)),
    ("RMSNorm", ([4, 5],), {"eps": 1e-4}, (3, 4, 5)),
    ("RMSNorm", (5,), {"elementwise_affine": False}, (2, 5)),
], ids=lambda v: str(v))
def test_other_norms(torch, cls, args, kw, shape, dtype):
    th, pt = _pair(torch, cls, *args, **kw)
    check_module(torch, th, pt, [_rand(shape, dtype, 3)], dtype)
    for name, buf in th.named_buffers():
        np.testing.assert_allclose(dict(pt.named_buffers())[name].numpy(),
                                   buf.numpy(), rtol=1e-5)
    th.eval()
    pt.eval()
    check_module(torch, th, pt, [_rand(shape, dtype, 4)], dtype)


@pytest.mark.torch
@pytest.mark.parametrize("cls,args,kw", [
    ("BatchNorm1d", (3,), {}), ("BatchNorm2d", (3,), {"momentum": None}),
    ("BatchNorm2d", (3,), {"affine": False, "track_running_stats": False}),
    ("BatchNorm1d", (3,), {"bias": False}),
    ("InstanceNorm1d", (3,), {}), ("InstanceNorm2d", (3,), {"affine": True}),
    ("LayerNorm", ([3, 4],), {"elementwise_affine": False}),
    ("LayerNorm", (3,), {"bias": False}), ("GroupNorm", (2, 4), {}),
    ("RMSNorm", (3,), {}), ("RMSNorm", (3,), {"eps": 1e-6}),
])
def test_repr_names_and_defaults(torch, cls, args, kw):
    th = getattr(torch.nn, cls)(*args, **kw)
    pt = getattr(nn, cls)(*args, **kw)
    assert repr(pt) == repr(th)
    assert list(pt.state_dict()) == list(th.state_dict())
    for name, t in th.state_dict().items():
        np.testing.assert_array_equal(pt.state_dict()[name].numpy(),
                                      t.numpy())
        assert str(pt.state_dict()[name].dtype).split(".")[-1] == \
            str(t.dtype).split(".")[-1]


def test_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(pytensor.randn(4, 2) * 3 + 1)
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0, 0.0]
    assert bn.running_var.tolist() == [1.0, 1.0]
    assert int(bn.num_batches_tracked) == 0


def test_double_and_to_keep_the_counter_integer():
    bn = nn.BatchNorm1d(2).double()
    assert bn.running_mean.dtype == pytensor.float64
    assert bn.num_batches_tracked.dtype == pytensor.int64


def test_errors():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D "
                       r"input\)"):
        nn.BatchNorm1d(3)(pytensor.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D"):
        nn.BatchNorm2d(3)(pytensor.randn(2, 3, 4))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(3)

        def forward(self, x):
            return self.bn(x)
    net = Net()
    # (the op that raised is named after the path: see docs/errors.md)
    with pytest.raises(ValueError, match=r"net\.bn \(BatchNorm1d\(3, .*\)\): "
                       r"(batch_norm\(\): )?Expected more than 1 value per "
                       r"channel when "
                       r"training, got input size \[1, 3\]"):
        net(pytensor.randn(1, 3))
    with pytest.raises(RuntimeError, match=r"batch_norm: weight should "
                       r"contain 4 elements not 3"):
        net(pytensor.randn(2, 4))
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be "
                       r"divisible by num_groups \(2\)"):
        nn.GroupNorm(2, 5)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], "
                       r"expected input with shape \[\*, 4\]"):
        nn.LayerNorm(4)(pytensor.randn(2, 3))
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 "
                       r"to match num_features \(3\), but got: 4"):
        nn.InstanceNorm1d(3, affine=True)(pytensor.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(pytensor.randn(2, 4, 5))
