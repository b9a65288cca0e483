"""The layers: one file per family (``linear.py``, ``activation.py``,
``loss.py``, ...).  Every file not starting with ``_`` is imported and its
``__all__`` re-exported, so adding a layer file needs no registration."""
from pytensor.ops._registry import load_family as _load_family

__all__ = _load_family(__name__, __path__, globals())
