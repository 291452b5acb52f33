"""Logging learners in over HTTP, and driving the server with wrk one phase at a time."""

import http.client
import os
import re
import resource
import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

from bench.stats import Summary, read_logs, summarise

LUA = Path(__file__).resolve().parent / "load.lua"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Identity:
    username: str
    sessionid: str
    csrftoken: str


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    # The cookies are Secure (production settings); over plain HTTP we carry them ourselves.
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login(port: int, username: str, password: str) -> Identity:
    """Log in through /accounts/login/ as a browser would, CSRF token included."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read()
    cookies = _cookies(response)
    conn.close()
    match = TOKEN.search(page)
    if response.status != 200 or not match or "csrftoken" not in cookies:
        raise SystemExit(f"The log-in page gave {response.status} without a CSRF token.")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)}
    )
    origin = f"http://127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    after = _cookies(response)
    if response.status != 302 or "sessionid" not in after:
        raise SystemExit(f"Logging in as {username!r} gave {response.status}, not a redirect.")
    # Logging in rotates the CSRF secret; the new cookie is the token to send.
    return Identity(username, after["sessionid"], after.get("csrftoken", cookies["csrftoken"]))


def write_identities(
    path: Path, identities: list[Identity], paths: dict[str, list[str]] | None = None
) -> Path:
    """One "sessionid csrftoken [path ...]" line per identity, for load.lua; the paths are
    the pages of the learner's own (a session, an interview) that the phase asks for."""
    lines = []
    for identity in identities:
        own = (paths or {}).get(identity.username, [])
        lines.append(" ".join([identity.sessionid, identity.csrftoken, *own]) + "\n")
    path.write_text("".join(lines))
    return path


class CpuMeter:
    """CPU time spent by the server, PostgreSQL, the load generator and everything else.

    Other engineers' test runs share this machine; "other" shows how much of
    it they took during a phase, so a noisy run can be recognised.
    """

    def __init__(self, server_pids: list[int], database: str):
        self.server_pids = set(server_pids)
        self.database = database

    def _postgres_pids(self) -> set[int]:
        # Backends of the benchmark's database and PostgreSQL's own workers
        # (WAL writer, checkpointer...), not other databases' backends.
        with psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "OR backend_type <> 'client backend'",
                [self.database],
            ).fetchall()
        return {pid for (pid,) in rows}

    def snapshot(self) -> dict:
        times = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        with open("/proc/stat") as stat:
            jiffies = [int(value) for value in stat.readline().split()[1:]]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "times": times,
            "postgres": self._postgres_pids(),
            "busy": (sum(jiffies[:8]) - jiffies[3] - jiffies[4]) / CLOCK_TICKS,
            # The load generator has exited by the second snapshot: its time is here.
            "children": children.ru_utime + children.ru_stime,
            "wall": time.monotonic(),
        }

    def share(self, before: dict, after: dict) -> dict[str, float]:
        """Cores used by each group over the interval (2.0 = both cores of this machine)."""
        wall = max(after["wall"] - before["wall"], 1e-6)

        def spent(pids) -> float:
            return sum(
                max(0.0, after["times"].get(pid, 0.0) - before["times"].get(pid, 0.0))
                for pid in pids
            )

        used = {
            "server": spent(self.server_pids),
            "postgres": spent(before["postgres"] | after["postgres"]),
            "load": max(0.0, after["children"] - before["children"]),
        }
        busy = max(0.0, after["busy"] - before["busy"])
        # Processes that ended during the phase count in "busy" only, so in "other".
        used["other"] = max(0.0, busy - sum(used.values()))
        return {group: round(value / wall, 2) for group, value in used.items()}


def wrk_version() -> str:
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (result.stdout + result.stderr).strip().splitlines()
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    return first[0].split(" Copyright")[0] if first else "wrk"


def run_phase(
    *,
    base_url: str,
    mode: str,
    identities: Path | None,
    seconds: float,
    connections: int,
    log_dir: Path,
    meter: CpuMeter | None = None,
) -> tuple[dict[str, Summary], dict[str, float]]:
    """Closed-loop load: `connections` clients, each sending its next request on the last reply."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk).")
    if log_dir.exists():
        shutil.rmtree(log_dir)
    log_dir.mkdir(parents=True)
    command = [
        "wrk", "--threads", str(connections), "--connections", str(connections),
        "--duration", f"{seconds:g}s", "--timeout", "30s",
        "--script", str(LUA), base_url, "--",
        mode, str(identities) if identities else "-", str(log_dir / "thread"),
    ]  # fmt: skip
    before = meter.snapshot() if meter else None
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, _ = process.communicate(timeout=seconds + 120)
    after = meter.snapshot() if meter else None
    if process.returncode != 0:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{output}")
    (log_dir / "wrk.txt").write_text(output)
    summaries = summarise(read_logs(sorted(log_dir.glob("thread-*.log"))))
    cpu = meter.share(before, after) if meter else {}
    return summaries, cpu
