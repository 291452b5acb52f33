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
    # Once the other two are up (and their children), as a server finding its port taken.
    while [ "$(ls "$PIDS" | wc -l)" -lt 4 ]; do sleep 0.05; done
    echo "Error: That port is already in use."
    exit 1
fi
sleep 300 &
# Written whole, then named (mv is atomic): a pid file is never seen empty.
echo $! > "$PIDS/.$command.child" && mv "$PIDS/.$command.child" "$PIDS/$command.child"
echo $$ > "$PIDS/.$command" && mv "$PIDS/.$command" "$PIDS/$command"
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


def pid_files(pids) -> list:
    return [path for path in pids.iterdir() if not path.name.startswith(".")]


def recorded_pids(pids) -> list[int]:
    return [int(path.read_text()) for path in pid_files(pids)]


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


def all_started(pids, count=6) -> list[int]:
    """The pids the stand-in recorded, once all `count` are (three commands, a child each)."""
    assert wait_until(lambda: len(pid_files(pids)) == count), pid_files(pids)
    started = recorded_pids(pids)
    assert all(alive(pid) for pid in started)
    return started


def test_ctrl_c_stops_every_process_and_exits_cleanly(fake_bin):
    bin_dir, pids = fake_bin
    script = start(bin_dir, pids)
    try:
        started = all_started(pids)

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
    assert len(started) == 4  # the worker, the reminder sender and their children
    assert not [pid for pid in started if alive(pid)]


def test_a_hang_up_stops_every_process(fake_bin):
    bin_dir, pids = fake_bin
    script = start(bin_dir, pids)
    try:
        started = all_started(pids)
        script.send_signal(signal.SIGHUP)  # the terminal closed: make passes it on
        script.communicate(timeout=10)
    finally:
        script.kill()

    assert script.returncode == 0
    assert not [pid for pid in started if alive(pid)]
