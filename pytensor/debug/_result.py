"""The base of every result object in ``pytensor.debug``.

Each inspection function returns a dataclass deriving from :class:`Result`:

- ``result.render(width=100, color=False)`` -> text that fits ``width``;
- ``result.to_json()`` -> plain JSON-able data (``--json`` in the REPL);
- ``str(result)`` -> ``render()`` at the default width, no colour.

Fields holding live objects (tensors bound for a nested prompt, modules)
are marked ``field(metadata=LIVE)``: they are left out of ``to_json`` and
of the dataclass ``repr``/comparison.
"""
import dataclasses
import json
import math

import numpy as np

from pytensor.debug._render import DEFAULT_WIDTH

__all__ = ["Result", "LIVE", "live", "jsonable", "render"]

LIVE = {"json": False}


def live(default=None):
    """A dataclass field for a live object (not serialized, not compared)."""
    return dataclasses.field(default=default, repr=False, compare=False,
                             metadata=LIVE)


def jsonable(obj):
    """``obj`` converted to JSON-able data (recursively)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        if math.isnan(obj) or math.isinf(obj):
            return str(obj)
        return obj
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, np.dtype):
        return obj.name
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            if f.metadata.get("json", True) is False:
                continue
            out[f.name] = jsonable(getattr(obj, f.name))
        return out
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    from pytensor.tensor import Tensor
    if isinstance(obj, Tensor):
        from pytensor.debug.summarize import tensor_stats
        return jsonable(tensor_stats(obj))
    return str(obj)


class Result:
    """Mixin for result dataclasses: ``render``, ``to_json``, ``str``."""

    def render(self, width=None, color=False):       # pragma: no cover
        raise NotImplementedError

    def to_json(self):
        """Plain data: dicts, lists, strings and numbers."""
        d = jsonable(self)
        if isinstance(d, dict):
            d = {"type": type(self).__name__, **d}
        return d

    def json(self, indent=2):
        """``to_json()`` as a JSON string."""
        return json.dumps(self.to_json(), indent=indent, ensure_ascii=False)

    def __str__(self):
        return self.render(DEFAULT_WIDTH, False)


def render(result, width=None, color=False):
    """Render any result object (or a string) at ``width``."""
    if isinstance(result, str):
        return result
    return result.render(width or DEFAULT_WIDTH, color)
