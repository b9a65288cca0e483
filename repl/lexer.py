"""Syntax highlighting: Pygments for Python, a small lexer for commands
(``:name`` in one colour, ``--flags`` in another, ``#N`` tape ids in a
third, the rest as Python)."""
import re

from prompt_toolkit.lexers import Lexer, PygmentsLexer
from pygments.lexers.python import PythonLexer

__all__ = ["ReplLexer", "command_tokens"]

_CMD = re.compile(r"(\s*)(:\w*)(.*)$")
_PARTS = re.compile(r"(--?[A-Za-z][\w-]*)|(#\d+)|([^-#]+|[-#])")


def command_tokens(line):
    """``[(style, text)]`` for a command line.

    Example:
        >>> from repl.lexer import command_tokens
        >>> command_tokens(":graph loss --depth 2")[:2]
        [('class:command', ':graph'), ('', ' loss ')]
    """
    m = _CMD.match(line)
    if not m:
        return [("", line)]
    out = []
    if m.group(1):
        out.append(("", m.group(1)))
    out.append(("class:command", m.group(2)))
    for f, t, other in _PARTS.findall(m.group(3)):
        if f:
            out.append(("class:flag", f))
        elif t:
            out.append(("class:tapeid", t))
        else:
            out.append(("", other))
    return out


class ReplLexer(Lexer):
    """Python via Pygments; ``:command`` lines with :func:`command_tokens`."""

    def __init__(self):
        self.python = PygmentsLexer(PythonLexer)

    def lex_document(self, document):
        if document.text.lstrip().startswith(":"):
            lines = document.lines

            def get_line(i):
                return command_tokens(lines[i]) if i < len(lines) else []
            return get_line
        return self.python.lex_document(document)
