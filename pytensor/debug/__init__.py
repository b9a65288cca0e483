"""The inspection API behind every REPL command.

Each function returns a plain dataclass (a :class:`~pytensor.debug._result.
Result`) with ``render(width, color)`` for text that fits a terminal (no
colour under ``NO_COLOR``), ``to_json()`` for tools, and ``str()``.  The
REPL, scripts and notebooks share them::

    import pytensor
    from pytensor import debug

    with debug.record():                 # the tape records ops and lines
        loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    print(debug.graph(loss, globals()))  # the history as a tree
    print(debug.grad_table(model, globals()))
    print(debug.why(model.head.weight, globals()))

=====================  ==================================================
``record``             turn the tape on for a block
``summary``            one line per tensor: ``f32[16,8] cpu μ=0.11 σ=0.57``
``tensor_stats``       the numbers behind it
``info``               a tensor card (``:info``)
``variables``          a namespace as a table (``:vars``)
``tape_log``           the ops in execution order (``:tape``)
``graph``              autograd history as a text tree (``:graph``)
``export_graph``       DOT / SVG / JSON of a graph (``:export``)
``grad_table``         gradients per parameter (``:grad``)
``why``, ``path``      why a grad is None; how gradient flows (``:why``,
                       ``:path``)
``inplace_report``     saved tensors changed in place (``:inplace``)
``saved``              what an op saved for backward (``:saved``)
``NanSentinel``,       stop at the first op that makes NaN/inf (``:nan``)
``find_nan``
``Stepper``            run a forward module by module (``:step``)
``model_summary``      a read-only module table (``:summary``)
``gradcheck_report``   analytic vs numeric gradients per input
                       (``:gradcheck``)
``time_call``          host (and GPU) time of a call (``:time``)
``profile``            time and memory per op or module (``:profile``)
``memory``             what holds memory (``:mem``)
``Checkpoints``        snapshot / restore / diff of state (``:ckpt``)
``state_checksum``     a digest of parameters, buffers, optimizer state
                       and RNGs (the read-only guarantee)
=====================  ==================================================
"""
from pytensor.debug.record import record, tape
from pytensor.debug._result import Result, render
from pytensor.debug.summarize import (TensorStats, tensor_stats, summary,
                                      first_bad_index)
from pytensor.debug.names import Namer, resolve
from pytensor.debug.info import TensorInfo, info
from pytensor.debug.variables import VarTable, variables
from pytensor.debug.tapelog import TapeLog, tape_log
from pytensor.debug.graph import Graph, graph
from pytensor.debug.export import export_graph, graph_data
from pytensor.debug.grads import GradTable, grad_table
from pytensor.debug.why import WhyReport, why, PathReport, path
from pytensor.debug.inplace import (InplaceReport, inplace_report,
                                    SavedReport, saved)
from pytensor.debug.nan import NanHit, NanSentinel, NonFiniteError, find_nan
from pytensor.debug.step import Stepper, StepEvent
from pytensor.debug.modelsummary import ModelSummary, model_summary
from pytensor.debug.gradcheck import GradcheckReport, gradcheck_report
from pytensor.debug.timing import Timing, time_call
from pytensor.debug.profile import Profile, profile
from pytensor.debug.memory import MemoryReport, memory
from pytensor.debug.state import (Checkpoints, CheckpointDiff,
                                  state_checksum, snapshot, restore)

__all__ = [
    "record", "tape", "Result", "render", "TensorStats", "tensor_stats",
    "summary", "first_bad_index", "Namer", "resolve", "TensorInfo", "info",
    "VarTable", "variables", "TapeLog", "tape_log", "Graph", "graph",
    "export_graph", "graph_data", "GradTable", "grad_table", "WhyReport",
    "why", "PathReport", "path", "InplaceReport", "inplace_report",
    "SavedReport", "saved", "NanHit", "NanSentinel", "NonFiniteError",
    "find_nan", "Stepper", "StepEvent", "ModelSummary", "model_summary",
    "GradcheckReport", "gradcheck_report", "Timing", "time_call", "Profile",
    "profile", "MemoryReport", "memory", "Checkpoints", "CheckpointDiff",
    "state_checksum", "snapshot", "restore",
]
