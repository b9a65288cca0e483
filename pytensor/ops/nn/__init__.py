"""The neural-network ops: normalization, attention and recurrent layers
(fused Functions over whole layers, with array fast paths)."""
from pytensor.ops._registry import load_family

__all__ = load_family(__name__, __path__, globals())
