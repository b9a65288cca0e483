"""Running the user's Python: compile, execute, echo, keep ``_``, and show
tracebacks of the user's code only.

Each input is compiled under its own file name ``<repl-N>``; its text is
registered with ``linecache`` (tracebacks show the line) and with the tape
(``pytensor.autograd.tape.register_source``: ``:tape`` and ``:graph`` show
the line).  Expressions are echoed with ``repr`` like the standard REPL and
kept in ``_`` and ``_N``.  Exceptions print a traceback that starts at the
user's code (the REPL's own frames are dropped) and, unless
``traceback="full"``, folds runs of pytensor's internal frames into one
line; Ctrl-C interrupts the computation; nothing ends the session.
"""
import ast
import linecache
import os
import sys
import traceback

from pytensor.autograd import tape as _tape_mod

__all__ = ["Evaluator", "format_exception"]

_REPL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIB_DIRS = tuple(os.path.join(_PKG_ROOT, d) + os.sep
                  for d in ("pytensor", "pytensor_ext"))


def _is_repl_frame(filename):
    return filename.startswith(_REPL_DIR)


# Compiled modules (pytensor/_compiled.py) report their frames with the
# relative source path they were built from.
_LIB_RELATIVE = ("pytensor" + os.sep, "pytensor_ext" + os.sep)


def _is_lib_frame(filename):
    return (filename.startswith(_LIB_DIRS) or filename.startswith(
        _LIB_RELATIVE) or filename.startswith("<frozen"))


def format_exception(exc, full=False):
    """The traceback text of ``exc`` as the user should see it: frames of
    the REPL itself removed, runs of pytensor-internal frames folded into
    ``[N frames in pytensor]`` unless ``full``.

    Example:
        >>> from repl.evaluator import format_exception
        >>> try:
        ...     1 / 0
        ... except ZeroDivisionError as e:
        ...     print(format_exception(e).splitlines()[-1])
        ZeroDivisionError: division by zero
    """
    te = traceback.TracebackException.from_exception(exc, capture_locals=False)
    _trim(te, full)
    return "".join(te.format()).rstrip("\n")


def _trim(te, full):
    frames = list(te.stack)
    # Drop the REPL's own frames at the top (the evaluator calling exec).
    while frames and _is_repl_frame(frames[0].filename):
        frames.pop(0)
    if not full:
        out = []
        run = 0
        for fs in frames:
            if _is_lib_frame(fs.filename) or _is_repl_frame(fs.filename):
                run += 1
                continue
            if run:
                out.append(_Folded(run))
                run = 0
            out.append(fs)
        if run:
            out.append(_Folded(run))
        frames = out
    te.stack = _Stack(frames)
    if te.__cause__ is not None:
        _trim(te.__cause__, full)
    if te.__context__ is not None:
        _trim(te.__context__, full)


class _Folded:
    """Stands for a run of internal frames in a formatted traceback."""

    def __init__(self, n):
        self.n = n


class _Stack(traceback.StackSummary):
    """A StackSummary that can hold folded runs."""

    def __init__(self, frames):
        super().__init__(frames)

    def format(self):
        out = []
        for fs in self:
            if isinstance(fs, _Folded):
                out.append(f"  [{fs.n} frame{'s' if fs.n != 1 else ''} in "
                           "pytensor]\n")
                continue
            one = traceback.StackSummary.from_list([fs]).format()
            out.extend(one)
        return out


class Evaluator:
    """Compiles and runs input in ``namespace``.

    Args:
        namespace (dict): the globals of the session.
        write: ``fn(text)`` for echoed values and tracebacks.
        traceback (str): ``"short"`` (fold pytensor frames) or ``"full"``.

    Example:
        >>> from repl.evaluator import Evaluator
        >>> out = []
        >>> ev = Evaluator({}, out.append)
        >>> ev.run("x = 20")
        True
        >>> ev.run("x + 22")
        True
        >>> out, ev.namespace["_"]
        (['42'], 42)
    """

    def __init__(self, namespace, write, traceback="short"):
        self.namespace = namespace
        self.write = write
        self.traceback = traceback
        self.count = 0
        self.last_exception = None
        self.display = repr

    def next_filename(self):
        self.count += 1
        return f"<repl-{self.count}>"

    def compile(self, text, filename):
        """``(code, is_expression)`` for ``text``; SyntaxError if invalid.

        A lone expression is compiled in ``eval`` mode (its value is
        echoed); other input runs as ``exec``, with the value of a final
        expression statement echoed too (as the standard REPL does for the
        last line of ``a = 1; a``).
        """
        _register(filename, text)
        try:
            return compile(text, filename, "eval"), True
        except SyntaxError:
            pass
        tree = ast.parse(text, filename, "exec")
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body.pop()
            body = compile(tree, filename, "exec") if tree.body else None
            expr = compile(ast.Expression(last.value), filename, "eval")
            return (body, expr), True
        return compile(tree, filename, "exec"), False

    def run(self, text, filename=None, echo=True):
        """Run one input; returns False when it raised (the traceback has
        been written), True otherwise."""
        filename = filename or self.next_filename()
        try:
            code, is_expr = self.compile(text, filename)
        except (SyntaxError, ValueError, OverflowError) as e:
            self._show(e, syntax=True)
            return False
        try:
            value = self.execute(code, is_expr)
        except KeyboardInterrupt:
            self.write("KeyboardInterrupt")
            return False
        except SystemExit as e:
            self.write(f"SystemExit: {e.code!r} (use :quit or Ctrl-D to "
                       "leave the REPL)")
            return False
        except BaseException as e:      # the session never ends by accident
            if type(e).__name__ in ("StepAbort", "_Abort"):
                raise                   # the debugger's own control flow
            self._show(e)
            return False
        if is_expr and echo and value is not None:
            self.namespace["_"] = value
            self.namespace[f"_{self.count}"] = value
            self.write(self.display(value))
        return True

    def execute(self, code, is_expr):
        ns = self.namespace
        if isinstance(code, tuple):
            body, expr = code
            if body is not None:
                exec(body, ns)
            return eval(expr, ns)
        if is_expr:
            return eval(code, ns)
        exec(code, ns)
        return None

    def _show(self, e, syntax=False):
        self.last_exception = e
        sys.last_type, sys.last_value, sys.last_traceback = \
            type(e), e, e.__traceback__
        if syntax:
            text = "".join(traceback.format_exception_only(type(e), e))
            self.write(text.rstrip("\n"))
            return
        self.write(format_exception(e, self.traceback == "full"))


def _register(filename, text):
    """Make the text of ``filename`` visible to tracebacks and the tape."""
    lines = [ln + "\n" for ln in text.splitlines()]
    linecache.cache[filename] = (len(text), None, lines, filename)
    _tape_mod.register_source(filename, text)


_tape_mod.add_internal_dir(os.path.dirname(os.path.abspath(__file__)))
