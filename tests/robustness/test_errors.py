"""Regression tests for the bad-input fixes found by the fuzz sweep
(``test_fuzz_ops.py``): each asserts the exception type and what the
message says (the op, the offending argument, shapes/dtypes/values)."""
import math

import numpy as np
import pytest

import pytensor as pt
import pytensor.nn.functional as F
from pytensor import _errors


def _raises(exc, fn, *patterns):
    """Call ``fn``; assert it raises ``exc`` and each regex in
    ``patterns`` is found in the message.  Returns the message."""
    with pytest.raises(exc) as info:
        fn()
    msg = str(info.value)
    for p in patterns:
        assert __import__("re").search(p, msg), (p, msg)
    return msg


# ----------------------------------------------------------------------
# The public boundary (pytensor/_errors.py)
def test_non_tensor_input_names_the_argument_and_type():
    _raises(TypeError, lambda: pt.relu(3),
            r"^relu\(\): argument 'input' \(position 1\) must be Tensor, "
            r"not int$")
    _raises(TypeError, lambda: pt.exp([1.0, 2.0]),
            r"^exp\(\): argument 'input' .* not list$")
    _raises(TypeError, lambda: pt.sigmoid(None), r"not None$")
    _raises(TypeError, lambda: pt.abs_(np.ones(2)),
            r"^abs_\(\): argument 'self' .* not ndarray$")
    _raises(TypeError, lambda: pt.clone([1]),
            r"^clone\(\): argument 'input' \(position 1\) must be Tensor")


def test_non_tensor_other_argument_of_a_method():
    x = pt.ones(2, 3)
    _raises(TypeError, lambda: x.index_add(0, pt.tensor([0]), "abc"),
            r"^index_add")
    _raises(TypeError, lambda: x.masked_fill([True], 1.0), r"^masked_fill")


def test_invalid_combination_lists_types_and_signature():
    x = pt.ones(2, 3)
    msg = _raises(TypeError, lambda: pt.all(x, 1.5),
                  r"^all\(\) received an invalid combination of arguments "
                  r"- got \(Tensor, float\), but expected \(input, dim=None")
    assert "object is not iterable" not in msg
    _raises(TypeError, lambda: x.sum(1.5), r"^sum\(\) .* got \(float\)")
    _raises(TypeError, lambda: pt.full((2, 3), [1, 2]),
            r"^full\(\) received an invalid combination .* got \(tuple, "
            r"list\)")
    _raises(TypeError, lambda: pt.as_tensor([1], dtype=x),
            r"^as_tensor\(\) .* got \(list, dtype=Tensor\)")


def test_huge_and_non_finite_sizes():
    _raises(RuntimeError, lambda: pt.zeros(10 ** 20),
            r"^zeros\(\): a size or value is too large .* "
            r"\(100000000000000000000\)")
    _raises(RuntimeError, lambda: pt.arange(float("nan")),
            r"^arange\(\): expected a finite number, got NaN or infinity")
    _raises(RuntimeError, lambda: pt.arange(0, float("inf")),
            r"^arange\(\): .* \(0, inf\)")


def test_binding_errors_name_the_op_not_a_helper():
    x = pt.ones(2)
    _raises(TypeError, lambda: pt.eq(x),
            r"^eq\(\) missing 1 required positional argument: 'other'$")
    _raises(TypeError, lambda: x.gt(), r"^gt\(\) missing")
    _raises(TypeError, lambda: x.float(1, 2), r"^float\(\) takes")


def test_unnamed_messages_get_the_op_prefix():
    x = pt.ones(2, 3)
    # A Tensor where a number is expected: PyTorch's own wording, named.
    _raises(RuntimeError, lambda: pt.add(x, x, alpha=x),
            r"^add\(\): Boolean value of Tensor with 6 values is ambiguous")


def test_translate_numpy_messages():
    """The NumPy phrasings are rewritten in PyTorch's."""
    def boom(msg, cls=ValueError):
        # compiled as if in the library: errors from users' code (a
        # callback) are never translated
        import os
        ns = {"cls": cls, "msg": msg}
        exec(compile("def f(*a):\n    raise cls(msg)\n", os.path.join(
            os.path.dirname(pt.__file__), "_fake_op.py"), "exec"), ns)
        return _errors.public(ns["f"], "op")

    _raises(RuntimeError, lambda: boom(
        "operands could not be broadcast together with shapes (2,3) (4,) ")(),
        r"^op: the size of tensor a \(3\) must match the size of tensor b "
        r"\(4\) at non-singleton dimension 1 \(shapes \[2, 3\] and \[4\]\)$")
    _raises(RuntimeError, lambda: boom(
        "operands could not be broadcast together with remapped shapes "
        "[original->remapped]: (3,)  and requested shape (2,4)")(),
        r"^op: the shape \[3\] cannot be broadcast to the requested shape "
        r"\[2, 4\]$")
    _raises(IndexError, lambda: boom(
        "index 7 is out of bounds for axis 0 with size 3", IndexError)(),
        r"^op: index 7 is out of bounds for dimension 0 with size 3$")
    _raises(IndexError, lambda: boom(
        "axis 4 is out of bounds for array of dimension 2")(),
        r"^op: Dimension out of range \(expected to be in range of "
        r"\[-2, 1\], but got 4\)$")
    _raises(RuntimeError, lambda: boom(
        "cannot reshape array of size 6 into shape (4,)")(),
        r"^op: shape '\[4\]' is invalid for input of size 6$")
    _raises(RuntimeError, lambda: boom("negative dimensions are not "
                                       "allowed")(-1),
            r"^op\(\): Trying to create tensor with negative dimension")
    _raises(TypeError, lambda: boom("x", KeyError)(1),
            r"^op\(\) received an invalid combination")
    # A failure that is not a bad argument still comes out as an allowed
    # type, says it is internal, and keeps the original as __cause__.
    with pytest.raises(RuntimeError, match=r"^op\(\): internal error "
                       r"\(NameError: boom\)") as info:
        boom("boom", NameError)()
    assert isinstance(info.value.__cause__, NameError)
    # PyTorch's deliberate AssertionErrors and KeyErrors (with a sentence)
    # keep their type; a failed lookup's KeyError does not
    with pytest.raises(AssertionError, match="^op\\(\\): must be within"):
        boom("must be within", AssertionError)()
    with pytest.raises(KeyError, match="param 'initial_lr' is not"):
        boom("param 'initial_lr' is not specified in param_groups[0]",
             KeyError)()


def test_errors_from_user_callbacks_are_not_translated():
    """A user's function called by a library entry point (an lr_lambda, a
    hook) raises what it raises."""
    import pytensor.optim as optim
    opt = optim.SGD([pt.ones(2, requires_grad=True)], lr=0.1)

    def lr_lambda(epoch):
        return {}["missing"]            # a bug in the user's code

    with pytest.raises(KeyError, match="missing"):
        optim.lr_scheduler.LambdaLR(opt, lr_lambda)


def test_good_errors_pass_through_untouched():
    x = pt.ones(2, 3)
    with pytest.raises(RuntimeError) as info:
        pt.mul(x, pt.ones(4))
    assert str(info.value).startswith("mul: the size of tensor a (3) must "
                                      "match the size of tensor b (4)")
    assert info.value.__cause__ is None


def test_public_keeps_signature_and_docs():
    import inspect
    assert inspect.signature(pt.relu).parameters.keys() >= {"input"}
    assert pt.relu.__doc__ and "Example" in pt.relu.__doc__
    assert pt.relu.__wrapped__.__module__.startswith("pytensor.ops")
    # Wrapping is idempotent: one layer only.
    assert _errors.public(pt.relu).__wrapped__ is pt.relu.__wrapped__


# ----------------------------------------------------------------------
# Tensor core methods
def test_requires_grad_takes_a_bool():
    x = pt.ones(2, 3)
    _raises(TypeError, lambda: x.requires_grad_(x),
            r"^requires_grad_\(\): argument 'requires_grad' must be bool, "
            r"not Tensor$")
    _raises(TypeError, lambda: x.requires_grad_(np.ones(2)), r"ndarray")
    _raises(RuntimeError, lambda: pt.ones(2, dtype=pt.int64).requires_grad_(),
            r"^requires_grad_\(\): only Tensors of floating point dtype can "
            r"require gradients, got pytensor.int64$")
    assert x.requires_grad_(1).requires_grad        # ints are fine
    assert not x.requires_grad_(np.bool_(False)).requires_grad


def test_size_dim_must_be_an_int():
    x = pt.ones(2, 3)
    _raises(TypeError, lambda: x.size(1.5),
            r"^size\(\): dim must be an int, got float$")
    _raises(TypeError, lambda: x.size([1]), r"got list$")
    _raises(IndexError, lambda: x.size(2), r"^size: dimension out of range")
    assert x.size(pt.tensor(1)) == 3 and x.size(np.int64(-1)) == 3


# ----------------------------------------------------------------------
# Bad values that were accepted silently (PyTorch raises)
def test_where_condition_must_be_bool():
    x = pt.ones(2, 3)
    _raises(RuntimeError, lambda: pt.where(x, x, x),
            r"^where: expected condition to be a boolean tensor, but got a "
            r"tensor with dtype float32$")
    _raises(RuntimeError, lambda: pt.where(pt.tensor([1, 0]), 1.0, x[0, :2]),
            r"dtype int64$")
    assert pt.where(x > 0, x, 0.0).tolist() == x.tolist()


@pytest.mark.parametrize("p", [float("nan"), -0.1, 1.5])
def test_dropout_probability_range(p):
    x = pt.ones(4)
    for fn, shape in ((F.dropout, (4,)), (F.dropout1d, (1, 4)),
                      (F.dropout2d, (1, 1, 1, 4)),
                      (F.dropout3d, (1, 1, 1, 1, 4))):
        _raises(ValueError, lambda: fn(x.reshape(shape), p),
                r"^(dropout\dd\(\): )?dropout probability has to be "
                r"between 0 and 1, but got "
                + ("nan" if math.isnan(p) else str(p)))


@pytest.mark.parametrize("fn", [pt.isclose, pt.allclose])
def test_isclose_tolerances_must_be_non_negative(fn):
    x = pt.ones(2)
    name = fn.__name__
    _raises(RuntimeError, lambda: fn(x, x, float("nan")),
            rf"^{name}: rtol must be greater than or equal to zero, but got "
            r"nan$")
    _raises(RuntimeError, lambda: fn(x, x, 1e-5, -1.0),
            rf"^{name}: atol must be .* but got -1.0$")


def test_normal_std_must_be_non_negative():
    _raises(RuntimeError, lambda: pt.normal(0.0, -1.0, (2,)),
            r"^normal: expects std >= 0.0, but found std -1.0$")
    _raises(RuntimeError, lambda: pt.normal(0.0, float("nan"), (2,)),
            r"found std nan$")
    _raises(RuntimeError, lambda: pt.normal(pt.zeros(2),
                                            pt.tensor([1.0, -1.0])),
            r"^normal: expects all elements of std >= 0.0$")
    assert pt.normal(pt.zeros(3), pt.zeros(3)).tolist() == [0.0] * 3


def test_cosine_similarity_eps_must_be_non_negative():
    x = pt.ones(2, 3)
    _raises(RuntimeError, lambda: F.cosine_similarity(x, x, 1, -1.0),
            r"^cosine_similarity: eps must be non-negative, got -1.0$")


def test_narrow_start_must_be_integral():
    x = pt.arange(6).reshape(2, 3)
    _raises(TypeError, lambda: x.narrow(1, pt.tensor(1.0), 1),
            r"^narrow\(\): only integer tensors of a single element")
    _raises(TypeError, lambda: x.narrow(1, 1.5, 1), r"^narrow")
    assert x.narrow(1, pt.tensor(1), 1).tolist() == [[1], [4]]


def test_positive_of_bool():
    _raises(RuntimeError, lambda: +pt.tensor([True]),
            r"^positive: The `\+` operator, on a bool tensor is not "
            r"supported.$")
    _raises(RuntimeError, lambda: pt.tensor([True]).positive(), r"^positive")


# ----------------------------------------------------------------------
# Warnings from ops point at the user's line (the public wrapper is one more
# frame, so a fixed ``stacklevel`` would name pytensor/_errors.py).
@pytest.mark.parametrize("call", [
    lambda: pt.softmax(pt.ones(2, 3)),
    lambda: F.softmax(pt.ones(2, 3)),
    lambda: F.dropout2d(pt.ones(1, 2, 3)),
    lambda: pt.meshgrid(pt.ones(2), pt.ones(2)),
    lambda: F.mse_loss(pt.ones(3), pt.ones(1)),
    lambda: F.kl_div(pt.ones(2), pt.ones(2)),
    lambda: F.l1_loss(pt.ones(2), pt.ones(2), size_average=True),
    lambda: pt.nn.MSELoss(size_average=True),
    lambda: pt.nn.Hardtanh(min_value=-2.0),
    lambda: pt.data.DataLoader(pt.data.TensorDataset(pt.ones(2)),
                               pin_memory=True),
    lambda: pt.optim.SGD([pt.ones(1, requires_grad=True)] * 2, lr=0.1),
], ids=["softmax", "F.softmax", "dropout2d", "meshgrid", "mse_size",
        "kl_div_mean", "legacy_reduction", "module_legacy_reduction",
        "hardtanh_min_value", "dataloader_pin_memory", "sgd_duplicates"])
def test_op_warnings_point_at_the_users_line(call):
    with pytest.warns((UserWarning, FutureWarning)) as rec:
        call()
    assert [w.filename for w in rec] == [__file__] * len(rec)


# ----------------------------------------------------------------------
# Operators and indexing (no public wrapper: fixed in the ops)
def test_setitem_rejects_values_that_are_not_numbers():
    x = pt.zeros(2, 3)
    for v, name in ((None, "NoneType"), ("a", "str"), (1 + 2j, "complex"),
                    (object(), "object")):
        with pytest.raises(TypeError, match=rf"^index_put_: can't assign a "
                           rf"{name} to a float32 tensor$"):
            x[0] = v
    _raises(TypeError, lambda: x.__setitem__(0, ["a", "b", "c"]),
            r"^index_put_: can't assign a list of non-numeric values")
    _raises(TypeError, lambda: x.__setitem__(0, [[1, 2], [3]]),
            r"non-numeric")
    assert x.tolist() == [[0.0] * 3] * 2            # nothing was written
    x[0] = [1, 2, 3]                                # numbers are fine
    x[1] = np.float32(4)
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0] * 3]


def test_setitem_out_of_range_index_is_reported_before_the_shape():
    x = pt.zeros(2, 3)
    # NumPy used to report the bad value shape's region with its own
    # "index 9 is out of bounds for axis 0" while computing it.
    _raises(IndexError, lambda: x.__setitem__(pt.tensor([0, 9]),
                                              pt.ones(4)),
            r"^index 9 is out of bounds for dimension 0 with size 2$")


def test_operator_with_a_python_int_out_of_range():
    x = pt.ones(2, dtype=pt.int64)
    _raises(RuntimeError, lambda: x + 10 ** 20,
            r"^add\(\): a size or value is too large to represent - got "
            r"\(Tensor\[2\], 100000000000000000000\)$")
    _raises(RuntimeError, lambda: x * -10 ** 20, r"^mul\(\): ")
    _raises(RuntimeError, lambda: x & 10 ** 20,
            r"^bitwise_and: Overflow when unpacking long: "
            r"100000000000000000000 does not fit")


def test_inplace_bitwise_operators_name_the_op():
    b = pt.tensor([True, False])
    with pytest.raises(RuntimeError, match=r"^bitwise_and_: result type "
                       r"int64 can't be cast to the desired output type"):
        b &= 3
    with pytest.raises(RuntimeError, match=r"^bitwise_or_: "):
        b |= pt.tensor([1, 2], dtype=pt.uint8)


def test_user_function_errors_are_not_translated():
    """Only the library's own ops have their forward errors rewritten."""
    from pytensor.autograd import Function

    class Mine(Function):
        def forward(self, x):
            raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        Mine.apply(pt.ones(2))


def test_tensor_split_with_an_absurd_number_of_sections():
    # Used to loop (building 10**20 bounds) until memory ran out.
    _raises(RuntimeError, lambda: pt.tensor_split(pt.ones(2, 3), 10 ** 20, 1),
            r"^tensor_split: Overflow when unpacking long: "
            r"100000000000000000000 sections$")
    assert len(pt.tensor_split(pt.ones(2, 3), 5, 1)) == 5


# ----------------------------------------------------------------------
# Kernels called directly (pytensor_ext.cpu)
def test_kernel_dim_beyond_ssize_t_is_out_of_range():
    from pytensor_ext import cpu
    x = np.ones((2, 3))
    for fn, args in ((cpu.softmax_fwd, (x, 10 ** 20)),
                     (cpu.log_softmax_bwd, (x, x, -10 ** 20)),
                     (cpu.index_add, (x.copy(), 10 ** 20,
                                      np.array([0]), np.ones((2, 1))))):
        with pytest.raises(IndexError, match=rf"^{fn.__name__}: Dimension "
                           r"out of range \(expected to be in range of "
                           r"\[-2, 1\], but got -?100000000000000000000\)$"):
            fn(*args)


@pytest.mark.parametrize("fn", ["index_add", "scatter_add"])
def test_scatter_kernels_reject_a_0d_target(fn):
    from pytensor_ext import cpu, reference
    for mod in (cpu, reference):
        # (the compiled scatter_add reports the dimension mismatch first)
        with pytest.raises((IndexError, ValueError), match=rf"^{fn}: "):
            getattr(mod, fn)(np.array(1.0), 0, np.array([0]),
                             np.array([1.0]))


def test_sum_to_shape_kernel_bad_arguments():
    from pytensor_ext import cpu
    _raises(TypeError, lambda: cpu.sum_to_shape(None, (1,)),
            r"^sum_to_shape: expected an array and a shape tuple, got "
            r"NoneType and tuple$")
    _raises(TypeError, lambda: cpu.sum_to_shape(np.ones(3), None),
            r"got ndarray and NoneType$")
    _raises(ValueError, lambda: cpu.sum_to_shape(np.ones((2, 3)),
                                                 (10 ** 20,)),
            r"^sum_to_shape: cannot sum an array of shape \(2, 3\)")


@pytest.mark.parametrize("kw, pattern", [
    ({"lr": None}, r"^adam_step: lr must be a real number, got NoneType$"),
    ({"eps": "a"}, r"^adam_step: eps must be a real number, got str$"),
    ({"weight_decay": np.ones(2)},
     r"^adam_step: weight_decay must be a real number, got ndarray$"),
    ({"eps": 10 ** 400}, r"^adam_step: eps=1000.* does not fit a double$"),
    ({"step": 0}, r"^adam_step: step must be at least 1, got 0$"),
    ({"step": -1}, r"^adam_step: step must be at least 1, got -1$"),
])
def test_optimizer_kernel_hyper_parameters(kw, pattern):
    from pytensor_ext import cpu
    p = np.ones(4)
    args = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                step=1)
    args.update(kw)
    exc = TypeError if "real number" in pattern else ValueError
    with pytest.raises(exc, match=pattern):
        cpu.adam_step(p, p.copy(), np.zeros(4), np.zeros(4), **args)


def test_optimizer_kernel_hyper_parameters_other_kernels():
    from pytensor_ext import cpu
    p = np.ones(4)
    _raises(TypeError, lambda: cpu.sgd_step(p, p.copy(), np.zeros(4),
                                            lr=0.1, momentum=np.ones(2)),
            r"^sgd_step: momentum must be a real number, got ndarray$")
    _raises(TypeError, lambda: cpu.rmsprop_step(
        p, p.copy(), np.zeros(4), lr=0.1, alpha=0.9, eps=1e-8,
        momentum=None), r"^rmsprop_step: momentum must be a real number")
    _raises(TypeError, lambda: cpu.adagrad_step(
        p, p.copy(), np.zeros(4), lr=0.1, lr_decay=0.0, eps=None,
        weight_decay=0.0, step=1), r"^adagrad_step: eps must be a real")
    # good calls still work, and errors that are not about the
    # hyper-parameters are left alone
    cpu.sgd_step(p, p.copy(), lr=0.1)
    assert p.tolist() == [0.9] * 4


# ----------------------------------------------------------------------
# Layers, optimizers, data, checkpoints
def test_constructor_internal_failures_name_the_class():
    import pytensor.optim as optim
    _raises(TypeError, lambda: pt.nn.ZeroPad2d(None),
            r"^ZeroPad2d\(\) received an invalid combination of arguments "
            r"- got \(None\), but expected \(padding\)$")
    _raises(TypeError, lambda: optim.SGD(None, lr=0.1),
            r"^SGD\(\) received an invalid combination of arguments - got "
            r"\(None, lr=float\)")
    _raises(TypeError, lambda: optim.Adam([pt.ones(2, requires_grad=True)],
                                          lr="a"), r"^Adam\(\) .* lr=str")
    # the constructors' own messages stay PyTorch's, word for word
    with pytest.raises(ValueError) as info:
        optim.SGD([pt.ones(2, requires_grad=True)], lr=-1)
    assert str(info.value) == "Invalid learning rate: -1"


def test_flatten_layers_check_their_input():
    _raises(TypeError, lambda: pt.nn.Flatten()(3),
            r"^Flatten \(Flatten\(start_dim=1, end_dim=-1\)\): flatten\(\): "
            r"argument 'input' \(position 1\) must be Tensor, not int$")
    model = pt.nn.Sequential(pt.nn.Linear(2, 4), pt.nn.Unflatten(1, (2, 2)))
    assert model(pt.ones(3, 2)).shape == (3, 2, 2)
    _raises(TypeError, lambda: model[1](None),
            r"unflatten\(\): argument 'input' .* not None$")


def test_save_reports_path_problems(tmp_path):
    state = {"w": pt.ones(2)}
    _raises(FileNotFoundError, lambda: pt.save(state, tmp_path / "no" / "x"),
            rf"^save: parent directory {tmp_path / 'no'} does not exist$")
    _raises(IsADirectoryError, lambda: pt.save(state, tmp_path),
            rf"^save: {tmp_path} is a directory$")
    _raises(TypeError, lambda: pt.save(state, 3),
            r"^save: f must be a path \(str or os.PathLike\) or a writable "
            r"binary file, got int$")
    assert list((tmp_path).iterdir()) == []     # no temporary file left
    pt.save(state, tmp_path / "x")
    assert pt.load(tmp_path / "x")["w"].tolist() == [1.0, 1.0]


# ----------------------------------------------------------------------
# Module-level errors: the layer path, expected and actual shapes; state
# dicts; optimizers (these existed; asserted here as the error contract)
class _Net(pt.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = pt.nn.ModuleDict({"proj": pt.nn.Sequential(
            pt.nn.Linear(3, 4), pt.nn.Tanh(), pt.nn.Linear(4, 4))})
        self.head = pt.nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.encoder["proj"](x))


def test_layer_errors_name_the_path_and_shapes():
    model = _Net()
    _raises(RuntimeError, lambda: model(pt.ones(2, 5)),
            r"^model\.encoder\.proj\.0 \(Linear\(in_features=3, "
            r"out_features=4, bias=True\)\): linear: expected input with "
            r"last dimension 3, got shape \[2, 5\] \(weight shape \[4, 3\]\)$")
    _raises(RuntimeError, lambda: model(pt.ones(2, 3, dtype=pt.float64)),
            r"^model\.encoder\.proj\.0 .*: linear: expected input and weight "
            r"to have the same dtype, but got pytensor.float64 and "
            r"pytensor.float32$")
    _raises(TypeError, lambda: model(None), r"^model\.encoder\.proj\.0 .* "
            r"not NoneType$")
    emb = pt.nn.Embedding(5, 3)
    _raises(IndexError, lambda: emb(pt.tensor([0, 7])),
            r"^emb \(Embedding\(5, 3\)\): embedding: index out of range in "
            r"self \(index 7, num_embeddings 5\)$")
    loss = pt.nn.CrossEntropyLoss()
    _raises(ValueError, lambda: loss(pt.randn(3, 5), pt.tensor([0, 1])),
            r"Expected input batch_size \(3\) to match target batch_size "
            r"\(2\)")


def test_load_state_dict_errors():
    model = pt.nn.Sequential(pt.nn.Linear(3, 4), pt.nn.Linear(4, 1))
    sd = model.state_dict()
    bad = dict(sd, **{"0.weight": pt.ones(2, 2)})
    _raises(RuntimeError, lambda: model.load_state_dict(bad),
            r"^Error\(s\) in loading state_dict for Sequential:\n\tsize "
            r"mismatch for 0\.weight: copying a param with shape \[2, 2\] "
            r"from checkpoint, the shape in current model is \[4, 3\]\.$")
    missing = {k: v for k, v in sd.items() if k != "1.bias"}
    missing["extra"] = pt.ones(1)
    _raises(RuntimeError, lambda: model.load_state_dict(missing),
            r'Missing key\(s\) in state_dict: "1\.bias"\.', r'Unexpected '
            r'key\(s\) in state_dict: "extra"\.')
    _raises(RuntimeError, lambda: model.load_state_dict(
        dict(sd, **{"0.bias": "abc"})), r'While copying the parameter named '
        r'"0\.bias", expected pytensor.Tensor')
    _raises(TypeError, lambda: model.load_state_dict(None),
            r"^Expected state_dict to be dict-like")
    before = model[0].weight.tolist()
    assert model[0].weight.tolist() == before       # nothing half-loaded


def test_optimizer_parameter_errors():
    import pytensor.optim as optim
    p = pt.ones(2, requires_grad=True)
    _raises(ValueError, lambda: optim.SGD([p * 2], lr=0.1),
            r"^can't optimize a non-leaf Tensor$")
    _raises(ValueError, lambda: optim.SGD([{"params": [p]},
                                           {"params": [p]}], lr=0.1),
            r"^some parameters appear in more than one parameter group$")
    with pytest.warns(UserWarning, match="duplicate parameters") as rec:
        optim.SGD([p, p], lr=0.1)
    assert rec[0].filename == __file__
    _raises(ValueError, lambda: optim.SGD([], lr=0.1),
            r"^optimizer got an empty parameter list$")
    # a state dict from an optimizer over other parameters
    model = pt.nn.Linear(3, 4)
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(pt.ones(2, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = pt.ones(7)
    _raises(ValueError, lambda: optim.Adam(model.parameters(), lr=0.1)
            .load_state_dict(sd),
            r"^loaded state dict has a state tensor 'exp_avg' of shape \[7\] "
            r"for parameter 0 of shape \[4, 3\]")
