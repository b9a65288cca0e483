"""Formatting primitives: numbers, shapes, tables that fit a width, colour
and NO_COLOR, summaries, JSON."""
import json
import math

import numpy as np
import pytest

import pytensor
from pytensor.debug import summary, tensor_stats
from pytensor.debug._render import (Table, fmt_bytes, fmt_dtype, fmt_num,
                                    fmt_shape, fmt_time, paint,
                                    resolve_color, truncate, visible_len)


@pytest.mark.parametrize("v, s", [
    (0.114, "0.114"), (12.3456, "12.3"), (123456.0, "1.23e+05"),
    (1e-5, "1.00e-05"), (-3.0, "-3"), (0.0, "0"), (float("nan"), "nan"),
    (float("-inf"), "-inf"), (5, "5"), (None, "-"), (True, "True")])
def test_fmt_num(v, s):
    assert fmt_num(v) == s


def test_small_formatters():
    assert fmt_shape(()) == "[]" and fmt_shape((16, 8)) == "[16,8]"
    assert fmt_dtype(np.dtype("float32")) == "f32"
    assert fmt_dtype(pytensor.int64) == "i64"
    assert fmt_bytes(196) == "196 B" and fmt_bytes(1536) == "1.5 KiB"
    assert fmt_time(38e-6) == "38.0 µs" and fmt_time(2.5e-3) == "2.50 ms"
    assert truncate("abcdef", 4) == "abc…" and truncate("ab", 4) == "ab"


def test_table_fits_width_by_cutting_then_dropping():
    t = Table(["name", ("note", {"flex": 1, "min": 6}),
               ("extra", {"drop": 1}), ("n", {"align": ">"})])
    t.add(["weight", "a long note that will not fit", "xx", "12"])
    wide = t.render(width=200)
    assert wide.splitlines()[1] == \
        "weight  a long note that will not fit  xx     12"
    narrow = t.render(width=30)
    assert all(len(ln) <= 30 for ln in narrow.splitlines())
    assert "…" in narrow
    tiny = t.render(width=20)
    assert "extra" not in tiny              # dropped before the name
    assert all(len(ln) <= 20 for ln in tiny.splitlines())


def test_table_rejects_wrong_row_length():
    with pytest.raises(ValueError, match="expected 2 cells"):
        Table(["a", "b"]).add(["x"])


def test_colour_and_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert paint("x", "bad", True) == "\x1b[31;1mx\x1b[0m"
    assert paint("x", "bad", False) == "x"
    assert visible_len(paint("abc", "ok", True)) == 3
    assert resolve_color(True) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert resolve_color(True) is False


def test_table_colour_keeps_alignment(monkeypatch):
    t = Table(["a", ("b", {"align": ">"})])
    t.add([("x", "bad"), "1"])
    plain = t.render(40, False)
    coloured = t.render(40, True)
    import re
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_summary_forms():
    assert summary(pytensor.tensor([[1.0, 2.0], [3.0, 4.0]])) == \
        "f32[2,2] cpu μ=2.5 σ=1.29"
    assert summary(pytensor.tensor(0.25)) == "f32[] cpu =0.25"
    assert summary(pytensor.tensor([1, 5, 3])) == "i64[3] cpu min=1 max=5"
    assert summary(pytensor.tensor([True, False, True])) == \
        "bool[3] cpu true=2/3"
    assert summary(pytensor.zeros(0, 3)) == "f32[0,3] cpu empty"
    bad = pytensor.tensor([1.0, float("nan"), float("inf"), 3.0])
    assert summary(bad) == "f32[4] cpu μ=2 σ=1.41 nan=1 inf=1"
    assert summary(bad, device=False).startswith("f32[4] μ=")


def test_tensor_stats_and_json():
    st = tensor_stats(pytensor.tensor([3.0, -4.0, 0.0]))
    assert (st.min, st.max, st.zeros, st.numel) == (-4.0, 3.0, 1, 3)
    assert math.isclose(st.norm, 5.0)
    d = st.to_json()
    assert d["type"] == "TensorStats" and d["shape"] == [3]
    json.dumps(d)
    nan = tensor_stats(pytensor.tensor([float("nan")]))
    assert nan.to_json()["value"] == "nan"          # JSON has no NaN
