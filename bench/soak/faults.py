"""The soak's faults: a gunicorn worker SIGKILLed every KILL_EVERY seconds, and PostgreSQL
restarted once, with /healthz probed until the app serves again."""

import http.client
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field

from bench import infra

KILL_EVERY = 10.0
DB_RESTART_AT = 25.0


def log(message: str) -> None:
    infra.log(message, prefix="soak")


@dataclass
class Faults:
    kills: list[tuple[float, int]] = field(default_factory=list)
    db_down: float | None = None
    db_back: float | None = None
    # The first /healthz probe after the database was back that got a 200: when it was sent
    # (the app had recovered) and when it was answered (after waiting its turn in the queue).
    healthy_sent: float | None = None
    healthy_answered: float | None = None


def inject_faults(master: int, port: int, start: float, deadline: float, faults: Faults) -> None:
    """Kill a worker every KILL_EVERY seconds; restart PostgreSQL once, beside the kills."""
    next_kill = start + KILL_EVERY
    restart_at = start + min(DB_RESTART_AT, (deadline - start) * 0.4)
    restart = threading.Thread(target=restart_postgres, args=(port, faults), daemon=True)
    while time.monotonic() < deadline - 1:
        now = time.monotonic()
        if not restart.is_alive() and faults.db_down is None and now >= restart_at:
            restart.start()
        if now >= next_kill:
            next_kill += KILL_EVERY
            workers = infra.children(master)
            if workers:
                victim = random.choice(workers)
                os.kill(victim, signal.SIGKILL)
                faults.kills.append((time.monotonic(), victim))
                log(f"SIGKILL worker {victim} ({len(workers)} running)")
        time.sleep(0.05)
    restart.join(timeout=60)


def other_database_users(own: str) -> list[str]:
    """Databases other programs are connected to: the restart will cut them off too."""
    with infra.connect() as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL "
            "AND datname NOT IN (%s, 'postgres') AND pid <> pg_backend_pid() GROUP BY datname",
            [own],
        )
        return [f"{name} ({count})" for name, count in rows]


def restart_postgres(port: int, faults: Faults) -> None:
    log("Restarting PostgreSQL")
    faults.db_down = time.monotonic()
    infra.pg_ctlcluster("restart")
    faults.db_back = infra.wait_for(infra.pg_ready, 60, "PostgreSQL restart", interval=0.05)
    log(f"PostgreSQL back after {faults.db_back - faults.db_down:.1f} s")

    probe_health(port, faults)
    if faults.healthy_sent is not None:
        sent, answered = (
            faults.healthy_sent - faults.db_back,
            faults.healthy_answered - faults.db_back,
        )
        log(f"/healthz 200 for a probe sent {sent:.2f} s after the database was back")
        log(f"(answered {answered:.2f} s after it, having queued behind the learners)")


def probe_health(port: int, faults: Faults, every: float = 0.25, limit: float = 30.0) -> None:
    """Send /healthz every `every` seconds, each on its own connection, until one gets a 200.

    The probes do not wait for each other: under load a request queues behind the learners'
    for seconds, and the question is when the app could serve again, not how long the queue is.
    """
    results: list[tuple[float, float, int | None]] = []

    def probe() -> None:
        sent = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        try:
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException):
            status = None
        finally:
            connection.close()
        results.append((sent, time.monotonic(), status))

    probes = []
    stop = time.monotonic() + limit
    while time.monotonic() < stop and not any(status == 200 for _, _, status in results):
        probes.append(threading.Thread(target=probe, daemon=True))
        probes[-1].start()
        time.sleep(every)
    for thread in probes:
        thread.join(timeout=max(0.0, stop + limit - time.monotonic()))
    ok = [(sent, done) for sent, done, status in results if status == 200]
    if ok:
        faults.healthy_sent = min(sent for sent, _ in ok)
        faults.healthy_answered = min(done for _, done in ok)
