"""The REPL on a real terminal: a pty driven by pexpect, and tmux (what a
person sees).  The app writes an invisible ready marker (OSC 777) after
each prompt renders when PYTENSOR_REPL_READY_MARKER=1, so the tests wait
for the prompt instead of sleeping."""
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from repl.testing import READY, strip_ansi

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _env(tmp_path, **extra):
    e = dict(os.environ, PYTHONPATH=ROOT, TERM="xterm-256color",
             PROMPT_TOOLKIT_NO_CPR="1", PYTENSOR_REPL_READY_MARKER="1",
             PYTENSOR_REPL_HISTORY=str(tmp_path / "history"))
    e.pop("NO_COLOR", None)
    e.pop("COLUMNS", None)
    e.update(extra)
    return e


def spawn(tmp_path, **env):
    c = pexpect.spawn(sys.executable, ["-m", "repl"],
                      env=_env(tmp_path, **env),
                      encoding="utf-8", timeout=20, dimensions=(40, 120),
                      cwd=str(tmp_path))
    c.expect_exact(READY)
    return c


def send(c, text):
    """Type ``text`` + Enter; wait for the next prompt; return what was
    printed in between, without escape codes."""
    c.send(text + "\r")
    c.expect_exact(READY)
    return strip_ansi(c.before)


def test_pty_session(tmp_path):
    """Eval, a block, a coloured command, Ctrl-C in a computation, Ctrl-D."""
    c = spawn(tmp_path)
    try:
        send(c, "y = 6 * 7")
        assert "42" in send(c, "y")
        # One prompt for the whole block (auto-indent adds the spaces).
        out = send(c, "for i in range(2):\rprint(i + 100)\r")
        assert "100" in out and "101" in out
        send(c, "x = pytensor.ones(3, requires_grad=True)")
        send(c, "z = (x * 2).sum()")
        c.send(":graph z\r")
        c.expect_exact(READY)
        assert "\x1b[" in c.before                 # colour on a terminal
        assert "└─ mul(·, 2)" in strip_ansi(c.before)
        c.send("while True: pass\r")
        time.sleep(0.5)
        c.sendintr()
        c.expect_exact(READY)
        assert "KeyboardInterrupt" in strip_ansi(c.before)
        assert "7" in send(c, "3 + 4")
        c.sendcontrol("d")
        c.expect(pexpect.EOF)
        c.close()
        assert c.exitstatus == 0
    finally:
        if c.isalive():
            c.terminate(force=True)


def test_history_persists_across_sessions(tmp_path):
    env = _env(tmp_path)
    c = pexpect.spawn(sys.executable, ["-m", "repl"], env=env,
                      encoding="utf-8", timeout=20, dimensions=(30, 100))
    c.expect_exact(READY)
    send(c, "unique_name_123 = 5")
    c.sendcontrol("d")
    c.expect(pexpect.EOF)
    c = pexpect.spawn(sys.executable, ["-m", "repl"], env=env,
                      encoding="utf-8", timeout=20, dimensions=(30, 100))
    c.expect_exact(READY)
    out = send(c, ":hist -g unique_name")
    assert "unique_name_123 = 5" in out
    c.sendcontrol("d")
    c.expect(pexpect.EOF)


def test_dumb_terminal_still_works(tmp_path):
    c = spawn(tmp_path, TERM="dumb")
    c.send("2 ** 10\r")
    c.expect_exact(READY)
    assert "1024" in strip_ansi(c.before)
    c.sendcontrol("d")
    c.expect(pexpect.EOF)


# -- tmux: the screen a person sees -------------------------------------
TMUX = shutil.which("tmux")


@pytest.fixture
def tmux(tmp_path):
    if TMUX is None:
        pytest.skip("tmux is not installed")
    sock = str(tmp_path / "tmux.sock")
    name = "t" + uuid.uuid4().hex[:8]
    # tmux answers cursor-position requests, so the renderer knows its
    # height and shows the bottom toolbar (NO_CPR would hide it).
    env = _env(tmp_path, TERM="screen-256color")
    envs = " ".join(f"{k}={v!s}" for k, v in env.items()
                    if k in ("PYTHONPATH", "PYTENSOR_REPL_HISTORY", "TERM"))
    cmd = f"env {envs} {sys.executable} -m repl"
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", name, "-x",
                    "100", "-y", "30", cmd], check=True, cwd=str(tmp_path))

    def run(*args):
        return subprocess.run([TMUX, "-S", sock] + list(args),
                              capture_output=True, text=True).stdout

    def screen():
        return run("capture-pane", "-p", "-t", name)

    def wait_for(pred, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            s = screen()
            if pred(s):
                return s
            time.sleep(0.1)
        raise AssertionError("screen never matched:\n" + screen())

    def keys(*k):
        run("send-keys", "-t", name, *k)

    wait_for(lambda s: ">>>" in s)
    yield keys, wait_for, screen
    run("kill-server")


def test_tmux_screen(tmux):
    """A block, :vars, the toolbar and the completion menu as seen."""
    keys, wait_for, screen = tmux
    keys("z = [1, 2, 3]", "Enter")
    keys("for v in z:", "Enter")
    keys("print(v * 10)", "Enter", "Enter")
    s = wait_for(lambda s: "30" in s)
    assert "... " in s and "10" in s and "20" in s
    keys(":vars", "Enter")
    wait_for(lambda s: "list" in s)
    keys("w = pytensor.ones(2, requires_grad=True)", "Enter")
    keys("(w * 2).sum().backward()", "Enter")
    s = wait_for(lambda s: "last backward #" in s)
    assert "device cpu" in s and "grad on" in s
    keys(":gra")
    wait_for(lambda s: ">>> :gra" in s)
    time.sleep(0.2)
    keys("Tab")
    s = wait_for(lambda s: ":gradcheck" in s)
    assert ":graph" in s
