"""The pytensor REPL: Python line by line, plus colon commands that show the
live tape, graph and gradients (``:graph``, ``:grad``, ``:why``, ``:nan``,
``:step`` ...).  Every command is a thin layer over ``pytensor.debug``.

Run it with ``pytensor-repl`` or ``python -m repl``; embed it in a program
with :func:`embed`.
"""

__all__ = ["embed"]


def embed(namespace=None, script=None):
    """Start the REPL here, in ``namespace`` (default: the caller's
    globals and locals)."""
    import sys
    from repl.app import PromptConsole
    from repl.console import LineConsole
    from repl.session import Session, startup_namespace
    if namespace is None:
        f = sys._getframe(1)
        namespace = dict(f.f_globals)
        namespace.update(f.f_locals)
    ns = startup_namespace()
    ns.update(namespace)
    if sys.stdin.isatty():
        session = None
        console = PromptConsole(lambda: session)
        session = Session(console, sys.stdout, ns, interactive=True)
    else:
        console = LineConsole(sys.stdin, write=lambda s: print(s))
        session = Session(console, sys.stdout, ns, color=False)
    session.run()
    return ns
