"""Text building blocks shared by every renderer in ``pytensor.debug``.

Renderers produce plain text that fits a given width; colour is a thin
layer of ANSI SGR codes added only when asked for (and never when the
``NO_COLOR`` environment variable is set, see https://no-color.org).

- number, shape, dtype, byte and time formatting (:func:`fmt_num`, ...);
- :class:`Table`: columns that shrink (with ``…``) or drop to fit a width;
- :func:`paint`: colour a span by its role (``"name"``, ``"bad"``, ...).
"""
import math
import os

__all__ = ["fmt_num", "fmt_shape", "fmt_dtype", "fmt_bytes", "fmt_time",
           "fmt_count", "truncate", "paint", "resolve_color", "Table",
           "DEFAULT_WIDTH", "visible_len"]

DEFAULT_WIDTH = 100

_DTYPE_SHORT = {
    "float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
    "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
    "bool": "bool", "complex64": "c64", "complex128": "c128",
}

# Roles -> SGR codes.  Kept to the 8 basic colours so any terminal shows
# them and the text stays readable on light and dark backgrounds.
_STYLES = {
    "name": "1",            # bold
    "op": "36",             # cyan
    "dim": "2",
    "ok": "32",             # green
    "bad": "31;1",          # bold red
    "warn": "33",           # yellow
    "param": "35",          # magenta
    "header": "1;4",        # bold underline
    "where": "34",          # blue
}


def resolve_color(color=None, stream=None):
    """Whether to colour output: ``color`` if given (but never under
    ``NO_COLOR``), else whether ``stream`` is a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if color is not None:
        return bool(color)
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def paint(text, role, color):
    """``text`` wrapped in the SGR code of ``role`` when ``color``."""
    if not color or not text or role not in _STYLES:
        return text
    return f"\x1b[{_STYLES[role]}m{text}\x1b[0m"


def visible_len(text):
    """Length of ``text`` without ANSI escape sequences."""
    if "\x1b" not in text:
        return len(text)
    import re
    return len(re.sub(r"\x1b\[[0-9;]*m", "", text))


def truncate(text, width):
    """``text`` cut to ``width`` characters, ending in ``…`` if cut."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[:max(0, width - 1)] + "…"


def fmt_num(v, prec=3):
    """A number in ``prec`` significant digits: ``0.114``, ``1.2e+03``,
    ``nan``, ``-inf``; integers stay integers."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 10 ** (prec + 2) or a < 1e-4:
        return f"{v:.{max(0, prec - 1)}e}"
    s = f"{v:.{prec}g}"
    if "e" in s:                # e.g. 1.23e+03 from 'g' at 3 digits
        s = f"{v:.0f}" if a >= 1 else s
    return s


def fmt_sci(v, prec=1):
    """Scientific notation with ``prec`` decimals (``3.1e-01``), for table
    columns whose values span many magnitudes; ``-`` for None."""
    if v is None:
        return "-"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{prec}e}"


def fmt_shape(shape):
    """``[16,8]``; ``[]`` for a 0-d tensor."""
    return "[" + ",".join(str(int(s)) for s in shape) + "]"


def fmt_dtype(dt):
    """``f32`` for float32 (NumPy dtype, pytensor dtype or name)."""
    name = getattr(dt, "name", None) or str(dt)
    return _DTYPE_SHORT.get(name, name)


def fmt_bytes(n):
    """``196 B``, ``1.2 KiB``, ``3.0 MiB``."""
    if n is None:
        return "-"
    n = int(n)
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024.0
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"


def fmt_time(seconds):
    """``38.0 µs``, ``1.25 ms``, ``2.50 s``; ``-`` for None."""
    if seconds is None:
        return "-"
    s = float(seconds)
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_count(n):
    """``12,345``."""
    return f"{int(n):,}"


class Table:
    """Columns of text that fit a width.

    Args:
        columns: a list of ``(header, options)`` or headers.  Options (a
            dict): ``align`` ``"<"``/``">"``; ``flex`` (int priority: the
            column may be cut with ``…``, higher numbers are cut first);
            ``drop`` (int priority: the column may be left out when even
            cutting is not enough, higher first); ``min`` (narrowest width
            when cut, default 6).
        gap (int): spaces between columns.

    Rows are lists of cells; a cell is a string or ``(string, role)`` for
    colour.

    Example:
        >>> from pytensor.debug._render import Table
        >>> t = Table(["name", ("bytes", {"align": ">"})])
        >>> t.add(["x", "256"])
        >>> t.add(["weight", "1024"])
        >>> print(t.render(width=40))
        name    bytes
        x         256
        weight   1024
    """

    def __init__(self, columns, gap=2):
        self.headers = []
        self.opts = []
        for c in columns:
            if isinstance(c, tuple):
                h, o = c
            else:
                h, o = c, {}
            self.headers.append(h)
            self.opts.append(o)
        self.rows = []
        self.gap = gap

    def add(self, cells):
        cells = list(cells)
        if len(cells) != len(self.headers):
            raise ValueError(f"Table.add: expected {len(self.headers)} cells, "
                             f"got {len(cells)}")
        self.rows.append(cells)

    @staticmethod
    def _text(cell):
        return cell[0] if isinstance(cell, tuple) else str(cell)

    def widths(self, width):
        """The width of each column (0 for a dropped column)."""
        n = len(self.headers)
        natural = [len(h) for h in self.headers]
        for r in self.rows:
            for i, c in enumerate(r):
                natural[i] = max(natural[i], len(self._text(c)))
        w = list(natural)
        alive = [True] * n

        def total():
            k = sum(1 for a in alive if a)
            return sum(x for x, a in zip(w, alive) if a) + self.gap * max(
                0, k - 1)

        if width is None or total() <= width:
            return w
        # 1) cut flexible columns, highest priority first, down to min.
        flex = sorted((i for i in range(n) if self.opts[i].get("flex")),
                      key=lambda i: -self.opts[i]["flex"])
        for i in flex:
            excess = total() - width
            if excess <= 0:
                break
            lo = min(natural[i], self.opts[i].get("min", 6))
            w[i] = max(lo, w[i] - excess)
        # 2) drop columns that may be dropped.
        drop = sorted((i for i in range(n) if self.opts[i].get("drop")),
                      key=lambda i: -self.opts[i]["drop"])
        for i in drop:
            if total() <= width:
                break
            alive[i] = False
        # 3) still too wide: cut the last living column.
        if total() > width:
            last = max(i for i in range(n) if alive[i])
            w[last] = max(1, w[last] - (total() - width))
        return [x if a else 0 for x, a in zip(w, alive)]

    def render(self, width=None, color=False, header=True):
        w = self.widths(width)
        lines = []
        rows = ([[(h, "header") for h in self.headers]] if header else []) \
            + self.rows
        for r in rows:
            parts = []
            for i, c in enumerate(r):
                if not w[i]:
                    continue
                text, role = (c if isinstance(c, tuple) else (str(c), None))
                text = truncate(text, w[i])
                pad = w[i] - len(text)
                if self.opts[i].get("align") == ">":
                    cell = " " * pad + paint(text, role, color)
                else:
                    cell = paint(text, role, color) + " " * pad
                parts.append(cell)
            lines.append((" " * self.gap).join(parts).rstrip())
        return "\n".join(lines)
