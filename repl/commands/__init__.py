"""The colon commands: a registry, and argument parsing shared by all.

Each command lives in ``repl/commands/<name>.py`` and registers itself::

    @command("graph", "<tensor> [--depth N] [--stats] [--expand PATH]",
             "autograd history of a tensor as a text tree",
             flags={"--depth": int, "--stats": bool, "--expand": list})
    def graph(session, args):
        t = session.tensor(args.rest)
        return debug.graph(t, session.namespace, depth=args["--depth"], ...)

A command returns a result object (rendered by the session at the
terminal's width, or as JSON with ``--json``), a string, or None.  Every
command accepts ``--json``.
"""
import importlib
import pkgutil

__all__ = ["command", "COMMANDS", "Args", "parse_args", "load_all",
           "CommandError", "split_tokens"]

COMMANDS = {}       # name -> Command
ALIASES = {}        # alias -> name


class CommandError(Exception):
    """A user error in a command (shown as ``:cmd: message``, no
    traceback)."""


class Command:
    def __init__(self, name, usage, summary, fn, flags, aliases, example,
                 details):
        self.name = name
        self.usage = usage
        self.summary = summary
        self.fn = fn
        self.flags = dict(flags or {})
        self.flags.setdefault("--json", bool)
        self.aliases = aliases
        self.example = example
        self.details = details


def command(name, usage, summary, flags=None, aliases=(), example="",
            details=""):
    """Register a command (decorator).

    Args:
        name (str): ``graph`` for ``:graph``.
        usage (str): argument synopsis.
        summary (str): one line for ``:help``.
        flags (dict): ``--flag`` -> ``bool`` (a switch), ``int``,
            ``float``, ``str`` (one value) or ``list`` (repeatable values).
        aliases: other names.
        example (str): shown by ``:help name``.
        details (str): more help text.
    """
    def deco(fn):
        c = Command(name, usage, summary, fn, flags, tuple(aliases), example,
                    details)
        COMMANDS[name] = c
        for a in aliases:
            ALIASES[a] = name
        return fn
    return deco


def lookup(name):
    name = ALIASES.get(name, name)
    return COMMANDS.get(name)


class Args:
    """Parsed arguments: ``rest`` (the positional text, joined),
    ``positional`` (tokens), and flags by name (``args["--depth"]``; None
    when absent, False for an absent switch, [] for an absent list)."""

    def __init__(self, raw, positional, flags):
        self.raw = raw
        self.positional = positional
        self.flags = flags

    @property
    def rest(self):
        return " ".join(self.positional)

    def __getitem__(self, k):
        return self.flags.get(k)

    def get(self, k, default=None):
        v = self.flags.get(k)
        return default if v is None else v


def split_tokens(text):
    """Split at whitespace outside brackets and quotes.

    Example:
        >>> from repl.commands import split_tokens
        >>> split_tokens("my_op (a, b) --atol 1e-4")
        ['my_op', '(a, b)', '--atol', '1e-4']
    """
    tokens = []
    cur = []
    depth = 0
    quote = None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
            cur.append(ch)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch.isspace() and depth == 0:
            if cur:
                tokens.append("".join(cur))
                cur = []
            continue
        cur.append(ch)
    if cur:
        tokens.append("".join(cur))
    return tokens


def parse_args(cmd, raw):
    """Parse ``raw`` against ``cmd.flags``; unknown ``--x`` tokens stay
    positional (they may be Python, e.g. ``--x`` in an expression)."""
    tokens = split_tokens(raw)
    flags = {}
    for f, kind in cmd.flags.items():
        flags[f] = [] if kind is list else (False if kind is bool else None)
    pos = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        name, eq, val = tok.partition("=")
        if name in cmd.flags:
            kind = cmd.flags[name]
            if kind is bool:
                flags[name] = True
                i += 1
                continue
            if not eq:
                if i + 1 >= len(tokens):
                    raise CommandError(f"{name} needs a value")
                val = tokens[i + 1]
                i += 1
            try:
                if kind is list:
                    flags[name].append(val)
                elif kind in (int, float):
                    flags[name] = kind(val)
                else:
                    flags[name] = val
            except ValueError:
                raise CommandError(f"{name}: expected {kind.__name__}, got "
                                   f"{val!r}") from None
            i += 1
            continue
        pos.append(tok)
        i += 1
    return Args(raw, pos, flags)


def load_all():
    """Import every command module (each registers itself)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return COMMANDS
