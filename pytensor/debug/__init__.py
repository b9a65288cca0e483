"""Inspection API behind every REPL command; pure functions returning plain
data objects, usable from scripts and notebooks too."""
from pytensor.debug.record import record, tape

__all__ = ["record", "tape"]
