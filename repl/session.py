"""The REPL session: one namespace, one evaluator, the command dispatcher
and the state the commands share (options, watches, the NaN sentinel,
checkpoints, the transcript being recorded).

The session does not know how input arrives: a console (``repl.console``)
hands it units.  The same session runs the interactive prompt_toolkit app,
``--script`` files, piped stdin, ``--check`` transcripts and the tests.
"""
import fnmatch
import io
import os
import re
import shutil
import sys
import traceback

import pytensor
from pytensor import debug
from pytensor.autograd.tape import tape as _tape
from pytensor.debug._render import DEFAULT_WIDTH, resolve_color, truncate
from pytensor.debug.names import ResolveError, paused_tape, resolve

from repl import commands as _commands
from repl.blocks import split_semicolons
from repl.evaluator import Evaluator

__all__ = ["Session", "Options", "startup_namespace", "ANSI_RE",
           "strip_ansi"]

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def strip_ansi(text):
    """``text`` without ANSI escape sequences (SGR, cursor, OSC)."""
    return ANSI_RE.sub("", text)


def startup_namespace():
    """The names every session starts with: ``pytensor``, ``nn`` and ``F``
    (when ``pytensor.nn`` is available), ``np``."""
    import numpy as np
    ns = {"__name__": "__main__", "__builtins__": __builtins__,
          "pytensor": pytensor, "np": np}
    try:
        from pytensor import nn
        ns["nn"] = nn
        import pytensor.nn.functional as F
        ns["F"] = F
    except ImportError:
        pass
    for name in ("optim", "data"):
        try:
            ns[name] = getattr(pytensor, name)
        except (ImportError, AttributeError):
            pass
    return ns


class Options:
    """``:set`` options.

    Attributes:
        width (int or None): output width (None: the terminal's).
        color (bool or None): colour (None: when the output is a terminal;
            never under ``NO_COLOR``).
        precision (int): significant digits in summaries (printing of
            tensors too).
        traceback (str): ``short`` or ``full``.
        times (bool): show timing columns (off makes transcripts stable).
    """

    NAMES = ("width", "color", "precision", "traceback", "times", "tape",
             "source", "timing")

    def __init__(self):
        self.width = None
        self.color = None
        self.precision = 3
        self.traceback = "short"
        self.times = True


class _Stop(Exception):
    """:quit."""


class Session:
    """A REPL session.

    Args:
        console: where input comes from (``repl.console``).
        out: a stream (``write``/``flush``) for everything the REPL prints;
            user ``print`` output is captured into it too when it is not
            ``sys.stdout``.
        namespace (dict): the globals (default: :func:`startup_namespace`).
        width (int): output width (default: terminal or ``$COLUMNS`` or
            100).
        color (bool): colour output (default: only on a terminal, never
            under ``NO_COLOR``).
        interactive (bool): a person is typing (affects hints only).
    """

    def __init__(self, console=None, out=None, namespace=None, width=None,
                 color=None, interactive=False):
        self.console = console
        self.out = out if out is not None else sys.stdout
        self.namespace = namespace if namespace is not None else \
            startup_namespace()
        self.startup_names = set(self.namespace)
        self.options = Options()
        self.options.width = width
        self.options.color = color
        self.interactive = interactive
        self.evaluator = Evaluator(self.namespace, self.write)
        self.history = []               # inputs of this session
        self.python_history = []        # (input that ran ops, RNG before)
        self.file_history = None        # earlier sessions' inputs
        self.watches = []               # [expr, last shown value]
        self.nan = None                 # the NaN sentinel when on
        self.nan_mode = None
        self.checkpoints = debug.Checkpoints()
        self.recorder = None            # a Recorder while :record is on
        self.prompt_stack = []          # labels of nested prompts
        self.running = True
        self.last_result = None
        _commands.load_all()
        _tape.source = True
        self._started_tape = not _tape.recording
        if self._started_tape:
            _tape.start()

    # -- output ------------------------------------------------------------
    @property
    def width(self):
        w = self.options.width
        if w:
            return int(w)
        if self.console is not None and getattr(self.console, "width",
                                                None):
            return self.console.width()
        cols = os.environ.get("COLUMNS")
        if cols and cols.isdigit():
            return int(cols)
        if hasattr(self.out, "isatty") and _isatty(self.out):
            return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        return DEFAULT_WIDTH

    @property
    def color(self):
        return resolve_color(self.options.color, self.out)

    def write(self, text=""):
        """Print a line (or lines) of the REPL's own output."""
        if text is None:
            return
        self.out.write(text + "\n")
        try:
            self.out.flush()
        except (AttributeError, ValueError):
            pass
        if self.recorder is not None:
            self.recorder.output(strip_ansi(text))

    def show(self, result, as_json=False):
        """Render a command's result (or write a string)."""
        if result is None:
            return
        if as_json:
            if isinstance(result, str):
                import json
                self.write(json.dumps({"text": result}))
            else:
                self.write(result.json())
            return
        if isinstance(result, str):
            self.write(result)
            return
        self.write(result.render(self.width, self.color).rstrip("\n"))

    def error(self, text):
        self.write(text)

    # -- resolving arguments -------------------------------------------------
    def eval(self, expr):
        """An argument's value (``#N``, module paths, expressions), with
        the tape paused."""
        try:
            return resolve(expr, self.namespace)
        except ResolveError as e:
            raise _commands.CommandError(str(e)) from None

    def tensor(self, expr, what="a tensor"):
        from pytensor.tensor import Tensor
        if not expr.strip():
            raise _commands.CommandError(f"give {what}")
        v = self.eval(expr)
        if not isinstance(v, Tensor):
            from pytensor.autograd.tape import Record
            if isinstance(v, Record):
                raise _commands.CommandError(
                    f"{expr}: the output of #{v.id} {v.op} is gone (nothing "
                    "refers to it any more)")
            raise _commands.CommandError(
                f"{expr} is a {type(v).__name__}, not a tensor")
        return v

    # -- running input -------------------------------------------------------
    def run(self):
        """Read and handle units until EOF or ``:quit``."""
        while self.running:
            try:
                unit = self.console.read_unit(">>> ", "... ")
            except EOFError:
                break
            except KeyboardInterrupt:
                self.write("KeyboardInterrupt")
                continue
            self.handle(unit)
        self.close()

    def close(self):
        """End of the session: NaN checks off (op hooks are process-wide),
        a transcript being recorded is written."""
        if self.nan is not None:
            self.nan.disable()
            self.nan = None
        if self._started_tape and _tape.recording:
            _tape.stop()
            self._started_tape = False
        if self.recorder is not None:
            self.recorder.close()
            self.write(f"transcript written to {self.recorder.path}")
            self.recorder = None

    def handle(self, text):
        """Handle one unit of input (Python or commands); returns False
        after ``:quit``."""
        if not text.strip():
            return self.running
        self.history.append(text)
        if self.recorder is not None:
            self.recorder.input(text, self.prompt_stack)
        parts = split_semicolons(text) if "\n" not in text else [text]
        for part in parts:
            try:
                if part.lstrip().startswith(":"):
                    self.command(part.strip())
                else:
                    self.python(part)
            except _Stop:
                self.running = False
                break
            except KeyboardInterrupt:
                self.write("KeyboardInterrupt")
                break
        if self.running and not self.prompt_stack:
            self.after_unit()
        return self.running

    def python(self, text, filename=None, echo=True, remember=True):
        """Run Python input (the result is echoed like the standard
        REPL)."""
        from pytensor.debug.state import _rng_states
        if self.nan is not None:
            self.nan.reset()
        entry = None
        if remember and not self.prompt_stack:
            entry = [text, _rng_states(), _tape.last_id()]
        target = self.out
        redirect = target is not sys.stdout
        saved = sys.stdout
        if redirect:
            sys.stdout = _Tee(target, self)
        try:
            ok = self.evaluator.run(text, filename, echo)
            if entry is not None and _tape.last_id() != entry[2]:
                # Remember inputs that ran ops (what :nan find re-runs).
                self.python_history.append((entry[0], entry[1]))
                del self.python_history[:-20]
            return ok
        except BaseException as e:
            if type(e).__name__ == "_Abort":
                hit = e.args[0] if e.args else None
                where = f" at #{hit.record} {hit.op}" if hit is not None and \
                    hit.record else ""
                self.write(f"aborted{where}")
                return False
            if type(e).__name__ == "StepAbort":
                self.write("aborted")
                return False
            raise
        finally:
            if redirect:
                sys.stdout = saved

    def run_hidden(self, text):
        """Run Python without echo or history (``:nan find``)."""
        return self.python(text, filename="<rerun>", echo=False,
                           remember=False)

    def python_file(self, text, path):
        """Run a whole file, compiled under its real path."""
        return self.python(text, filename=path, echo=False, remember=False)

    def all_history(self):
        """Inputs of earlier sessions (the history file) and this one."""
        old = list(self.file_history or ())
        return old + [h for h in self.history]

    def reset(self):
        """Back to the startup namespace; tape, watches, NaN checks and
        checkpoints cleared."""
        keep = {k: self.namespace[k] for k in self.startup_names
                if k in self.namespace}
        self.namespace.clear()
        self.namespace.update(keep)
        _tape.reset()
        self.watches.clear()
        if self.nan is not None:
            self.nan.disable()
        self.nan = None
        self.nan_mode = None
        self.checkpoints = debug.Checkpoints()
        self.python_history.clear()

    def command(self, text):
        name, _, raw = text[1:].partition(" ")
        name = name.strip()
        cmd = _commands.lookup(name)
        if cmd is None:
            close = [n for n in _commands.COMMANDS if n.startswith(name)]
            hint = f" (did you mean {', '.join(':' + c for c in close)}?)" \
                if close else " (:help lists the commands)"
            self.write(f"unknown command :{name}{hint}")
            return
        try:
            args = _commands.parse_args(cmd, raw.strip())
            with _OutputCapture(self):
                result = cmd.fn(self, args)
            self.last_result = result
            self.show(result, args["--json"])
        except _commands.CommandError as e:
            msg = str(e)
            if msg.startswith(cmd.name + ": "):
                msg = msg[len(cmd.name) + 2:]
            self.write(f":{cmd.name}: {msg}")
        except (_Stop, KeyboardInterrupt):
            raise
        except Exception as e:
            if type(e).__name__ in ("StepAbort", "_Abort"):
                raise
            self.write(f":{cmd.name}: {type(e).__name__}: {e}")
            if self.options.traceback == "full":
                self.write(traceback.format_exc().rstrip())

    def quit(self):
        raise _Stop()

    # -- after each unit ------------------------------------------------------
    def after_unit(self):
        if self.watches:
            for line in self.watch_report(changed_only=True):
                self.write(line)

    def watch_report(self, changed_only=False):
        from pytensor.tensor import Tensor
        lines = []
        for i, w in enumerate(self.watches, 1):
            expr, last = w
            try:
                with paused_tape():
                    v = eval(compile(expr, "<watch>", "eval"), self.namespace)
                if isinstance(v, Tensor):
                    shown = debug.summary(v, prec=self.options.precision)
                else:
                    shown = truncate(repr(v), 80)
            except Exception as e:
                shown = f"<{type(e).__name__}: {e}>"
            if changed_only and shown == last:
                continue
            was = f"   (was {last})" if last is not None and \
                changed_only else ""
            lines.append(f"watch {i}: {expr} = {shown}{was}")
            w[1] = shown
        return lines

    # -- nested prompts ------------------------------------------------------
    def nested(self, label, bindings, handler, suffix=">>> "):
        """A nested prompt ``[label]>>>`` with ``bindings`` added to the
        namespace while it runs.  ``handler(line)`` may return a value to
        leave the prompt with it; otherwise the line runs as Python or a
        command.  Returns the handler's value (None at EOF)."""
        saved = {k: self.namespace[k] for k in bindings if k in
                 self.namespace}
        self.namespace.update(bindings)
        self.prompt_stack.append(label)
        prompt = f"[{label}]{suffix}"
        try:
            while True:
                try:
                    line = self.console.read_unit(prompt, "... ")
                except EOFError:
                    return None
                except KeyboardInterrupt:
                    self.write("KeyboardInterrupt")
                    continue
                if self.recorder is not None:
                    self.recorder.input(line, self.prompt_stack, prompt)
                r = handler(line.strip())
                if r is not None:
                    return r
                if not line.strip():
                    continue
                if line.lstrip().startswith(":"):
                    try:
                        self.command(line.strip())
                    except _Stop:
                        self.running = False
                        return "abort"
                else:
                    self.python(line)
        finally:
            self.prompt_stack.pop()
            for k in bindings:
                self.namespace.pop(k, None)
            self.namespace.update(saved)

    # -- options -------------------------------------------------------------
    def set_option(self, name, value):
        o = self.options
        v = value.strip().lower()
        onoff = {"on": True, "off": False, "true": True, "false": False,
                 "1": True, "0": False, "yes": True, "no": False}
        if name == "width":
            o.width = None if v in ("auto", "") else int(v)
        elif name == "color":
            o.color = None if v == "auto" else onoff[v]
        elif name == "precision":
            o.precision = int(v)
            pytensor.set_printoptions(precision=int(v))
        elif name == "traceback":
            if v not in ("short", "full"):
                raise _commands.CommandError("traceback is short or full")
            o.traceback = v
            self.evaluator.traceback = v
        elif name == "times":
            o.times = onoff[v]
        elif name == "tape":
            if onoff[v] and not _tape.recording:
                _tape.start()
            elif not onoff[v]:
                while _tape.recording:
                    _tape.stop()
        elif name == "source":
            _tape.source = onoff[v]
        elif name == "timing":
            _tape.timing = onoff[v]
        else:
            raise _commands.CommandError(
                f"unknown option {name!r} (options: "
                f"{', '.join(Options.NAMES)})")

    def option_values(self):
        o = self.options
        return [("width", "auto" if o.width is None else str(o.width)),
                ("color", "auto" if o.color is None else
                 ("on" if o.color else "off")),
                ("precision", str(o.precision)),
                ("traceback", o.traceback),
                ("times", "on" if o.times else "off"),
                ("tape", "on" if _tape.recording else "off"),
                ("source", "on" if _tape.source else "off"),
                ("timing", "on" if _tape.timing else "off")]

    # -- status (bottom toolbar) ---------------------------------------------
    def status(self):
        """``device cpu · tape 1,204 · grad on · last backward #41 loss``."""
        from pytensor.autograd.tape import Record
        dev = str(pytensor.backend.default_device())
        n = len(_tape.rows)
        rec = "" if _tape.recording else " (off)"
        grad = "on" if pytensor.is_grad_enabled() else "OFF"
        last = "none"
        for row in reversed(_tape.rows):
            r = Record(row)
            if r.kind == "backward":
                t = r.inputs[0]() if r.inputs and r.inputs[0] is not None \
                    else None
                nm = debug.Namer(self.namespace).name(t) if t is not None \
                    else None
                last = f"#{r.id}" + (f" {nm}" if nm else "")
                break
        parts = [f"device {dev}", f"tape {n:,}{rec}", f"grad {grad}",
                 f"last backward {last}"]
        if self.nan is not None:
            parts.append(f"nan checks {self.nan_mode}")
        if self.watches:
            parts.append(f"{len(self.watches)} watch")
        return " · ".join(parts)

    def names_for_completion(self):
        return [k for k in self.namespace if not k.startswith("__")]

    def glob(self, pattern):
        return [k for k in self.namespace if fnmatch.fnmatchcase(k, pattern)]


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Tee(io.TextIOBase):
    """``sys.stdout`` while user code runs: writes go to the session's
    output (and into a transcript being recorded)."""

    def __init__(self, target, session):
        self.target = target
        self.session = session
        self._buf = ""

    def write(self, s):
        self.target.write(s)
        if self.session.recorder is not None:
            self.session.recorder.raw(strip_ansi(s))
        return len(s)

    def flush(self):
        try:
            self.target.flush()
        except (AttributeError, ValueError):
            pass

    def isatty(self):
        return _isatty(self.target)


class _OutputCapture:
    """While a command runs, ``print`` from inside it (user code it
    evaluates) goes to the session's output as well."""

    def __init__(self, session):
        self.session = session
        self.saved = None

    def __enter__(self):
        if self.session.out is not sys.stdout:
            self.saved = sys.stdout
            sys.stdout = _Tee(self.session.out, self.session)
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            sys.stdout = self.saved
        return False
