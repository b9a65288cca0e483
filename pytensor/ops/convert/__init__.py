"""dtype and device conversion: ``to``, ``type``, ``float()`` ..., ``cpu()``,
``cuda()``, ``clone``, ``contiguous``."""
from pytensor.ops._registry import load_family

__all__ = load_family(__name__, __path__, globals())
