"""The index ops."""
from pytensor.ops._registry import load_family

__all__ = load_family(__name__, __path__, globals())
