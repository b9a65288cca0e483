"""Data-flow queries over the tape: who produced a tensor, who used it.

Tape records hold one weak reference object per tensor (CPython reuses the
plain weak reference of a live object), so "the same tensor" is the same
reference object, even after the tensor died.  :class:`TapeIndex` builds
the maps once per query.
"""
import weakref

from pytensor.autograd.tape import Record, tape as _tape

__all__ = ["TapeIndex", "ref_of", "producer"]


def ref_of(t):
    """The weak reference object the tape uses for ``t`` (None if ``t``
    cannot be weakly referenced)."""
    try:
        return weakref.ref(t)
    except TypeError:
        return None


def producer(t, rows=None):
    """The newest record whose output is ``t`` (None if not on the tape)."""
    fn = getattr(t, "grad_fn", None)
    if fn is not None and fn._record is not None:
        rec = Record(fn._record)
        if any(r() is t for r in rec.outputs):
            return rec
    ref = ref_of(t)
    if ref is None:
        return None
    for row in reversed(rows if rows is not None else _tape.rows):
        n = row[9]
        outs = row[10 + n:]
        for r in outs:
            if r is ref:
                return Record(row)
    return None


class TapeIndex:
    """Producers and consumers of every tensor on the tape.

    Attributes:
        records (list): the records, oldest first.
        made_by (dict): id(weak ref) -> list of (record, output index).
        used_by (dict): id(weak ref) -> list of (record, input index).
    """

    def __init__(self, rows=None):
        rows = list(rows if rows is not None else _tape.rows)
        self.records = [Record(r) for r in rows]
        self.made_by = {}
        self.used_by = {}
        self._refs = {}             # keep the ref objects (their ids)
        for rec in self.records:
            row = rec.row
            n = row[9]
            for i, r in enumerate(row[10:10 + n]):
                if r.__class__ is weakref.ref:
                    self._refs[id(r)] = r
                    self.used_by.setdefault(id(r), []).append((rec, i))
            for j, r in enumerate(row[10 + n:]):
                self._refs[id(r)] = r
                self.made_by.setdefault(id(r), []).append((rec, j))

    def key(self, t):
        r = ref_of(t)
        return id(r) if r is not None and id(r) in self._refs else None

    def producer(self, t):
        k = self.key(t)
        made = self.made_by.get(k) if k is not None else None
        return made[-1][0] if made else None

    def uses(self, t):
        k = self.key(t)
        return list(self.used_by.get(k, ())) if k is not None else []

    def downstream(self, start_keys, after=0, through=None):
        """Records reachable by data flow from tensors ``start_keys``
        (ids of weak refs), in tape order.

        Args:
            start_keys: iterable of ref ids.
            after (int): only records with ``id > after``.
            through: ``fn(record) -> bool``; when given, outputs of a
                record propagate only if it returns True.

        Returns:
            ``(records, keys)``: the records that used a reached tensor, and
            the set of reached ref ids.
        """
        keys = set(start_keys)
        hit = []
        for rec in self.records:
            if rec.id <= after:
                continue
            row = rec.row
            n = row[9]
            if any(r.__class__ is weakref.ref and id(r) in keys
                   for r in row[10:10 + n]):
                hit.append(rec)
                if through is None or through(rec):
                    for r in row[10 + n:]:
                        keys.add(id(r))
        return hit, keys

    def last(self, kind, after=0):
        """The newest record of ``kind`` (e.g. ``"backward"``)."""
        for rec in reversed(self.records):
            if rec.id <= after:
                break
            if rec.kind == kind:
                return rec
        return None
