"""The services `make bench` and `make soak` need: PostgreSQL, Redis, their databases,
production-like settings and a gunicorn server."""

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def log(message: str, *, prefix: str = "bench") -> None:
    print(f"[{prefix} {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(check, timeout: float, what: str, interval: float = 0.1) -> float:
    """The monotonic time at which `check()` first held (SystemExit after `timeout` s)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic()
        time.sleep(interval)
    raise SystemExit(f"{what} did not happen within {timeout:.0f} s")


def pg_cluster() -> list[str]:
    """pg_ctlcluster's version and name of the newest installed cluster."""
    clusters = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
    if not clusters:
        raise SystemExit("No PostgreSQL cluster is installed under /etc/postgresql.")
    return [clusters[-1], "main"]


def pg_ctlcluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *pg_cluster(), action], check=True
    )


def ensure_postgres() -> None:
    if pg_ready():
        return
    log(f"Starting PostgreSQL {pg_cluster()[0]}")
    pg_ctlcluster("start")
    for _ in range(30):
        if pg_ready():
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not come up within 30 s.")


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", PG_HOST, "-p", str(PG_PORT)], check=False
        ).returncode
        == 0
    )


def ensure_redis() -> None:
    if _redis_ready():
        return
    log("Starting Redis")
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
            "--port", "6379", "--save", "", "--appendonly", "no",
            "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/bench.log",
        ],
        check=True,
    )  # fmt: skip
    for _ in range(30):
        if _redis_ready():
            return
        time.sleep(1)
    raise SystemExit("Redis did not come up within 30 s.")


def _redis_ready() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def connect(dbname: str = "postgres", *, autocommit: bool = True) -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=autocommit
    )


def vacuum_analyze(dbname: str) -> None:
    """What autovacuum gives a live database in time: fresh statistics after rows were
    rewritten, and their dead versions cleared."""
    with connect(dbname) as connection:
        connection.execute("VACUUM ANALYZE")


def _retrying(action):
    """Run `action`, again after PostgreSQL restarts (other work on this machine restarts it)."""
    for attempt in range(3):
        try:
            return action()
        except psycopg.OperationalError as exc:
            if attempt == 2:
                raise
            log(f"PostgreSQL went away ({exc.__class__.__name__}); waiting for it")
            time.sleep(3)
            ensure_postgres()
    return None


def server_version() -> str:
    with connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def database_comment(name: str) -> dict | None:
    """What the benchmark wrote on the database when it built it, or None if it is missing."""
    with connect() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0] or "{}")
    except ValueError:
        return {}


def set_database_comment(name: str, comment: dict) -> None:
    with connect() as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(comment))
            )
        )


def recreate_database(name: str, template: str | None = None) -> None:
    _retrying(lambda: _recreate_database(name, template))


def _recreate_database(name: str, template: str | None) -> None:
    with connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if template is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            # A file copy: seconds for the whole data set, and every run starts alike.
            strategy = (
                sql.SQL(" STRATEGY FILE_COPY")
                if conn.info.server_version >= 150000
                else sql.SQL("")
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                    sql.Identifier(name), sql.Identifier(template), strategy
                )
            )


def database_size(name: str) -> int:
    with connect() as conn:
        return conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()[0]


def app_env(database: str, *, in_process: bool = False) -> dict[str, str]:
    """Production settings, as the issue asks, over plain HTTP on the loopback."""
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS", "SECURE_PROXY_SSL_HEADER"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url(database),
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,testserver" if in_process else "127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PREPSITE_BENCH_ROUTES="1",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="prepsite-bench",
        LOG_LEVEL="WARNING",
        # Production reopens a worker's connection after 60 s; the CPU meter (bench.load)
        # reads each PostgreSQL backend's CPU from /proc, and a backend that closes during
        # a phase takes its CPU with it. One connection per worker for the whole run.
        DB_CONN_MAX_AGE="3600",
    )
    return env


def static_fingerprint() -> str:
    """Changes whenever collectstatic's output would: the sources and the pinned packages."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in [ROOT / "static", *sorted(ROOT.glob("*/static"))]:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for name in ("requirements.txt", "prepsite/settings.py"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def collectstatic(database: str, work: Path) -> bool:
    """Run collectstatic unless its output is already there for these sources (it
    compresses every file, which takes most of a minute here). True if it ran."""
    stamp = work / "collectstatic.stamp"
    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    fingerprint = static_fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    manage(database, "collectstatic", "--no-input", "-v0", quiet=True)
    stamp.write_text(fingerprint)
    return True


def manage(database: str, *args: str, quiet: bool = False, env: dict | None = None) -> str:
    """manage.py's output, run with `env` (app_env(database) unless given)."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env or app_env(database),
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    if not quiet and result.stdout.strip():
        log(result.stdout.strip())
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path
    workers: int
    pids: list[int] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(
    database: str,
    *,
    workers: int,
    log_dir: Path,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> Server:
    """gunicorn serving the app on a free loopback port, once its workers are up and
    /healthz answers; `env` replaces app_env(database), `options` add to the command."""
    port = free_port()
    log_path = log_dir / "gunicorn.log"
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn, "prepsite.wsgi:application",
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--no-control-socket",
            "--error-logfile", str(log_path),
            *options,
        ],
        cwd=ROOT,
        env=env or app_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = Server(process=process, port=port, log_path=log_path, workers=workers)
    try:
        wait_for(lambda: len(children(process.pid)) >= workers, 30, "gunicorn's workers")
        wait_until_healthy(server.base_url, process, log_path)
    except (RuntimeError, SystemExit) as exc:
        server.stop()
        raise SystemExit(str(exc)) from None
    server.pids = [process.pid, *children(process.pid)]
    return server


def wait_until_healthy(
    base_url: str, process: subprocess.Popen, log_path: Path, timeout: float = 30
) -> None:
    """Until the server at `base_url` answers /healthz with a 200 (RuntimeError otherwise)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{base_url} exited; see {log_path}:\n{log_path.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base_url} did not answer /healthz within {timeout:g} s; see {log_path}.")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the 2nd field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
