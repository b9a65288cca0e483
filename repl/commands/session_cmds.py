"""Session commands: ``:device :seed :pm :hist :run :record :set :reset
:quit``."""
import os

import pytensor
from repl.commands import CommandError, command


@command("device", "[cpu|cuda[:N]]",
         "show the default device and the GPUs; or set the default device",
         example=":device cuda:0")
def device(session, args):
    from pytensor import backend, cuda
    want = args.rest.strip()
    if want:
        try:
            backend.set_default_device(want)
        except Exception as e:
            raise CommandError(str(e)) from None
    lines = [f"default device: {backend.default_device()}"]
    if cuda.is_available():
        for i in range(cuda.device_count()):
            lines.append(f"cuda:{i}  {cuda.get_device_name(i)}")
    else:
        lines.append("CUDA: not available (CuPy missing or no GPU)")
    lines.append(_threads_line())
    return "\n".join(lines)


_HOW = {"set": "set by pytensor", "user": "yours", "off":
        "PYTENSOR_THREAD_TUNING=0", "too late": "loaded before pytensor"}


def _threads_line():
    """How idle CPU threads behave (pytensor/_threads.py): a spinning pool
    takes the cores the next op needs, which is worth seeing when a step
    is slower than it should be."""
    from pytensor import _threads
    parts = []
    for name, (value, how) in _threads.status().items():
        shown = f"{name}={value}" if value is not None else f"{name} unset"
        parts.append(f"{shown} ({_HOW.get(how, how)})")
    return f"CPU: {os.cpu_count()} cores; idle threads: " + ", ".join(parts)


@command("seed", "N", "seed every RNG (pytensor, NumPy, Python, CuPy)",
         example=":seed 0")
def seed(session, args):
    a = args.rest.strip()
    if not a.lstrip("-").isdigit():
        raise CommandError("give an integer seed")
    import random
    import numpy as np
    n = int(a)
    pytensor.manual_seed(n)
    random.seed(n)
    np.random.seed(n % 2 ** 32)
    return f"seeded {n}"


class _ConsoleIO:
    """pdb's stdin/stdout on top of the session's console."""

    def __init__(self, session):
        self.session = session

    def readline(self):
        try:
            return self.session.console.read_line("(Pdb) ") + "\n"
        except EOFError:
            return "q\n"

    def write(self, s):
        self.session.out.write(s)
        if self.session.recorder is not None:
            from repl.session import strip_ansi
            self.session.recorder.raw(strip_ansi(s))

    def flush(self):
        try:
            self.session.out.flush()
        except (AttributeError, ValueError):
            pass


@command("pm", "", "post-mortem: pdb in the frame of the last exception",
         example=":pm")
def pm(session, args):
    import pdb
    e = session.evaluator.last_exception
    if e is None or e.__traceback__ is None:
        raise CommandError("no exception to inspect")
    from pytensor.debug._render import truncate
    from repl.evaluator import _is_lib_frame, _is_repl_frame
    io = _ConsoleIO(session)
    dbg = pdb.Pdb(stdin=io, stdout=io)
    dbg.use_rawinput = False
    dbg.prompt = ""
    msg = truncate(str(e).split("\n")[0], 80)
    session.write(f"post-mortem of {type(e).__name__}: {msg}  (q to leave)")
    session.prompt_stack.append("pdb")
    try:
        dbg.reset()
        dbg.setup(None, e.__traceback__)
        # Start in the user's innermost frame, not in pytensor's.
        for i in range(len(dbg.stack) - 1, -1, -1):
            fn = dbg.stack[i][0].f_code.co_filename
            if not _is_lib_frame(fn) and not _is_repl_frame(fn):
                dbg.curindex = i
                dbg.curframe = dbg.stack[i][0]
                dbg.curframe_locals = dbg.curframe.f_locals
                break
        dbg.print_stack_entry(dbg.stack[dbg.curindex])
        dbg._cmdloop()
        dbg.forget()
    finally:
        session.prompt_stack.pop()
    return None


@command("hist", "[N] [-g PATTERN]",
         "input history (this session and earlier ones)",
         flags={"-g": str}, example=":hist -g backward")
def hist(session, args):
    entries = list(session.all_history())
    pat = args["-g"]
    if pat:
        entries = [e for e in entries if pat in e]
    n = args.rest.strip()
    if n:
        if not n.isdigit():
            raise CommandError("give a number of entries")
        entries = entries[-int(n):]
    elif not pat:
        entries = entries[-20:]
    if not entries:
        return "no history"
    out = []
    for i, e in enumerate(entries, 1):
        first, *more = e.split("\n")
        out.append(f"{i:>4}  {first}")
        out.extend(f"      {m}" for m in more)
    return "\n".join(out)


@command("run", "FILE", "run a Python file (or a REPL script) in the session",
         example=":run train.py")
def run(session, args):
    path = os.path.expanduser(args.rest.strip())
    if not path:
        raise CommandError("give a file")
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise CommandError(str(e)) from None
    if any(ln.lstrip().startswith(":") for ln in text.splitlines()):
        from repl.blocks import group_lines
        for unit in group_lines(text.splitlines()):
            session.handle("\n".join(unit))
        return None
    session.python_file(text, os.path.abspath(path))
    return None


@command("record", "FILE | off",
         "write this session (inputs and outputs) as a transcript that "
         "--check replays", example=":record bug.txt")
def record(session, args):
    a = args.rest.strip()
    if not a:
        if session.recorder is None:
            return "not recording (:record FILE)"
        return f"recording to {session.recorder.path}"
    if a == "off":
        if session.recorder is None:
            raise CommandError("not recording")
        path = session.recorder.path
        session.recorder.close()
        session.recorder = None
        return f"transcript written to {path}"
    from repl.transcript import Recorder
    if session.recorder is not None:
        session.recorder.close()
    rec = Recorder(os.path.expanduser(a), session)
    session.write(f"recording to {a} (:record off to stop)")
    session.recorder = rec
    return None


@command("set", "[option [value]]",
         "options: width, color, precision, traceback, times, tape, source, "
         "timing", example=":set width 100")
def set_(session, args):
    pos = args.positional
    if not pos:
        return "\n".join(f"{k:<10} {v}" for k, v in session.option_values())
    if len(pos) == 1:
        vals = dict(session.option_values())
        if pos[0] not in vals:
            raise CommandError(f"unknown option {pos[0]!r}")
        return f"{pos[0]} {vals[pos[0]]}"
    try:
        session.set_option(pos[0], " ".join(pos[1:]))
    except (ValueError, KeyError):
        raise CommandError(f"bad value for {pos[0]}: "
                           f"{' '.join(pos[1:])!r}") from None
    return None


@command("reset", "", "clear the namespace (back to the start) and the tape",
         example=":reset")
def reset(session, args):
    session.reset()
    return "namespace and tape cleared"


@command("quit", "", "leave the REPL (Ctrl-D does too)", aliases=("exit",))
def quit_(session, args):
    session.quit()
