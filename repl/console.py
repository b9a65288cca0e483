"""Where input comes from and output goes.

- :class:`LineConsole`: plain line mode for ``--script``, piped stdin and
  ``--check``; it echoes each input with its prompt, so the output of a
  run is itself a transcript.  No escape codes.
- :class:`PromptConsole`: the interactive prompt_toolkit front end (in
  ``repl/app.py``, which builds it).

Both offer ``read_unit(prompt, cont)`` (a whole Python block or a command)
and ``read_line(prompt)`` (one line, for nested prompts: ``:step``,
``:nan``, ``:pm``), raising EOFError at the end of input.
"""
import collections

from repl.blocks import group_lines

__all__ = ["LineConsole", "Console"]


class Console:
    """The interface (see the module docstring)."""

    interactive = False
    echo = False

    def read_unit(self, prompt=">>> ", cont="... "):      # pragma: no cover
        raise NotImplementedError

    def read_line(self, prompt):                          # pragma: no cover
        raise NotImplementedError


class LineConsole(Console):
    """Reads units from lines of text.

    Args:
        lines: an iterable of lines (a file, ``sys.stdin``, a list).
        write: ``fn(text)`` used to echo inputs (None: no echo).
        units: pre-grouped units (lists of lines), as a transcript gives
            them; then ``lines`` is ignored.

    Example:
        >>> from repl.console import LineConsole
        >>> echoed = []
        >>> c = LineConsole(["x = 1", "if x:", "    x += 1", ":vars"],
        ...                 write=echoed.append)
        >>> c.read_unit(), c.read_unit(), c.read_unit()
        ('x = 1', 'if x:\\n    x += 1', ':vars')
        >>> echoed[1]
        '>>> if x:\\n...     x += 1'
    """

    def __init__(self, lines=(), write=None, units=None):
        self.write = write
        self.echo = write is not None
        if units is not None:
            self._units = collections.deque(units)
            self._lines = None
        else:
            self._units = None
            self._lines = iter(lines)
            self._pending = collections.deque()
            self._buf = []

    def _next_group(self):
        """The next unit from raw lines, grouped lazily (a long stdin is
        processed as it arrives): a unit is complete once the line after
        it starts a new one."""
        buf = self._buf
        for raw in self._lines:
            buf.append(raw.rstrip("\n"))
            groups = group_lines(buf)
            if len(groups) > 1:
                # All but the last group are complete.
                self._pending.extend(groups[:-1])
                last = groups[-1]
                del buf[:]
                buf.extend(last)
                if last and last[0].lstrip().startswith(":"):
                    self._pending.append(list(last))
                    del buf[:]
                return self._pending.popleft()
            if groups and groups[-1][0].lstrip().startswith(":"):
                self._pending.extend(groups)
                del buf[:]
                return self._pending.popleft()
        groups = group_lines(buf)
        del buf[:]
        self._pending.extend(groups)
        if self._pending:
            return self._pending.popleft()
        raise EOFError

    def _take(self):
        if self._units is not None:
            if not self._units:
                raise EOFError
            u = self._units.popleft()
            return u if isinstance(u, list) else u.split("\n")
        if self._pending:
            return self._pending.popleft()
        return self._next_group()

    def read_unit(self, prompt=">>> ", cont="... "):
        lines = self._take()
        if self.echo:
            shown = [prompt + lines[0]] + [cont + ln for ln in lines[1:]]
            self.write("\n".join(s.rstrip() for s in shown))
        return "\n".join(lines)

    def read_line(self, prompt):
        lines = self._take()
        text = "\n".join(lines)
        if self.echo:
            self.write((prompt + text).rstrip())
        return text
