"""`make run`'s process script: one Ctrl-C stops every process it started, and only those.

The script runs against a stand-in `python` that records its pid and its child's (as
Django's autoreloader has a child), so the test needs no server and no port.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "dev_servers.sh"

FAKE_PYTHON = """#!/usr/bin/env bash
# Called as: python manage.py COMMAND ...
command="$2"
if [ "$command" = runserver ] && [ -n "${FAKE_SERVER_FAILS:-}" ]; then
    echo "Error: That port is already in use."
    exit 1
fi
sleep 300 &
echo $! > "$PIDS/$command.child"
echo $$ > "$PIDS/$command"
wait
"""


@pytest.fixture
def fake_bin(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    pids = tmp_path / "pids"
    pids.mkdir()
    return bin_dir, pids


def start(bin_dir, pids, **env):
    def default_interrupt():
        # As in a terminal: the test runner's own shell may have started it ignoring SIGINT.
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen(
        [str(SCRIPT), str(bin_dir), "8999"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PIDS": str(pids), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=default_interrupt,
    )


def recorded_pids(pids):
    return [int(path.read_text()) for path in pids.iterdir() if path.read_text().strip()]


def alive(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_ctrl_c_stops_every_process_and_exits_cleanly(fake_bin):
    bin_dir, pids = fake_bin
    script = start(bin_dir, pids)
    try:
        assert wait_until(lambda: len(list(pids.iterdir())) == 6), list(pids.iterdir())
        started = recorded_pids(pids)
        assert all(alive(pid) for pid in started)

        # Ctrl-C signals the terminal's foreground process group: make and this script.
        os.killpg(script.pid, signal.SIGINT)
        output, _ = script.communicate(timeout=10)
    finally:
        script.kill()

    assert script.returncode == 0, output
    assert "PrepSite stopped." in output
    assert "Segmentation fault" not in output
    # It says so once every process is gone: `make run` again finds the port free.
    assert not [pid for pid in started if alive(pid)]


def test_a_server_that_cannot_start_stops_the_others(fake_bin):
    bin_dir, pids = fake_bin
    script = start(bin_dir, pids, FAKE_SERVER_FAILS="1")
    try:
        output, _ = script.communicate(timeout=10)
    finally:
        script.kill()

    assert script.returncode == 1, output
    assert "port is already in use" in output
    # The script returns once the whole group is gone: nothing it started is left.
    started = recorded_pids(pids)
    assert not [pid for pid in started if alive(pid)]


def test_a_hang_up_stops_every_process(fake_bin):
    bin_dir, pids = fake_bin
    script = start(bin_dir, pids)
    try:
        assert wait_until(lambda: len(list(pids.iterdir())) == 6), list(pids.iterdir())
        started = recorded_pids(pids)
        script.send_signal(signal.SIGHUP)  # the terminal closed: make passes it on
        script.communicate(timeout=10)
    finally:
        script.kill()

    assert script.returncode == 0
    assert not [pid for pid in started if alive(pid)]
