"""``pytensor.utils``: the ``torch.utils`` namespace.

``pytensor.utils.data`` *is* :mod:`pytensor.data` (the same module
objects, registered under both names), so code written for
``torch.utils.data`` ports by changing the import.
"""
import sys as _sys

from pytensor import data

_sys.modules[f"{__name__}.data"] = data
for _name in ("dataset", "sampler", "collate", "dataloader", "progress",
              "datasets", "datasets.digits"):
    _sys.modules[f"{__name__}.data.{_name}"] = \
        _sys.modules[f"pytensor.data.{_name}"]

__all__ = ["data"]
