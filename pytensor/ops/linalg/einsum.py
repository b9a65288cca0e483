"""``einsum``: Einstein summation over any number of operands.

The equation is first rewritten to a canonical form: ellipses become
explicit letters (right-aligned, broadcast), a size-1 dim that broadcasts
against a larger size gets a letter of its own (summed away), and an
implicit output becomes explicit (ellipsis dims, then the letters seen
once, in ASCII order, as in PyTorch).  The canonical equation is then
contracted pairwise in the order ``numpy.einsum_path`` picks, each pair as
one batched matrix product (BLAS, cuBLAS on a GPU), as PyTorch does.

The gradient for operand ``k`` is itself an einsum: of the output gradient
with the other operands, producing operand ``k``'s subscripts.  A repeated
subscript (a diagonal, ``ii``) gets a fresh letter tied to the first by an
identity matrix, and a subscript no other term mentions (summed out of
``k`` alone) by a vector of ones, so every case stays one einsum, and
double backward works because einsum is differentiable.
"""
import string

import numpy as np

from pytensor.autograd.function import Function
from pytensor.backend import get_xp
from pytensor.tensor import Tensor

__all__ = ["einsum"]

_LETTERS = string.ascii_uppercase + string.ascii_lowercase   # ASCII order
_path_cache = {}


class _Parsed:
    __slots__ = ("terms", "out", "sizes")

    def __init__(self, terms, out, sizes):
        self.terms, self.out, self.sizes = terms, out, sizes


def _split_term(term, k, offset):
    """A term as a list of letters and at most one ``'...'``."""
    out = []
    i = 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if term[i:i + 3] != "...":
                raise RuntimeError(
                    f"einsum(): found '.' for operand {k} that is not part "
                    "of any ellipsis")
            if "..." in out:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {k} for which an "
                    "ellipsis was already found")
            out.append("...")
            i += 3
            continue
        if c not in _LETTERS:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {offset + i} in "
                "the equation string, subscripts must be in [a-zA-Z]")
        out.append(c)
        i += 1
    return out


def parse(equation, shapes):
    """Validate ``equation`` against operand ``shapes`` and return its
    canonical form (letters only, explicit output, no broadcasting)."""
    if not isinstance(equation, str):
        raise TypeError("einsum(): the equation must be a str, got "
                        f"{type(equation).__name__}")
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    raw_terms = lhs.split(",")
    if len(raw_terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than "
                           "specified in the equation")
    if len(raw_terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than "
                           "specified in the equation")
    terms = []
    offset = 0
    for k, t in enumerate(raw_terms):
        terms.append(_split_term(t, k, offset))
        offset += len(t) + 1
    out_raw = None
    if rhs is not None:
        out_raw = _split_term(rhs, "output", len(lhs) + 2)

    # Ellipsis dims of each operand, right-aligned to the longest.
    ell = []
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        nlet = len(t) - ("..." in t)
        if "..." in t:
            if nlet > len(shape):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation "
                    f"({nlet}) is more than the number of dimensions "
                    f"({len(shape)}) for operand {k}")
            ell.append(len(shape) - nlet)
        else:
            if nlet != len(shape):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation "
                    f"({nlet}) does not match the number of dimensions "
                    f"({len(shape)}) for operand {k} and no ellipsis was "
                    "given")
            ell.append(0)
    used = {c for t in terms for c in t if c != "..."}
    if out_raw is not None:
        used |= {c for c in out_raw if c != "..."}
    fresh = iter([c for c in _LETTERS if c not in used])

    def new_letter():
        try:
            return next(fresh)
        except StopIteration:
            raise RuntimeError("einsum(): too many subscripts (at most 52 "
                               "distinct letters in all)") from None

    n_ell = max(ell) if ell else 0
    ell_letters = [new_letter() for _ in range(n_ell)]

    # Expand ellipses and collect sizes; size-1 dims broadcast.
    expanded = []
    for t, e in zip(terms, ell):
        x = []
        for c in t:
            x.extend(ell_letters[n_ell - e:] if c == "..." else [c])
        expanded.append(x)
    sizes = {}
    for k, (t, shape) in enumerate(zip(expanded, shapes)):
        seen = {}
        for c, n in zip(t, shape):
            if c in seen and seen[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} "
                    f"but the sizes don't match, {n} != {seen[c]}")
            seen[c] = n
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != prev and n != 1:
                label = c if c not in ell_letters else "..."
                raise RuntimeError(
                    f"einsum(): subscript {label} has size {n} for operand "
                    f"{k} which does not broadcast with previously seen size "
                    f"{prev}")

    # The output subscripts.
    if out_raw is None:
        counts = {}
        for t in terms:
            for c in t:
                if c != "...":
                    counts[c] = counts.get(c, 0) + 1
        out = ell_letters + sorted(c for c, n in counts.items() if n == 1)
    else:
        out = []
        for c in out_raw:
            if c == "...":
                out.extend(ell_letters)
                continue
            if c in out:
                raise RuntimeError(f"einsum(): output subscript {c} appears "
                                   "more than once in the output")
            if c not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the "
                    "equation for any input operand")
            out.append(c)

    # A size-1 dim broadcast against a larger size: its own letter, which
    # is summed away (a sum over one element), so no operand broadcasts.
    canon = []
    for t, shape in zip(expanded, shapes):
        x = []
        for c, n in zip(t, shape):
            if n == 1 and sizes[c] != 1:
                f = new_letter()
                sizes[f] = 1
                x.append(f)
            else:
                x.append(c)
        canon.append("".join(x))
    return _Parsed(canon, "".join(out), sizes)


# ----------------------------------------------------------------------
# Contraction (arrays)
def _single(term, out, a, xp):
    if term == out:
        return a
    if len(set(term)) == len(term) and sorted(term) == sorted(out):
        return a.transpose([term.index(c) for c in out])
    return xp.einsum(f"{term}->{out}", a)


def _dedup(term, a, xp, keep):
    """Take diagonals of repeated letters and sum letters not in ``keep``."""
    want = "".join(c for i, c in enumerate(term)
                   if c in keep and term.index(c) == i)
    if want == term:
        return term, a
    if len(set(term)) == len(term):
        axes = tuple(i for i, c in enumerate(term) if c not in keep)
        return want, a.sum(axis=axes)
    return want, xp.einsum(f"{term}->{want}", a)


def _pair(ta, a, tb, b, out, xp):
    """``einsum(ta,tb->out)`` as one batched matmul."""
    ta, a = _dedup(ta, a, xp, set(tb) | set(out))
    tb, b = _dedup(tb, b, xp, set(ta) | set(out))
    batch = [c for c in ta if c in tb and c in out]
    contract = [c for c in ta if c in tb and c not in out]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]
    size = {}
    for t, arr in ((ta, a), (tb, b)):
        for c, n in zip(t, arr.shape):
            size[c] = n

    def prod(cs):
        p = 1
        for c in cs:
            p *= size[c]
        return p

    nb, nl, nc, nr = prod(batch), prod(left), prod(contract), prod(right)
    am = _as_matrices(a, ta, batch, left, contract, nb, nl, nc)
    bm = _as_matrices(b, tb, batch, contract, right, nb, nc, nr)
    r = xp.matmul(am, bm).reshape([size[c] for c in batch + left + right])
    return _single("".join(batch + left + right), out, r, xp)


def _as_matrices(a, term, batch, rows, cols, nb, nr, nc):
    """``a`` as a ``(nb, nr, nc)`` stack of matrices.  When ``a`` is laid
    out as (batch, cols, rows) the result is a transposed view rather than a
    copy: ``matmul`` hands BLAS the transpose flag (``q @ k.T``-style
    einsums copy nothing)."""
    perm = [term.index(c) for c in batch + rows + cols]
    if perm != sorted(perm):
        alt = [term.index(c) for c in batch + cols + rows]
        if alt == sorted(alt):
            return a.reshape(nb, nc, nr).swapaxes(-1, -2)
    return a.transpose(perm).reshape(nb, nr, nc)


def _path(parsed, shapes):
    key = (tuple(parsed.terms), parsed.out, tuple(shapes))
    path = _path_cache.get(key)
    if path is None:
        dummies = [np.broadcast_to(np.empty((), np.float32), s)
                   for s in shapes]
        eq = ",".join(parsed.terms) + "->" + parsed.out
        path = np.einsum_path(eq, *dummies, optimize="greedy")[0][1:]
        if len(_path_cache) > 512:
            _path_cache.clear()
        _path_cache[key] = path
    return path


def contract(parsed, arrays):
    """Evaluate a parsed einsum on arrays."""
    xp = get_xp(arrays[0])
    terms, out = list(parsed.terms), parsed.out
    arrays = list(arrays)
    if len(arrays) == 1:
        return _single(terms[0], out, arrays[0], xp)
    path = [(0, 1)] if len(arrays) == 2 else _path(
        parsed, [a.shape for a in arrays])
    for step in path:
        picked = sorted(step, reverse=True)
        ts = [terms.pop(i) for i in picked][::-1]
        arrs = [arrays.pop(i) for i in picked][::-1]
        rest = set("".join(terms)) | set(out)
        # Keep the letters still needed, in order of first appearance.
        keep = []
        for t in ts:
            for c in t:
                if c in rest and c not in keep:
                    keep.append(c)
        tout = "".join(keep) if terms else out
        if len(ts) == 2:
            r = _pair(ts[0], arrs[0], ts[1], arrs[1], tout, xp)
        else:
            r = xp.einsum(",".join(ts) + "->" + tout, *arrs)
        terms.append(tout)
        arrays.append(r)
    return _single(terms[0], out, arrays[0], xp)


# ----------------------------------------------------------------------
class Einsum(Function):
    def __init__(self, parsed):
        self.parsed = parsed

    def forward(self, *arrays):
        self.save_for_backward(*arrays)
        r = contract(self.parsed, arrays)
        if len(arrays) == 1 and get_xp(r).may_share_memory(r, arrays[0]):
            r = r.copy()        # a transpose/diagonal view: own the result
        return r

    def backward(self, gy):
        ops = self.saved_tensors
        out = []
        for k, need in enumerate(self.needs_input_grad):
            if need:
                p, tensors = _operand_grad(self.parsed, k, gy, ops,
                                           Tensor._make)
                out.append(Einsum(p).apply(*tensors))
            else:
                out.append(None)
        return tuple(out)

    def backward_arrays(self, gy):
        ops = self.saved_arrays
        out = []
        for k, need in enumerate(self.needs_input_grad):
            if need:
                p, arrays = _operand_grad(self.parsed, k, gy, ops, None)
                out.append(contract(p, arrays))
            else:
                out.append(None)
        return tuple(out)


def _operand_grad(parsed, k, gy, ops, wrap):
    """The einsum giving d out / d operand k contracted with ``gy``:
    ``(parsed equation, operands)``.  ``wrap`` turns the constant arrays it
    adds into Tensors (None: everything stays arrays)."""
    terms, sizes = parsed.terms, dict(parsed.sizes)
    xd = gy._data if wrap else gy
    xp = get_xp(xd)
    wrap = wrap or (lambda a: a)
    used = set("".join(terms)) | set(parsed.out)
    fresh = iter([c for c in _LETTERS if c not in used])
    in_terms = [parsed.out] + [t for j, t in enumerate(terms) if j != k]
    tensors = [gy] + [t for j, t in enumerate(ops) if j != k]
    target = []
    for c in terms[k]:
        if c in target:
            # A repeated letter (a diagonal): a fresh letter, tied to the
            # first by the identity.
            f = next(fresh)
            sizes[f] = sizes[c]
            target.append(f)
            in_terms.append(c + f)
            tensors.append(wrap(xp.eye(sizes[c], dtype=xd.dtype)))
        else:
            target.append(c)
    present = set("".join(in_terms))
    for c in dict.fromkeys(target):
        if c not in present:
            # Summed out of operand k alone: the gradient is constant along
            # it.
            in_terms.append(c)
            tensors.append(wrap(xp.ones(sizes[c], dtype=xd.dtype)))
    return _Parsed(in_terms, "".join(target), sizes), tensors


def einsum(equation, *operands):
    """Sum of products of operand elements, indexed by subscript letters.

    Each operand gets a term of letters (``a-zA-Z``), one per dim; ``...``
    stands for any number of leading/middle dims, broadcast across
    operands.  Letters in the output (after ``->``) are kept, the others
    summed.  Without ``->`` the output is the ellipsis dims followed by the
    letters that appear once, in alphabetical (ASCII) order.  A letter
    repeated in one term takes a diagonal.

    Args:
        equation (str): e.g. ``"ij,jk->ik"``, ``"bhqd,bhkd->bhqk"``,
            ``"ii->i"``, ``"...ij->...ji"``.
        *operands (Tensor): one per term (a single list also works); all of
            the same dtype.

    Returns:
        Tensor.

    Raises:
        RuntimeError: operand count, rank or size mismatches, bad
            subscripts, mixed dtypes.

    Example:
        >>> import pytensor
        >>> a = pytensor.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> b = pytensor.tensor([[5.0, 6.0], [7.0, 8.0]])
        >>> pytensor.einsum("ij,jk->ik", a, b)
        tensor([[19., 22.],
                [43., 50.]])
        >>> pytensor.einsum("ii", a), pytensor.einsum("ij->j", a)
        (tensor(5.), tensor([4., 6.]))
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, got "
                            f"{type(t).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    dt = operands[0]._data.dtype
    for k, t in enumerate(operands[1:], 1):
        if t._data.dtype != dt:
            raise RuntimeError(
                f"einsum(): operands must have the same dtype, but operand 0 "
                f"is {operands[0].dtype.name} and operand {k} is "
                f"{t.dtype.name}")
    parsed = parse(equation, [t._data.shape for t in operands])
    return Einsum(parsed).apply(*operands)
