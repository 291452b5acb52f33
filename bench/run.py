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
4. Queries per request, the growth series, the reminder selection over every learner and
   the heavy learner's schedule fit are measured in process.
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
# The load phases, in the order they run (the floor first and last).
PHASES = (
    "floor", "write_floor", "answer_loop", "reveal", "question_page", "dashboard",
    "practice_page", "practice_start", "start_due", "start_planned", "library_search",
    "library_question", "interview_question", "interview_report",
)  # fmt: skip
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
# Requests of one phase that are a different endpoint's: the loops' session starts and
# the reveal loop's grades.
RENAMED = {
    ("answer_loop", "practice_start"): "loop_start",
    ("reveal", "practice_start"): "reveal_start",
    ("reveal", "grade"): "reveal_grade",
}
# The in-process measurement of each load row, where its name differs.
IN_PROCESS_NAME = {
    "loop_start": "practice_start",
    "reveal_start": "practice_start",
    "reveal_grade": "grade",
    "floor_end": "floor",
}


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
            # A migration may have rewritten rows (0010 renders every question): without
            # fresh statistics the planner picks plans a live database would not keep once
            # autovacuum ran (the start page's per-topic counts took 5× as long).
            infra.vacuum_analyze(name)
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


def prepare_scenes(loopers: list[str], starters: list[str], planned: list[str]) -> dict:
    """Sessions, interviews and plans for the phases' learners (bench.scenes), in process."""
    spec = WORK / "scenes.json"
    spec.write_text(
        json.dumps(
            {"practice": loopers, "interview": loopers, "plain": starters, "planned": planned}
        )
    )
    return in_process(RUN_DB, "prepare", "--spec", str(spec))


def load_phases(args, server, meter, scenes: dict) -> dict:
    port = server.port
    log("Logging in through /accounts/login/")
    heavy = [login(port, "heavy", PASSWORD)]
    loopers = [login(port, name, PASSWORD) for name in scenes["loopers"]]
    starters = [login(port, name, PASSWORD) for name in scenes["starters"]]
    planned = [login(port, name, PASSWORD) for name in scenes["planned"]]

    def own(kind: str) -> dict[str, list[str]]:
        return {name: [path] for name, path in scenes[kind].items()}

    library = {i.username: scenes["library_questions"] for i in loopers}
    # The floor runs first and last: the machine is shared, and a difference
    # between the two shows how much its load moved during the run.
    phases = [
        ("floor", None),
        ("write_floor", write_identities(WORK / "writers.txt", loopers)),
        ("answer_loop", write_identities(WORK / "loop.txt", loopers)),
        ("reveal", write_identities(WORK / "reveal.txt", loopers)),
        ("question_page", write_identities(WORK / "card.txt", loopers, own("practice"))),
        ("dashboard", write_identities(WORK / "heavy.txt", heavy)),
        ("practice_page", write_identities(WORK / "page.txt", starters)),
        ("practice_start", write_identities(WORK / "start.txt", starters)),
        ("start_due", write_identities(WORK / "due.txt", starters)),
        ("start_planned", write_identities(WORK / "planned.txt", planned)),
        ("library_search", write_identities(WORK / "search.txt", loopers)),
        ("library_question", write_identities(WORK / "library.txt", loopers, library)),
        ("interview_question", write_identities(WORK / "interview.txt", loopers, own("interview"))),
        ("interview_report", write_identities(WORK / "report.txt", loopers, own("report"))),
        ("floor", None),
    ]
    if args.phases:
        phases = [phase for phase in phases if phase[0] in args.phases]
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
            key = RENAMED.get((mode, kind), kind)
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
    return endpoints


def cpu_per_request(endpoints: dict, measured: dict) -> None:
    """Server and database CPU per request, and each row's ratios to the floor's.

    CPU per request is what throughput would be on a machine of our own; the other
    engineers' work on this one shows in "other". A phase with two kinds of request
    (a loop's grades and session starts, reveals and grades) shares its CPU between them
    by their counts weighted by each one's CPU in process.
    """
    for row_key, row in endpoints.items():
        cores = row["cpu"].get("server", 0) + row["cpu"].get("postgres", 0)
        phase = {k: r for k, r in endpoints.items() if r["phase"] == row["phase"]}
        weights = {
            k: (measured.get(IN_PROCESS_NAME.get(k, k)) or {}).get("cpu_median_ms") for k in phase
        }
        if not all(weights.values()):
            weights = dict.fromkeys(phase, 1.0)
        weighted_rps = sum(r["rps"] * weights[k] for k, r in phase.items())
        row["cpu_ms_per_request"] = (
            round(1000 * cores * weights[row_key] / weighted_rps, 2) if weighted_rps else None
        )
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="Measured seconds per endpoint.")
    parser.add_argument("--warmup", type=float, default=3, help="Unmeasured seconds before each.")
    parser.add_argument("--connections", type=int, default=4, help="Concurrent wrk connections.")
    parser.add_argument("--runs", type=int, default=15, help="In-process runs per median.")
    parser.add_argument("--no-readme", action="store_true", help="Leave README.md alone.")
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=PHASES,
        metavar="PHASE",
        help="A quick look at these load phases alone (floor, write_floor, answer_loop...): "
        "no in-process measures, nothing written.",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)

    infra.ensure_postgres()
    infra.ensure_redis()
    info = machine()
    data = prepare_seed(SEED_DB, DATA_ARGS)
    banks = prepare_seed(BANKS_DB, BANK_ARGS)
    # A server in use has its questions' HTML stored with their rows (Question.save);
    # make_bench_data's COPY bypasses that, and so does a new release of the renderer. Into
    # the seed, so that each run's copy starts with the rows as a live database has them.
    warm = in_process(SEED_DB, "warm")
    log(
        f"Checked the rendered HTML of {warm['questions']:,} questions in {warm['seconds']} s "
        f"({warm['stored']:,} stored)"
    )
    if warm["stored"]:
        infra.vacuum_analyze(SEED_DB)
    log(f"Copying {SEED_DB} to {RUN_DB}")
    copy_started = time.monotonic()
    infra.recreate_database(RUN_DB, template=SEED_DB)
    copy_seconds = round(time.monotonic() - copy_started, 1)
    if not infra.collectstatic(RUN_DB, WORK):
        log("Static files unchanged since the last collectstatic")

    # Learners the load phases drive, none of them the in-process ones (learner-0996..0999).
    loopers = [f"learner-{i + 1:04d}" for i in range(args.connections)]
    starters = [f"learner-{i + 101:04d}" for i in range(args.connections)]
    planned = [f"learner-{i + 301:04d}" for i in range(args.connections)]
    scenes = prepare_scenes(loopers, starters, planned)
    scenes.update(loopers=loopers, starters=starters, planned=planned)

    server = infra.start_gunicorn(RUN_DB, workers=WORKERS, log_dir=WORK)
    log(f"gunicorn on {server.base_url}, pids {server.pids}")
    try:
        meter = CpuMeter(server.pids, RUN_DB)
        endpoints = load_phases(args, server, meter, scenes)
    finally:
        server.stop()
    if args.phases:
        base = "write_floor" if "write_floor" in endpoints else "floor"
        for key, row in endpoints.items():
            ratio = (
                f", {row['rps'] / endpoints[base]['rps']:.1%} of {base}"
                if base in endpoints
                else ""
            )
            log(f"{key}: {row['rps']}/s, p95 {row['p95_ms']} ms, cores {row['cpu']}{ratio}")
        return

    log("In-process: queries per request and server time")
    measured = in_process(RUN_DB, "endpoints", "--runs", str(args.runs))
    cpu_per_request(endpoints, measured)
    for key, row in endpoints.items():
        inproc = measured.get(IN_PROCESS_NAME.get(key, key))
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
    log("In-process: reminder selection over every learner")
    reminders = in_process(RUN_DB, "reminders", "--runs", str(args.runs))
    log("In-process: fitting the heavy learner's schedule")
    optimiser = in_process(RUN_DB, "optimiser")
    synthetic = subprocess.run(
        [sys.executable, "-m", "bench.optimiser"],
        cwd=ROOT,
        env=infra.app_env(RUN_DB),
        capture_output=True,
        text=True,
        check=False,
    )
    if synthetic.returncode != 0:
        raise SystemExit(f"bench.optimiser failed:\n{synthetic.stdout}\n{synthetic.stderr}")

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
        "background": {
            "reminders": reminders,
            "optimiser": optimiser,
            "optimiser_synthetic": json.loads((RESULTS / "optimiser.json").read_text()),
        },
    }
    results["targets"] = report.targets(results)
    # Profiles are of this run's missed targets only.
    for stale in RESULTS.glob("profile-*.txt"):
        stale.unlink()
    profiles = {}
    for target in results["targets"]:
        name = target["profile"]
        if target["met"] or not name or name in profiles:
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
