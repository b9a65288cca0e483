"""Fixtures for the REPL tests (the tape fixtures of tests/debug)."""
from tests.debug.conftest import _isolate_tape, mlp, nn, rec  # noqa: F401
