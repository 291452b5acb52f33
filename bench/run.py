"""`make bench`: PrepSite under load on PostgreSQL and Redis, with production settings.

1. PostgreSQL and Redis are started if they are down.
2. The data set is built once into `prepsite_bench_seed` (make_bench_data; rebuilt
   only when its parameters change) and copied to `prepsite_bench` for each run,
   so every run starts from the same rows. The session-start growth runs use a
   second database, `prepsite_bench_banks`, of topics holding 100, 1,000 and
   10,000 questions.
3. gunicorn serves the app (2 sync workers, DEBUG off) on a free loopback port;
   wrk drives one endpoint at a time from a separate process, with logged-in
   learners where the endpoint needs one.
4. Queries per request and the growth series are measured in process.
5. Results go to bench/results/latest.json, the table to stdout and to the
   README's Performance section; a target that is missed is profiled with
   pyinstrument into bench/results/profile-*.txt.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import infra, report
from bench.data import DATA_VERSION, PASSWORD
from bench.infra import ROOT, log
from bench.load import CpuMeter, login, run_phase, write_identities, wrk_version

SEED_DB = "prepsite_bench_seed"
RUN_DB = "prepsite_bench"
BANKS_DB = "prepsite_bench_banks"
DATA_ARGS = [
    "--learners", "1000", "--questions", "5000", "--answers", "1000000",
    "--heavy-answers", "100000",
    # Two more learners like "heavy", for the dashboard's growth series.
    "--extra-learner", "heavy-1k=1000", "--extra-learner", "heavy-10k=10000",
]  # fmt: skip
BANK_ARGS = ["--bank", "100", "--bank", "1000", "--bank", "10000"]
GROWTH_USERS = ["heavy-1k", "heavy-10k", "heavy"]
WORKERS = 2
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"


def prepare_seed(name: str, args: list[str]) -> dict:
    """The database `name` migrated and holding make_bench_data's rows for `args`."""
    wanted = {"version": DATA_VERSION, "args": args}
    comment = infra.database_comment(name)
    if comment is not None and {k: comment.get(k) for k in wanted} == wanted:
        try:
            infra.manage(name, "migrate", "--no-input", "-v0")
        except SystemExit as exc:
            # Migrations rewritten since the build (renumbered, squashed): start again.
            log(f"{name} no longer migrates ({str(exc).strip().splitlines()[-1]}); rebuilding")
        else:
            built = f"built {comment.get('built_at')} in {comment.get('build_seconds')} s"
            log(f"Reusing {name} ({built})")
            return {**comment, "reused": True}
    log(f"Building {name}: make_bench_data {' '.join(args)}")
    infra.recreate_database(name)
    infra.manage(name, "migrate", "--no-input", "-v0")
    started = time.monotonic()
    output = infra.manage(name, "make_bench_data", *args)
    comment = {
        **wanted,
        "build_seconds": round(time.monotonic() - started, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "output": output.strip(),
    }
    infra.set_database_comment(name, comment)
    return {**comment, "reused": False}


def in_process(database: str, task: str, *extra: str) -> dict | list:
    out = WORK / f"inprocess-{task}.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", task, "--out", str(out), *extra],
        cwd=ROOT,
        env=infra.app_env(database, in_process=True),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench.inprocess {task} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(out.read_text())


def machine() -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    gunicorn = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": infra.server_version(),
        "gunicorn": gunicorn[-1].strip("()") if gunicorn else "?",
        "wrk": wrk_version(),
        "load_average_at_start": os.getloadavg(),
    }


def load_phases(args, server, meter) -> dict:
    password = PASSWORD
    port = server.port
    log("Logging in through /accounts/login/")
    heavy = [login(port, "heavy", password)]
    loopers = [login(port, f"learner-{i + 1:04d}", password) for i in range(args.connections)]
    starters = [login(port, f"learner-{i + 101:04d}", password) for i in range(args.connections)]
    # The floor runs first and last: the machine is shared, and a difference
    # between the two shows how much its load moved during the run.
    phases = [
        ("floor", None),
        ("write_floor", write_identities(WORK / "writers.txt", loopers)),
        ("answer_loop", write_identities(WORK / "loop.txt", loopers)),
        ("dashboard", write_identities(WORK / "heavy.txt", heavy)),
        ("practice_page", write_identities(WORK / "page.txt", starters)),
        ("practice_start", write_identities(WORK / "start.txt", starters)),
        ("library_search", write_identities(WORK / "search.txt", loopers)),
        ("floor", None),
    ]
    endpoints = {}
    for number, (mode, identities) in enumerate(phases):
        log(f"Phase {mode}: {args.warmup:g} s warm-up, {args.seconds:g} s measured")
        common = {
            "base_url": server.base_url,
            "mode": mode,
            "identities": identities,
            "connections": args.connections,
        }
        run_phase(**common, seconds=args.warmup, log_dir=WORK / "logs" / f"{mode}-warmup")
        summaries, cpu = run_phase(
            **common, seconds=args.seconds, log_dir=WORK / "logs" / f"{number}-{mode}", meter=meter
        )
        for kind, summary in summaries.items():
            key = "loop_start" if mode == "answer_loop" and kind == "practice_start" else kind
            if key in endpoints:
                key = f"{key}_end"
            endpoints[key] = {**summary.as_dict(), "cpu": cpu, "phase": number}
        log(
            "  "
            + "; ".join(
                f"{kind}: {s.rps:.0f}/s, p95 {s.p95_ms:.1f} ms, {s.errors} errors"
                for kind, s in summaries.items()
            )
            + f"; cores used {cpu}"
        )
    for row in endpoints.values():
        # Server and database CPU per request: what throughput would be on a machine
        # of our own. The other engineers' work on this one shows in "other".
        cores = row["cpu"].get("server", 0) + row["cpu"].get("postgres", 0)
        # The answer loop's phase has two kinds of request: share its CPU by count.
        phase_rps = sum(r["rps"] for r in endpoints.values() if r["phase"] == row["phase"])
        row["cpu_ms_per_request"] = round(1000 * cores / phase_rps, 2) if phase_rps else None
    floors = [endpoints[key] for key in ("floor", "floor_end") if key in endpoints]
    floor_rps = sum(f["rps"] for f in floors) / len(floors) if floors else 0
    floor_cpu = sum(f["cpu_ms_per_request"] or 0 for f in floors) / len(floors) if floors else 0
    for row in endpoints.values():
        row["ratio_to_floor"] = round(row["rps"] / floor_rps, 3) if floor_rps else None
        row["ratio_to_floor_by_cpu"] = (
            round(floor_cpu / row["cpu_ms_per_request"], 3)
            if floor_cpu and row.get("cpu_ms_per_request")
            else None
        )
    return endpoints


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="Measured seconds per endpoint.")
    parser.add_argument("--warmup", type=float, default=3, help="Unmeasured seconds before each.")
    parser.add_argument("--connections", type=int, default=4, help="Concurrent wrk connections.")
    parser.add_argument("--runs", type=int, default=15, help="In-process runs per median.")
    parser.add_argument("--no-readme", action="store_true", help="Leave README.md alone.")
    args = parser.parse_args(argv)
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)

    infra.ensure_postgres()
    infra.ensure_redis()
    info = machine()
    data = prepare_seed(SEED_DB, DATA_ARGS)
    banks = prepare_seed(BANKS_DB, BANK_ARGS)
    log(f"Copying {SEED_DB} to {RUN_DB}")
    copy_started = time.monotonic()
    infra.recreate_database(RUN_DB, template=SEED_DB)
    copy_seconds = round(time.monotonic() - copy_started, 1)
    if not infra.collectstatic(RUN_DB, WORK):
        log("Static files unchanged since the last collectstatic")
    # A server in use has its questions' HTML cached; the cache (Redis database 14)
    # outlives runs, and this fills whatever is missing.
    warm = in_process(RUN_DB, "warm")
    log(f"Checked the render cache of {warm['questions']:,} questions in {warm['seconds']} s")

    server = infra.start_gunicorn(RUN_DB, workers=WORKERS, log_dir=WORK)
    log(f"gunicorn on {server.base_url}, pids {server.pids}")
    try:
        meter = CpuMeter(server.pids, RUN_DB)
        endpoints = load_phases(args, server, meter)
    finally:
        server.stop()

    log("In-process: queries per request and server time")
    measured = in_process(RUN_DB, "endpoints", "--runs", str(args.runs))
    for key, row in endpoints.items():
        inproc = measured.get({"loop_start": "practice_start", "floor_end": "floor"}.get(key, key))
        if inproc:
            row.update(
                queries=inproc["queries"],
                inprocess_median_ms=inproc["median_ms"],
                inprocess_cpu_ms=inproc["cpu_median_ms"],
                inprocess_sql_ms=inproc["sql_ms"],
            )
    log("In-process: dashboard growth")
    dashboard_growth = in_process(
        RUN_DB, "dashboard-growth", "--runs", str(args.runs), "--users", *GROWTH_USERS
    )
    log("In-process: session start growth")
    start_growth = in_process(BANKS_DB, "start-growth", "--runs", str(args.runs))

    results = {
        "command": "make bench",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "data": {
            "database": SEED_DB,
            "args": DATA_ARGS,
            "summary": "1,000 learners, 5,000 questions, 1,000,000 answers over three years "
            "(100,000 of them the heavy learner's), plus learners of 1,000 and 10,000 answers",
            "build_seconds": data.get("build_seconds"),
            "built_at": data.get("built_at"),
            "build_output": data.get("output"),
            "reused": data.get("reused"),
            "banks_build_seconds": banks.get("build_seconds"),
            "copy_seconds": copy_seconds,
            "database_bytes": infra.database_size(RUN_DB),
            "render_cache_warm_seconds": warm["seconds"],
        },
        "load": {
            "tool": info["wrk"],
            "workers": WORKERS,
            "connections": args.connections,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "endpoints": endpoints,
        },
        "in_process": measured,
        "growth": {
            "runs": args.runs,
            "dashboard": dashboard_growth,
            "session_start": start_growth,
        },
    }
    results["targets"] = report.targets(results)
    # Profiles are of this run's missed targets only.
    for stale in RESULTS.glob("profile-*.txt"):
        stale.unlink()
    profiles = {}
    for target in results["targets"]:
        name = target["profile"]
        if target["met"] or name in profiles:
            continue
        log(f"Target missed ({target['name']}): profiling {name}")
        path = RESULTS / f"profile-{name.replace(':', '-').replace('_', '-')}.txt"
        extra = ["--profile-out", str(path), "--runs", "100" if name == "grade" else "30"]
        if name.startswith("bank_start:"):
            extra += ["--endpoint", "bank_start", "--mode", name.split(":")[1]]
            in_process(BANKS_DB, "profile", *extra)
        else:
            in_process(RUN_DB, "profile", "--endpoint", name, *extra)
        profiles[name] = str(path.relative_to(ROOT))
        target["profile_file"] = profiles[name]
    results["elapsed_seconds"] = round(time.monotonic() - started, 1)

    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report.markdown(results)
    print()
    print(table)
    if not args.no_readme and report.update_readme(ROOT / "README.md", table):
        log("README.md's Performance figures updated")
    log(f"Done in {results['elapsed_seconds']:.0f} s; results in bench/results/latest.json")


if __name__ == "__main__":
    main()
