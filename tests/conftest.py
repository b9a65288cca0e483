"""Test configuration shared by the whole suite.

- ``PYTENSOR_REQUIRE_TORCH=1`` (set by ``.ci/run``): parity tests *fail*
  when PyTorch is missing instead of skipping.
- ``PYTENSOR_REQUIRE_EXT=1`` (set by ``.ci/run``): the session aborts when
  the compiled Cython kernels did not load, so the NumPy reference never
  silently stands in for them.
- Tests marked ``gpu`` skip unless a CUDA device is present.
"""
import os

import numpy as np
import pytest

import pytensor
import pytensor_ext


def pytest_configure(config):
    if os.environ.get("PYTENSOR_REQUIRE_EXT") == "1" and \
            not pytensor_ext.HAVE_CPU_EXT:
        raise pytest.UsageError(
            "PYTENSOR_REQUIRE_EXT=1 but the compiled kernels did not load: "
            f"{pytensor_ext.cpu.LOAD_ERRORS or 'no compiled modules'}")


def pytest_collection_modifyitems(config, items):
    if pytensor.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    return [f"pytensor_ext: HAVE_CPU_EXT={pytensor_ext.HAVE_CPU_EXT} "
            f"fallback={pytensor_ext.cpu.FALLBACK}",
            f"cuda available: {pytensor.cuda.is_available()}"]


def require_torch():
    """Import torch, or skip (fail under PYTENSOR_REQUIRE_TORCH=1)."""
    try:
        import torch
    except ImportError:
        if os.environ.get("PYTENSOR_REQUIRE_TORCH") == "1":
            pytest.fail("PyTorch (the test oracle) is not installed, and "
                        "PYTENSOR_REQUIRE_TORCH=1")
        pytest.skip("PyTorch not installed")
    return torch


@pytest.fixture
def torch():
    return require_torch()


@pytest.fixture(autouse=True)
def _seed():
    pytensor.manual_seed(0)
    np.random.seed(0)
    yield
