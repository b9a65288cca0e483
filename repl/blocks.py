"""Splitting input into units: Python statements (a multi-line block is one
unit) and ``:commands``.

Interactive input ends a block with an empty line, as the standard REPL
does.  Script files and piped input need no empty lines: a block also ends
when a new statement starts at column 0 (:func:`group_lines`).  One line
may hold several units separated by ``;`` when some are commands
(``loss.backward(); :grad``; :func:`split_semicolons`).
"""
import codeop
import re

__all__ = ["is_complete", "needs_more", "group_lines", "split_semicolons",
           "CONTINUATION_KEYWORDS"]

CONTINUATION_KEYWORDS = ("else", "elif", "except", "finally", "case")
_OPENERS = re.compile(r"^\s*(async\s+)?(def|class|for|while|if|with|try|"
                      r"match)\b|^\s*@")


def is_complete(text):
    r"""True when ``text`` is a complete Python input (or a command, or
    invalid: then running it shows the error); False while a block or a
    bracket is still open.  As in the standard REPL, a compound statement
    (``for``, ``def``, ``if``, ...) ends with an empty line.

    Example:
        >>> from repl.blocks import is_complete
        >>> (is_complete("x = 1"), is_complete("for i in y:"),
        ...  is_complete("f(1,"))
        (True, False, False)
        >>> (is_complete("for i in y:\n    g(i)"),
        ...  is_complete("for i in y:\n    g(i)\n"))
        (False, True)
    """
    if text.lstrip().startswith(":") or not text.strip():
        return True
    lines = text.split("\n")
    if len(lines) > 1 and not lines[-1].strip():
        # An empty line ends a block, unless a bracket is still open.
        return not _syntax_open(text.rstrip())
    try:
        code = codeop.compile_command(text, "<input>", "single")
    except (SyntaxError, ValueError, OverflowError):
        return True
    if code is None:
        return False
    return not _opens_block(lines[0])


def needs_more(text):
    """True if ``text`` cannot be run yet (an open bracket, a line ending
    in ``:`` or ``\\``, or an unfinished block)."""
    return not is_complete(text)


def _opens_block(text):
    return bool(_OPENERS.match(text))


def _syntax_open(text):
    """True while ``text`` has open brackets/strings or ends with ``:``."""
    try:
        code = codeop.compile_command(text, "<input>", "exec")
    except (SyntaxError, ValueError, OverflowError):
        return False
    return code is None


def group_lines(lines):
    """Group script lines into units (lists of lines).

    Blank lines and ``#`` comments between units are dropped; a block
    continues while lines are indented, start with ``else``/``elif``/...,
    or brackets are open; ``:command`` lines are units of their own.

    Example:
        >>> from repl.blocks import group_lines
        >>> src = ["x = 0", "for i in range(3):", "    x += i", "y = x",
        ...        ":vars"]
        >>> group_lines(src)
        [['x = 0'], ['for i in range(3):', '    x += i'], ['y = x'], [':vars']]
    """
    units = []
    cur = []
    for raw in lines:
        line = raw.rstrip("\n").rstrip("\r")
        stripped = line.strip()
        if cur:
            text = "\n".join(cur)
            open_ = _syntax_open(text)
            if not stripped:
                if open_:
                    cur.append(line)
                continue
            if open_ or line[:1] in (" ", "\t") or stripped.startswith(
                    tuple(k + c for k in CONTINUATION_KEYWORDS
                          for c in (" ", ":"))) or stripped.startswith(
                    (")", "]", "}")):
                cur.append(line)
                continue
            units.append(_trim_blank(cur))
            cur = []
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(":"):
            units.append([line])
            continue
        cur = [line]
    if cur:
        units.append(_trim_blank(cur))
    return units


def _trim_blank(lines):
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def split_semicolons(line):
    """Split ``line`` at top-level ``;`` when some parts are ``:commands``;
    consecutive Python parts stay together.  Returns a list of units.

    Example:
        >>> from repl.blocks import split_semicolons
        >>> split_semicolons("opt.step(); :ckpt diff before")
        ['opt.step()', ':ckpt diff before']
        >>> split_semicolons("a = 1; b = 2")
        ['a = 1; b = 2']
    """
    if ";" not in line or (":" not in line):
        return [line]
    parts = []
    depth = 0
    quote = None
    cur = []
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(line):
                cur.append(line[i + 1])
                i += 2
                continue
            if line.startswith(quote, i):
                cur.extend(quote[1:])
                i += len(quote)
                quote = None
                continue
            i += 1
            continue
        if ch in "\"'":
            q = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
            quote = q
            cur.append(q)
            i += len(q)
            continue
        if ch == "#":
            cur.append(line[i:])
            break
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    parts = [p.strip() for p in parts if p.strip()]
    if not any(p.startswith(":") for p in parts):
        return [line]
    units = []
    py = []
    for p in parts:
        if p.startswith(":"):
            if py:
                units.append("; ".join(py))
                py = []
            units.append(p)
        else:
            py.append(p)
    if py:
        units.append("; ".join(py))
    return units
