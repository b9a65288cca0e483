"""Driving the REPL from tests, in process.

:class:`ReplDriver` runs a real :class:`~repl.session.Session` on the
prompt_toolkit front end with a pipe for input and a dummy terminal, and
feeds one chunk of keys per prompt, sent only once that prompt is live (so
history recall and completion see a loaded buffer, not a race).  The
REPL's output goes to a string.  Tests on a real terminal (pexpect, tmux)
use :data:`READY` (written after each prompt renders when
``PYTENSOR_REPL_READY_MARKER=1``) and :func:`strip_ansi`.
"""
import asyncio
import io

from repl.app import READY_MARKER
from repl.session import strip_ansi

__all__ = ["ReplDriver", "READY", "strip_ansi", "ENTER", "CTRL_C", "CTRL_D",
           "UP", "TAB", "run_lines"]

READY = READY_MARKER
ENTER = "\r"            # Enter is c-m; "\n" would be c-j, another key
CTRL_C = "\x03"
CTRL_D = "\x04"
UP = "\x1b[A"
TAB = "\t"


class ReplDriver:
    """Run the interactive app on a pipe.

    Args:
        namespace (dict): extra names for the session.
        width (int): output width.

    Example:
        >>> from repl.testing import ReplDriver
        >>> d = ReplDriver()
        >>> out = d.run(["x = 41\\r", "x + 1\\r"])
        >>> "42" in out
        True
    """

    def __init__(self, namespace=None, width=100):
        self.extra = namespace or {}
        self.width = width
        self.session = None
        self.prompts = 0

    def run(self, chunks, history=None):
        """Send ``chunks`` (one per prompt, ``\\r`` for Enter; a tuple of
        strings is sent part by part), then Ctrl-D; returns the REPL's
        output."""
        from prompt_toolkit.application import create_app_session
        from prompt_toolkit.history import InMemoryHistory
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output import DummyOutput

        import pytensor
        from pytensor.autograd.tape import tape

        from repl.app import PromptConsole
        from repl.session import Session, startup_namespace
        pytensor.manual_seed(0)
        tape.reset()
        out = io.StringIO()
        pending = list(chunks) + [CTRL_D]
        with create_pipe_input() as inp:
            def on_prompt():
                self.prompts += 1
                if not pending:
                    return
                chunk = pending.pop(0)

                parts = [chunk] if isinstance(chunk, str) else list(chunk)

                async def send():
                    # Let the prompt finish starting (history loading is
                    # a background task of the first render) first; the
                    # parts of a tuple chunk go one by one, each after the
                    # app has handled the previous (completion runs as a
                    # task too).
                    for part in parts:
                        for _ in range(3):
                            await asyncio.sleep(0)
                        await asyncio.sleep(0.02)
                        inp.send_text(part)
                from prompt_toolkit.application import get_app
                get_app().create_background_task(send())
            with create_app_session(input=inp, output=DummyOutput()):
                console = PromptConsole(
                    lambda: self.session, input=inp, output=DummyOutput(),
                    history=history or InMemoryHistory(),
                    ready_marker=False, on_prompt=on_prompt, toolbar=False)
                ns = startup_namespace()
                ns.update(self.extra)
                self.session = Session(console, out, ns, width=self.width,
                                       color=False, interactive=True)
                self.session.run()
        return out.getvalue()


def run_lines(text, width=100, namespace=None):
    """Run ``text`` in plain line mode (like ``--script``) in a fresh
    session (seed 0, tape ids from 1); returns the output with the echoed
    inputs.

    Example:
        >>> from repl.testing import run_lines
        >>> run_lines("a = 2\\na * 21").splitlines()[1:]
        ['>>> a * 21', '42']
    """
    import pytensor
    from pytensor.autograd.tape import tape
    from repl.console import LineConsole
    from repl.session import Session, startup_namespace
    pytensor.manual_seed(0)
    tape.reset()
    out = io.StringIO()
    ns = startup_namespace()
    ns.update(namespace or {})
    console = LineConsole(text.splitlines(), write=lambda s: out.write(s +
                                                                       "\n"))
    Session(console, out, ns, width=width, color=False).run()
    return out.getvalue().rstrip("\n")
