"""``PYTENSOR_FAKE_GPU=1 python -m pytest tests/gpu`` runs the GPU tests on
the fake CuPy of ``fakecupy.py`` (two fake GPUs), so their logic is checked
on machines without a GPU; tests that need the real CuPy (DLPack with CuPy,
torch with CUDA) skip themselves there.  Without the variable this file does
nothing and the tests skip unless a GPU is present."""
import os

_fake = None


def pytest_configure(config):
    global _fake
    if os.environ.get("PYTENSOR_FAKE_GPU") == "1" and _fake is None:
        import torch  # noqa: F401  (before the fake is in sys.modules)
        from tests.gpu import fakecupy
        _fake = fakecupy.installed(n_devices=2)
        _fake.__enter__()


def pytest_unconfigure(config):
    global _fake
    if _fake is not None:
        _fake.__exit__(None, None, None)
        _fake = None
