"""The optional progress bar."""
import io

import pytest

from pytensor.data import DataLoader, TensorDataset, progress
import pytensor


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_silent_when_not_a_tty(monkeypatch):
    monkeypatch.delenv("PYTENSOR_PROGRESS", raising=False)
    items = [1, 2, 3]
    assert progress(items, file=io.StringIO()) is items
    assert progress(items, disable=True, file=FakeTTY()) is items


def test_draws_on_a_tty_and_when_forced(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.delenv("PYTENSOR_PROGRESS", raising=False)
    out = FakeTTY()
    loader = DataLoader(TensorDataset(pytensor.arange(10)), batch_size=3)
    assert len(list(progress(loader, desc="epoch 1", file=out))) == 4
    text = out.getvalue()
    assert "epoch 1" in text and "4/4" in text
    forced = io.StringIO()
    assert sum(progress(range(4), disable=False, file=forced)) == 6
    assert "4/4" in forced.getvalue()


def test_environment_variable(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setenv("PYTENSOR_PROGRESS", "0")
    items = [1]
    assert progress(items, file=FakeTTY()) is items
    monkeypatch.setenv("PYTENSOR_PROGRESS", "1")
    out = io.StringIO()
    list(progress(items, file=out))
    assert "1/1" in out.getvalue()
