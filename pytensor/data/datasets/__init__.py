"""Real datasets that ship inside installed packages (no download)."""
from pytensor.data.datasets.digits import load_digits

__all__ = ["load_digits"]
