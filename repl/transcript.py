"""Transcripts: the REPL as its own doctest runner.

A transcript is what a session looks like: input lines after a prompt
(``>>>`` and a space, ``...`` and a space for continuation lines, the
nested prompts ``[step model.0]>`` and ``[nan #9 log]>>>``, ``(Pdb)``),
each followed by the output it printed; ``tests/repl/transcripts/`` holds
one per command, and ``docs/repl.md`` is made of them.

- :func:`check` replays the inputs in a fresh session (seeded, tape ids
  from 1, width 100, no colour) and compares the output; in an output
  line ``...`` matches any text, and a line that is only ``...`` matches
  any number of lines (doctest's ELLIPSIS).  Trailing spaces are ignored.
  The count in a folded traceback line (``[7 frames in pytensor]``)
  matches any count: it depends on which library modules are compiled
  (a compiled function has no Python frame).
- :class:`Recorder` writes such a file from a live session (``:record``).
"""
import difflib
import io
import re

__all__ = ["parse", "check", "CheckResult", "Recorder", "INPUT_RE"]

INPUT_RE = re.compile(
    r"^(>>> |>>>$|\[[^\]\n]+\](?:>>>|>)(?: |$)|\(Pdb\) |\(Pdb\)$)")
CONT_RE = re.compile(r"^(\.\.\. |\.\.\.$)")
# ``[7 frames in pytensor]`` as re.escape writes it (spaces escaped or
# not, as Python versions differ), and what it becomes.
_FRAMES_RE = re.compile(
    r"\\\[\d+(?:\\ | )frames(?:\\ | )in(?:\\ | )pytensor\\\]")
_FRAMES_ANY = r"\\[\\d+ frames in pytensor\\]"


def _strip_prompt(line):
    m = INPUT_RE.match(line)
    return m.group(1), line[m.end():]


def parse(text):
    """Split a transcript into ``[(prompt, [input lines], [output
    lines])]``.

    Example:
        >>> from repl.transcript import parse
        >>> parse(">>> for i in range(2):\\n...     print(i)\\n0\\n1\\n")
        [('>>> ', ['for i in range(2):', '    print(i)'], ['0', '1'])]
    """
    units = []
    prev_input = False
    for line in text.splitlines():
        if INPUT_RE.match(line):
            prompt, body = _strip_prompt(line)
            units.append((prompt, [body], []))
            prev_input = True
            continue
        if prev_input and CONT_RE.match(line) and units:
            units[-1][1].append(line[4:] if len(line) > 3 else "")
            continue
        prev_input = False
        if units:
            units[-1][2].append(line)
        elif line.strip():
            raise ValueError(f"transcript: output before the first prompt: "
                             f"{line!r}")
    # A bare "..." that ended a block carries no input.
    return [(p, _trim(lines), out) for p, lines, out in units]


def _trim(lines):
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return lines


def _pattern(expected_lines, input_flags):
    parts = []
    for line, is_input in zip(expected_lines, input_flags):
        line = line.rstrip()
        if is_input:
            parts.append(re.escape(line) + r"\n")
        elif line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            chunks = line.split("...")
            pat = r"[^\n]*?".join(re.escape(c) for c in chunks)
            parts.append(_FRAMES_RE.sub(_FRAMES_ANY, pat) + r"\n")
    return "".join(parts)


def _input_flags(lines):
    flags = []
    prev = False
    for line in lines:
        if INPUT_RE.match(line):
            flags.append(True)
            prev = True
        elif prev and CONT_RE.match(line):
            flags.append(True)
        else:
            flags.append(False)
            prev = False
    return flags


class CheckResult:
    """The outcome of :func:`check`: ``ok``, the ``actual`` output and a
    unified ``diff`` (empty when ok)."""

    def __init__(self, ok, actual, diff):
        self.ok = ok
        self.actual = actual
        self.diff = diff

    def __bool__(self):
        return self.ok


def matches(expected, actual):
    """Whether ``actual`` matches the transcript text ``expected`` (with
    ``...`` wildcards in output lines)."""
    exp = [ln.rstrip() for ln in expected.rstrip("\n").split("\n")]
    act = "\n".join(ln.rstrip() for ln in actual.rstrip("\n").split("\n")) \
        + "\n"
    pat = _pattern(exp, _input_flags(exp))
    return re.fullmatch(pat, act) is not None


def run_units(units, width=100, namespace=None, seed=0):
    """Run parsed units in a fresh session; returns the output text (with
    the echoed inputs)."""
    import pytensor
    from pytensor.autograd.tape import tape
    from repl.console import LineConsole
    from repl.session import Session, strip_ansi
    out = io.StringIO()
    pytensor.manual_seed(seed)
    import random
    import numpy as np
    random.seed(seed)
    np.random.seed(seed)
    tape.reset()
    console = LineConsole(
        units=[lines for _, lines, _ in units],
        write=lambda s: out.write(s + "\n"))
    # Each unit is read with the prompt the session asks for; inputs that
    # belong to a nested prompt come from the same queue.
    s = Session(console, out, namespace=namespace, width=width, color=False)
    s.run()
    return strip_ansi(out.getvalue())


def check(text, width=100, namespace=None):
    """Replay a transcript and compare (see the module docstring).

    Returns:
        CheckResult
    """
    units = parse(text)
    actual = run_units(units, width, namespace)
    ok = matches(text, actual)
    diff = ""
    if not ok:
        diff = "".join(difflib.unified_diff(
            [ln.rstrip() + "\n" for ln in text.rstrip("\n").split("\n")],
            [ln.rstrip() + "\n" for ln in actual.rstrip("\n").split("\n")],
            "expected", "actual"))
    return CheckResult(ok, actual, diff)


class Recorder:
    """Writes a live session as a transcript (``:record FILE``)."""

    def __init__(self, path, session):
        self.path = path
        self.session = session
        self.lines = []
        self._partial = ""
        self.closed = False
        # Fail early if the file cannot be written.
        open(path, "w").close()

    def input(self, text, prompt_stack=(), prompt=None):
        if text.lstrip().startswith(":record"):
            return
        self._flush_partial()
        if prompt is None:
            prompt = ">>> "
        lines = text.split("\n")
        self.lines.append((prompt + lines[0]).rstrip())
        self.lines.extend(("... " + ln).rstrip() for ln in lines[1:])

    def output(self, text):
        self._flush_partial()
        self.lines.extend(ln.rstrip() for ln in text.split("\n"))

    def raw(self, s):
        self._partial += s
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self.lines.append(line.rstrip())

    def _flush_partial(self):
        if self._partial:
            self.lines.append(self._partial.rstrip())
            self._partial = ""

    def close(self):
        if self.closed:
            return
        self._flush_partial()
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        self.closed = True
