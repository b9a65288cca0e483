"""Completion on live objects, command names, flags, tensor names, module
paths (``model.encoder.0``) and tape ids (``#12``).

Python input completes names of the namespace (tensors first), builtins and
keywords, and attributes of live objects reached by a dotted name (no call
is made: only ``getattr`` along the chain).  After a ``:`` it completes the
command, then its flags, then names and module paths.
"""
import builtins
import keyword
import re

from prompt_toolkit.completion import Completer, Completion

from repl import commands as _commands

__all__ = ["ReplCompleter"]

_WORD = re.compile(r"[#\w.\-]*$")
_PY_WORD = re.compile(r"[\w.]*$")


def _is_tensor(v):
    from pytensor.tensor import Tensor
    return isinstance(v, Tensor)


def _children(obj):
    """Names below ``obj`` for a dotted path: module children (numeric
    names too), then public attributes."""
    names = []
    mods = getattr(obj, "_modules", None)
    if isinstance(mods, dict):
        names.extend(str(k) for k in mods)
    for k in ("_parameters", "_buffers"):
        d = getattr(obj, k, None)
        if isinstance(d, dict):
            names.extend(str(n) for n in d)
    try:
        names.extend(n for n in dir(obj) if not n.startswith("_"))
    except Exception:
        pass
    seen = set()
    out = []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def _walk(ns, parts):
    if parts[0] not in ns:
        return None
    obj = ns[parts[0]]
    for p in parts[1:]:
        mods = getattr(obj, "_modules", None)
        if isinstance(mods, dict) and p in mods:
            obj = mods[p]
            continue
        try:
            obj = getattr(obj, p)
        except Exception:
            return None
    return obj


class ReplCompleter(Completer):
    """prompt_toolkit completer for a :class:`repl.session.Session`.

    Example:
        >>> from repl.completer import ReplCompleter
        >>> from prompt_toolkit.document import Document
        >>> from prompt_toolkit.completion import CompleteEvent
        >>> class S:
        ...     namespace = {"loss": 1}
        ...     checkpoints = None
        >>> c = ReplCompleter(S())
        >>> [x.text for x in c.get_completions(Document(":gra"),
        ...                                    CompleteEvent())]
        [':grad', ':gradcheck', ':graph']
    """

    def __init__(self, session):
        self.session = session

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        if text.lstrip().startswith(":") and "\n" not in text:
            yield from self._command(text.lstrip())
            return
        m = _PY_WORD.search(text)
        word = m.group(0) if m else ""
        yield from self._python(word)

    # -- commands -----------------------------------------------------------
    def _command(self, text):
        _commands.load_all()
        if " " not in text:
            typed = text[1:]
            names = sorted(_commands.COMMANDS)
            for n in names:
                if n.startswith(typed):
                    yield Completion(":" + n, -len(text),
                                     display_meta=_commands.COMMANDS[n]
                                     .summary[:50])
            return
        name, _, rest = text[1:].partition(" ")
        cmd = _commands.lookup(name)
        m = _WORD.search(text)
        word = m.group(0) if m else ""
        if cmd is None:
            return
        if word.startswith("-"):
            for f in sorted(cmd.flags):
                if f.startswith(word):
                    yield Completion(f, -len(word))
            return
        if word.startswith("#"):
            yield from self._tape_ids(word)
            return
        first_arg = not rest.strip() or (rest.strip() == word and
                                         " " not in rest.strip())
        if cmd.name == "help":
            for n in sorted(_commands.COMMANDS):
                if n.startswith(word.lstrip(":")):
                    yield Completion(n, -len(word))
            return
        if cmd.name == "set" and first_arg:
            from repl.session import Options
            for n in Options.NAMES:
                if n.startswith(word):
                    yield Completion(n, -len(word))
            return
        if cmd.name == "ckpt":
            if first_arg:
                for n in ("save", "load", "list", "diff"):
                    if n.startswith(word):
                        yield Completion(n, -len(word))
                return
            ck = getattr(self.session, "checkpoints", None)
            if ck is not None:
                for n in ck.names():
                    if n.startswith(word):
                        yield Completion(n, -len(word))
            return
        if cmd.name == "nan" and first_arg:
            for n in ("on", "off", "find"):
                if n.startswith(word):
                    yield Completion(n, -len(word))
            return
        yield from self._names(word)

    def _tape_ids(self, word):
        from pytensor.autograd.tape import Record, tape
        rows = list(tape.rows)[-30:]
        for row in reversed(rows):
            rec = Record(row)
            label = f"#{rec.id}"
            if label.startswith(word):
                yield Completion(label, -len(word), display_meta=rec.op)

    def _names(self, word):
        ns = self.session.namespace
        if "." in word:
            head, _, tail = word.rpartition(".")
            obj = _walk(ns, head.split("."))
            if obj is None:
                return
            for n in _children(obj):
                if n.startswith(tail):
                    yield Completion(f"{head}.{n}", -len(word))
            return
        items = [(k, v) for k, v in list(ns.items()) if not k.startswith("_")
                 and k.startswith(word)]
        # Tensors first, then the rest, each alphabetically.
        items.sort(key=lambda kv: (not _is_tensor(kv[1]), kv[0]))
        for k, v in items:
            meta = ""
            if _is_tensor(v):
                from pytensor.debug.summarize import summary
                meta = summary(v, device=False)
            else:
                meta = type(v).__name__
            yield Completion(k, -len(word), display_meta=meta[:40])

    # -- Python ---------------------------------------------------------------
    def _python(self, word):
        ns = self.session.namespace
        if "." in word:
            head, _, tail = word.rpartition(".")
            obj = _walk(ns, head.split("."))
            if obj is None:
                return
            try:
                names = [n for n in dir(obj) if not n.startswith("_") or
                         tail.startswith("_")]
            except Exception:
                return
            for n in sorted(names):
                if n.startswith(tail):
                    yield Completion(n, -len(tail))
            return
        if not word:
            return
        seen = set()
        names = sorted(k for k in ns if k.startswith(word) and
                       not k.startswith("__"))
        names += sorted(k for k in dir(builtins) if k.startswith(word))
        names += sorted(k for k in keyword.kwlist if k.startswith(word))
        for n in names:
            if n not in seen:
                seen.add(n)
                yield Completion(n, -len(word))
