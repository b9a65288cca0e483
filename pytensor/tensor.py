"""``Tensor``: an array (NumPy on the CPU, CuPy on a GPU) plus autograd state.

The arithmetic, reduction, shape and indexing methods are attached by the op
modules in ``pytensor/ops`` (each op file binds its own method), so this file
holds only what every tensor has: storage, gradient bookkeeping, versions,
views, conversion and printing.

The fields (storage, gradient, version counter, view links) are declared
in ``pytensor/_tensor_base.py``: C members of an extension type when
compiled, ``__slots__`` otherwise.
"""
import weakref
from operator import index as _index

import numpy as np

from pytensor import backend as _backend
from pytensor import dtypes as _dt
from pytensor._tensor_base import TensorBase, get_vc, init_fields
from pytensor.autograd import function as _function
from pytensor.autograd import grad_mode as _grad_mode
from pytensor.autograd import hooks as _hooks
from pytensor.autograd import tape as _tape_mod
from pytensor.autograd.tape import tape as _tape, user_frame

__all__ = ["Tensor"]

_ndarray = np.ndarray
_state = _grad_mode.state
_BY_NP = _dt._BY_NP


class _Meta:
    """Rare per-tensor extras, allocated only when used."""

    __slots__ = ("hooks", "retains_grad", "name", "post_accumulate")

    def __init__(self):
        self.hooks = None
        self.retains_grad = False
        self.name = None
        self.post_accumulate = None


class Tensor(TensorBase):
    """A multi-dimensional array with autograd.

    Build tensors with :func:`pytensor.tensor`, the factories (``zeros``,
    ``randn``, ...) or ops; ``Tensor(data)`` is the same as
    ``pytensor.tensor(data)``.

    Args:
        data: a Python scalar, nested list, NumPy array or Tensor.
        dtype: a pytensor dtype; inferred from ``data`` when None.
        device: ``"cpu"`` or ``"cuda[:N]"``; the default device when None.
        requires_grad (bool): record operations on this leaf for autograd.

    Example:
        >>> import pytensor
        >>> x = pytensor.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y
        tensor(14., grad_fn=<SumBackward>)
        >>> y.backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    __slots__ = ()          # the fields are TensorBase's

    # Make NumPy defer to our reflected operators (ndarray * Tensor).
    __array_priority__ = 1000

    def __init__(self, data=None, dtype=None, device=None,
                 requires_grad=False):
        from pytensor.creation import _to_array
        init_fields(self, _to_array([] if data is None else data, dtype,
                                    device))
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------
    # Basic attributes
    @property
    def shape(self):
        """The shape, as a tuple (PyTorch returns ``torch.Size``, a tuple)."""
        return self._data.shape

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[self._dim(dim, "size")]

    @property
    def dtype(self):
        return _BY_NP[self._data.dtype]

    @property
    def device(self):
        arr = self._data
        if type(arr) is _ndarray:
            return _backend.CPU
        return _backend.device_of(arr)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """Strides in elements (PyTorch's convention), not bytes."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[self._dim(dim, "stride")]

    def storage_offset(self):
        if self._base is None:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // \
            self._data.itemsize

    def data_ptr(self):
        arr = self._data
        if type(arr) is _ndarray:
            return arr.__array_interface__["data"][0]
        return arr.data.ptr

    def _dim(self, dim, op):
        n = self._data.ndim
        nn = max(n, 1)
        if type(dim) is not int:
            try:
                dim = _index(dim)
            except TypeError:
                raise TypeError(f"{op}(): dim must be an int, got "
                                f"{type(dim).__name__}") from None
        if not -nn <= dim < nn:
            raise IndexError(
                f"{op}: dimension out of range (expected to be in range of "
                f"[{-nn}, {nn - 1}], but got {dim})")
        return dim % nn if n else 0

    # ------------------------------------------------------------------
    # Autograd state
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on a leaf, in place; returns self."""
        if type(requires_grad) is not bool:
            if not isinstance(requires_grad, (int, np.bool_)):
                raise TypeError(
                    f"requires_grad_(): argument 'requires_grad' must be "
                    f"bool, not {type(requires_grad).__name__}")
            requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf "
                    "variables. If you want to use a computed variable in a "
                    "subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_(): only Tensors of floating point dtype "
                f"can require gradients, got {self.dtype}")
        self._requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors created by the user (not by a recorded op)."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient accumulated by ``backward`` (leaves, and tensors that
        called ``retain_grad()``), else None."""
        g = self._grad
        if (g is None and self.grad_fn is not None and _state.enabled
                and not (self._meta and self._meta.retains_grad)):
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is "
                "being accessed. Its .grad attribute won't be populated "
                "during autograd.backward(). Use .retain_grad() on the "
                "non-leaf Tensor if you want its gradient (see `:why` in the "
                "pytensor REPL).", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got "
                    f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: "
                    f"{list(value.shape)} vs the tensor's {list(self.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"assigned grad has data of a different type: "
                    f"{value.dtype} vs the tensor's {self.dtype}")
            if value.device != self.device:
                raise RuntimeError(
                    f"assigned grad has data located on a different device: "
                    f"{value.device} vs the tensor's {self.device}")
        elif self._grad is not None and _tape.recording:
            # ``zero_grad()`` / ``p.grad = None``: the debugger's ``:why``
            # names this line when a gradient is missing afterwards.
            _tape.note("grad", self, "grad = None")
        self._grad = value

    @property
    def _version(self):
        vc = self._vc
        return 0 if vc is None else vc.value

    def _version_value(self):
        vc = self._vc
        return 0 if vc is None else vc.value

    def _get_vc(self):
        return get_vc(self)

    def _bump_version(self, op):
        """Called by every in-place op after it wrote the data."""
        self._get_vc().bump(op, user_frame(3))

    @property
    def _meta_(self):
        m = self._meta
        if m is None:
            m = self._meta = _Meta()
        return m

    @property
    def name(self):
        """An optional display name used by the debugger."""
        m = self._meta
        return m.name if m is not None else None

    @name.setter
    def name(self, value):
        self._meta_.name = value

    def retain_grad(self):
        """Populate ``.grad`` of this non-leaf tensor during backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError(
                    "can't retain_grad on Tensor that has requires_grad=False")
            return
        m = self._meta_
        if m.retains_grad:
            return
        m.retains_grad = True
        # The engine finds retained outputs on their node, by output number.
        node = self.grad_fn
        if node._retain is None:
            node._retain = {}
        node._retain[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self):
        m = self._meta
        return bool(m is not None and m.retains_grad)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor is
        computed; a non-None return value replaces the gradient.

        Returns:
            A RemovableHandle.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require "
                "gradient")
        if self.grad_fn is not None:
            return self.grad_fn._get_pre_hooks(self._output_nr).add(hook)
        m = self._meta_
        if m.hooks is None:
            m.hooks = _hooks.HookDict(f"tensor {list(self.shape)}",
                                      "tensor.grad")
        return m.hooks.add(hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after ``.grad`` of this leaf was updated."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf "
                "tensors")
        m = self._meta_
        if m.post_accumulate is None:
            m.post_accumulate = _hooks.HookDict(
                f"tensor {list(self.shape)}", "tensor.post_accumulate")
        return m.post_accumulate.add(hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False,
                 inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``.

        Args:
            gradient: d(something)/d(self); may be omitted for a scalar.
            retain_graph (bool): keep saved values for another backward
                (defaults to ``create_graph``).
            create_graph (bool): record the backward pass, for higher-order
                derivatives.
            inputs: accumulate only into these tensors.
        """
        from pytensor.autograd.engine import backward
        backward((self,), None if gradient is None else (gradient,),
                 retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing storage (and version counter), outside the
        graph."""
        t = Tensor._make(self._data)
        t._vc = self._get_vc()
        if _tape.recording:
            _tape.note("leave", self, "detach", out=t)
        return t

    def detach_(self):
        """Detach this tensor from the graph in place."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    @property
    def data(self):
        """A detached Tensor over the same storage (PyTorch's ``.data``:
        changes through it are *not* seen by autograd's version checks)."""
        t = Tensor._make(self._data)
        if _tape.recording:
            _tape.note("leave", self, ".data", out=t)
        return t

    @data.setter
    def data(self, value):
        arr = value._data if isinstance(value, Tensor) else value
        if not hasattr(arr, "shape"):
            raise TypeError(f"data must be a Tensor or array, got "
                            f"{type(value).__name__}")
        self._data = arr

    # ------------------------------------------------------------------
    # Conversion
    def numpy(self, force=False):
        """The storage as a NumPy array (shared, no copy) on the CPU.

        Raises:
            RuntimeError: if the tensor requires grad (use ``detach()``), or
                lives on a GPU (use ``.cpu()``), unless ``force=True``.
        """
        arr = self._data
        if type(arr) is not _ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to "
                    "numpy. Use Tensor.cpu() to copy the tensor to host "
                    "memory first.")
            return _backend.to_device(arr, _backend.CPU)
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use "
                "tensor.detach().numpy() instead.")
        if _tape.recording:
            _tape.note("leave", self, ".numpy()")
        return arr

    def __array__(self, dtype=None, copy=None):
        arr = self._data
        if type(arr) is not _ndarray:
            # As PyTorch: no silent device-to-host copy (np.asarray(t)).
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. "
                "Use Tensor.cpu() to copy the tensor to host memory first.")
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be "
                "converted to Scalar")
        if _tape.recording:
            _tape.note("leave", self, ".item()")
        return self._data.reshape(()).item()

    def tolist(self):
        arr = self._data
        if type(arr) is not _ndarray:
            arr = _backend.to_device(arr, _backend.CPU)
        return arr.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is "
                "ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted "
                "to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    # DLPack (zero-copy exchange with NumPy, torch, CuPy ...): see interop.py
    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None,
                   copy=None):
        from pytensor.interop import export
        return export(self, stream, max_version, dl_device, copy)

    def __dlpack_device__(self):
        from pytensor.interop import export_device
        return export_device(self)

    @property
    def __cuda_array_interface__(self):
        """CUDA tensors only (``cupy.asarray(t)``, Numba: zero copy)."""
        from pytensor.interop import cuda_array_interface
        return cuda_array_interface(self)

    # Tensors are compared elementwise (``==`` is an op), so hash by identity
    # as PyTorch does; they can be dict keys and set members.
    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "pytensor tensors are not pickled; save them with "
            "pytensor.save(obj, path) (safetensors format)")

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) "
                "support the deepcopy protocol at the moment.")
        dev = self.device
        t = type(self)._make(_backend.to_device(self._data, dev, copy=True))
        t._requires_grad = self._requires_grad
        if self._grad is not None:
            t._grad = Tensor._make(_backend.to_device(
                self._grad._data, self._grad.device, copy=True))
        memo[id(self)] = t
        return t

    # ------------------------------------------------------------------
    # Printing
    def __repr__(self):
        from pytensor._format import format_tensor
        return format_tensor(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return format(self.item(), spec)
        return object.__format__(self, spec) if spec else self.__repr__()

    # ------------------------------------------------------------------
    # Transposes that depend on the shape family's ops.
    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for 2-d)."""
        n = self._data.ndim
        if n < 2:
            return self
        return self.permute(*range(n - 1, -1, -1))

    @property
    def mT(self):
        """The last two dimensions swapped (batched matrix transpose)."""
        if self._data.ndim < 2:
            raise RuntimeError(
                f"tensor.mT is only supported on matrices or batches of "
                f"matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T

    @property
    def mH(self):
        return self.mT


_function.Tensor = Tensor
_function._make = Tensor._make
_tape_mod.Tensor = Tensor
