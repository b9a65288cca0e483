"""Named tuples returned by the multi-output ops, as ``torch.return_types``.

``values, indices = x.max(1)`` unpacks like a tuple; ``r.values`` and
``r.indices`` name the fields.  The repr names the op::

    >>> import pytensor
    >>> pytensor.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    pytensor.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
"""
import collections

__all__ = ["max", "min", "median", "kthvalue", "topk", "sort", "aminmax"]


def _make(name, fields=("values", "indices")):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"pytensor.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                               "__module__": __name__})
    cls.__doc__ = (f"The result of ``{name}``: a named tuple of "
                   f"({', '.join(fields)}).")
    return cls


max = _make("max")                  # noqa: A001
min = _make("min")                  # noqa: A001
median = _make("median")
kthvalue = _make("kthvalue")
topk = _make("topk")
sort = _make("sort")
aminmax = _make("aminmax", ("min", "max"))
