"""``pytensor-repl`` / ``python -m repl``: the program.

Usage::

    pytensor-repl                  interactive prompt_toolkit REPL
    pytensor-repl train.py         run train.py, then the REPL in its namespace
    pytensor-repl --demo           start with a model, a batch and a loss
    pytensor-repl --script s.py    run a script in plain line mode, exit
    pytensor-repl --check t.txt    replay transcripts, diff the output
    cmd | pytensor-repl            piped stdin runs in plain line mode

The interactive front end (:class:`PromptConsole`): multi-line Python
with auto-indent (a block ends with an empty line; Meta-Enter runs the
buffer as it is), Pygments highlighting (commands highlighted too),
completion (Tab) on live objects, command names, flags, tensor names,
module paths and ``#N`` ids, persistent history with Ctrl-R search, and a
bottom toolbar (device, tape length, grad mode, last backward).  Ctrl-C
interrupts a computation or clears the line; Ctrl-D (or ``:quit``) leaves.

With ``PYTENSOR_REPL_READY_MARKER=1`` the app writes the invisible OSC
sequence ``ESC ] 777 ; ready BEL`` after each prompt's first render, so
tests driving a real terminal know when the prompt reads keys.
"""
import argparse
import os
import sys

__all__ = ["main", "PromptConsole", "READY_MARKER"]

READY_MARKER = "\x1b]777;ready\x07"

_STYLE = {
    "command": "ansicyan bold",
    "flag": "ansiyellow",
    "tapeid": "ansimagenta",
    "bottom-toolbar": "noreverse bg:ansibrightblack fg:ansiwhite",
    "prompt": "ansigreen bold",
    "prompt.nested": "ansiyellow bold",
}


def history_path():
    p = os.environ.get("PYTENSOR_REPL_HISTORY")
    if p:
        return p
    return os.path.join(os.path.expanduser("~"), ".pytensor_repl_history")


class PromptConsole:
    """The interactive console on prompt_toolkit (see the module
    docstring).

    Args:
        session_ref: a callable returning the :class:`repl.session.Session`
            (for completion and the toolbar).
        input, output: prompt_toolkit input/output (tests pass a pipe input
            and a dummy output); None for the terminal.
        history: a prompt_toolkit History (default: the history file).
        ready_marker (bool): write :data:`READY_MARKER` after each prompt
            renders (default: ``$PYTENSOR_REPL_READY_MARKER``).
        on_prompt: ``fn()`` called when each prompt is live (tests feed
            the next keys from it).
    """

    interactive = True
    echo = False

    def __init__(self, session_ref, input=None, output=None, history=None,
                 ready_marker=None, on_prompt=None, toolbar=True):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory
        from prompt_toolkit.styles import Style

        from repl.completer import ReplCompleter
        from repl.lexer import ReplLexer
        self.session_ref = session_ref
        self._own_output = output
        if history is None:
            try:
                history = FileHistory(history_path())
            except OSError:
                history = InMemoryHistory()
        self.history = history
        if ready_marker is None:
            ready_marker = os.environ.get("PYTENSOR_REPL_READY_MARKER") \
                not in (None, "", "0")
        self.ready_marker = ready_marker
        self.on_prompt = on_prompt
        self._marker_due = False

        class _Completer(ReplCompleter):
            @property
            def session(inner):
                return session_ref()

            @session.setter
            def session(inner, v):
                pass
        self.pt = PromptSession(
            input=input, output=output, history=history,
            lexer=ReplLexer(), completer=_Completer(None),
            complete_while_typing=False, multiline=True,
            key_bindings=_key_bindings(),
            prompt_continuation=lambda width, line, wrap: "... ",
            bottom_toolbar=(lambda: self._toolbar()) if toolbar else None,
            style=Style.from_dict(_STYLE), include_default_pygments_style=True,
            enable_history_search=False, mouse_support=False)
        self.pt.app.after_render += self._after_render

    def _toolbar(self):
        s = self.session_ref()
        try:
            return " " + s.status() + " "
        except Exception:
            return ""

    def _after_render(self, app):
        if self._marker_due and self.ready_marker:
            self._marker_due = False
            app.output.write_raw(READY_MARKER)
            app.output.flush()

    def _pre_run(self):
        self._marker_due = True
        if self.on_prompt is not None:
            self.on_prompt()

    def width(self):
        try:
            return self.pt.app.output.get_size().columns
        except Exception:
            return 100

    def read_unit(self, prompt=">>> ", cont="... "):
        from prompt_toolkit.formatted_text import FormattedText
        from prompt_toolkit.utils import is_dumb_terminal
        style = "class:prompt" if prompt == ">>> " else "class:prompt.nested"
        if self._own_output is None and is_dumb_terminal():
            return self._read_dumb(prompt, cont)
        text = self.pt.prompt(FormattedText([(style, prompt)]),
                              pre_run=self._pre_run)
        return text.rstrip()

    def _read_dumb(self, prompt, cont):
        """TERM=dumb: no editing is possible anyway, so read lines in the
        terminal's own (cooked) mode; a block ends with an empty line."""
        from repl.blocks import is_complete
        lines = []
        while True:
            sys.stdout.write(prompt if not lines else cont)
            if self.ready_marker:
                sys.stdout.write(READY_MARKER)
            sys.stdout.flush()
            line = sys.stdin.readline()
            if not line:
                if lines:
                    break
                raise EOFError
            lines.append(line.rstrip("\n"))
            text = "\n".join(lines)
            if is_complete(text):
                break
        return "\n".join(lines).rstrip()

    def read_line(self, prompt):
        return self.read_unit(prompt)


def _key_bindings():
    from prompt_toolkit.filters import has_completions, completion_is_selected
    from prompt_toolkit.key_binding import KeyBindings

    from repl.blocks import is_complete
    kb = KeyBindings()

    @kb.add("enter", filter=~(has_completions & completion_is_selected))
    def _enter(event):
        buf = event.current_buffer
        doc = buf.document
        text = buf.text
        at_end = doc.is_cursor_at_the_end
        if at_end and is_complete(text):
            buf.text = text.rstrip()
            buf.validate_and_handle()
            return
        # Another line, indented like this one (more after a ':').
        line = doc.current_line_before_cursor
        indent = line[:len(line) - len(line.lstrip())]
        stripped = line.strip()
        if stripped.endswith(":"):
            indent += "    "
        elif stripped.split(" ")[0] in ("return", "pass", "break",
                                        "continue", "raise"):
            indent = indent[:-4] if indent.endswith("    ") else indent
        buf.insert_text("\n" + indent)

    @kb.add("escape", "enter")
    def _force(event):
        buf = event.current_buffer
        buf.text = buf.text.rstrip()
        buf.validate_and_handle()

    @kb.add("tab", filter=~has_completions)
    def _tab(event):
        from prompt_toolkit.key_binding.bindings.completion import \
            generate_completions
        buf = event.current_buffer
        before = buf.document.current_line_before_cursor
        if not before.strip():
            buf.insert_text("    ")
        else:
            # Insert the common prefix (the whole word when unique), else
            # show the menu.
            generate_completions(event)
    return kb


# ----------------------------------------------------------------------
def _parser():
    p = argparse.ArgumentParser(
        prog="pytensor-repl",
        description="The pytensor REPL: Python line by line, with the live "
                    "tape, graph and gradients (:help inside).")
    p.add_argument("file", nargs="?",
                   help="a Python file to run first (then the REPL starts in "
                        "its namespace)")
    p.add_argument("--script", metavar="FILE",
                   help="run FILE in plain line mode (no escape codes) and "
                        "exit")
    p.add_argument("--check", metavar="TRANSCRIPT", nargs="+",
                   help="replay transcripts and diff the output (exit 1 on a "
                        "difference)")
    p.add_argument("--demo", action="store_true",
                   help="start with a small model, a batch of the digits "
                        "data and a loss")
    p.add_argument("--width", type=int, help="output width (default: the "
                   "terminal's, or 100)")
    p.add_argument("--no-color", action="store_true",
                   help="no colour (NO_COLOR=1 does the same)")
    return p


def _banner():
    import pytensor
    v = sys.version_info
    return (f"pytensor {pytensor.__version__} REPL · Python "
            f"{v.major}.{v.minor} · :help for commands, Ctrl-D to quit")


def run_check(paths, width=100, out=None):
    """``--check``: replay each transcript; returns the exit code."""
    from repl.transcript import check
    out = out or sys.stdout
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        res = check(text, width=width)
        if res.ok:
            out.write(f"ok      {path}\n")
        else:
            failed += 1
            out.write(f"FAILED  {path}\n{res.diff}\n")
    out.write(f"{len(paths) - failed}/{len(paths)} transcripts match\n")
    return 1 if failed else 0


def main(argv=None):
    """The console script ``pytensor-repl``."""
    args = _parser().parse_args(argv)
    color = False if args.no_color else None
    if args.check:
        return run_check(args.check, args.width or 100)
    from repl.console import LineConsole
    from repl.session import Session, startup_namespace
    ns = startup_namespace()
    if args.script or args.file and not sys.stdin.isatty() or \
            not sys.stdin.isatty():
        # Plain line mode: no escape codes, inputs echoed with prompts.
        out = sys.stdout
        src = None
        if args.script:
            try:
                src = open(args.script, encoding="utf-8")
            except OSError as e:
                sys.stderr.write(f"pytensor-repl: {e}\n")
                return 2
        lines = src if src is not None else sys.stdin
        console = LineConsole(lines, write=lambda s: (out.write(s + "\n"),
                                                      out.flush()))
        session = Session(console, out, ns, width=args.width,
                          color=False if color is False else False)
        if args.demo:
            _demo(session)
        if args.file and not args.script:
            _run_file(session, args.file)
        session.run()
        if src is not None:
            src.close()
        return 0
    # Interactive.
    session = None
    console = PromptConsole(lambda: session)
    session = Session(console, sys.stdout, ns, width=args.width, color=color,
                      interactive=True)
    try:
        session.file_history = list(reversed(list(
            console.history.load_history_strings())))
    except Exception:
        session.file_history = []
    session.write(_banner())
    if args.demo:
        _demo(session)
    if args.file:
        _run_file(session, args.file)
    session.run()
    return 0


def _run_file(session, path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        session.write(f"pytensor-repl: {e}")
        return
    session.python_file(text, os.path.abspath(path))


def _demo(session):
    from repl.demo import setup
    session.write(setup(session.namespace))


if __name__ == "__main__":          # pragma: no cover
    sys.exit(main())
