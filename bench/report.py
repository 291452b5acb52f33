"""The benchmark's targets, its table, results/latest.json and the README's figures."""

import re
from pathlib import Path

# (name, method and path) of each row of the load table, in order.
ENDPOINTS = [
    ("floor", "GET /bench/floor", "Floor: the cheapest response through every middleware"),
    ("write_floor", "POST /bench/write-floor", "Write floor: a logged-in POST committing one row"),
    ("grade", "POST /practice/<id>/grade/ (htmx)", "Answer loop: grade, get the next question"),
    ("loop_start", "POST /practice/ in the loop", "Answer loop: a new session every 20 grades"),
    ("reveal", "POST /practice/<id>/reveal/ (htmx, typed)", "Reveal loop: reveal, then grade"),
    ("reveal_grade", "POST /practice/<id>/grade/ after a reveal", "Reveal loop: the grades"),
    ("question_page", "GET /practice/<id>/", "The question page"),
    ("dashboard", "GET /dashboard/ (100k answers)", "Dashboard of the heavy learner"),
    ("practice_page", "GET /practice/", "Practice start page"),
    ("practice_start", "POST /practice/ (random, 20)", "Starting a session"),
    ("start_due", "POST /practice/ (due, 20), nothing chosen", "Due session, default limits"),
    ("start_planned", "POST /practice/ (due, 20), limits and plan", "Due session, limits and plan"),
    ("library_search", "GET /questions/?q= (htmx)", "Library search as you type"),
    ("library_question", "GET /questions/<topic>/<key>/", "A library question page"),
    ("interview_question", "GET /interview/<id>/", "Mock interview: the question"),
    ("interview_report", "GET /interview/<id>/report/", "Mock interview: the report"),
    ("floor_end", "GET /bench/floor, again at the end", "Floor, measured again last"),
]
README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"


def _growth(rows: list[dict], key: str, small, large) -> float | None:
    times = {row[key]: row["median_ms"] for row in rows}
    if small in times and large in times and times[small]:
        return round(times[large] / times[small], 2)
    return None


def targets(results: dict) -> list[dict]:
    endpoints = results["load"]["endpoints"]
    found = []
    grade = endpoints.get("grade", {})
    write_floor_rps = endpoints.get("write_floor", {}).get("rps")
    of_write_floor = (
        f"; {grade.get('rps', 0) / write_floor_rps:.0%} of the write floor's"
        if write_floor_rps
        else ""
    )
    found.append(
        {
            "name": "Answer loop throughput ≥ 50% of the floor's",
            "measured": f"{grade.get('ratio_to_floor') or 0:.1%} of the floor's requests/s "
            f"({grade.get('ratio_to_floor_by_cpu') or 0:.1%} by CPU per request)" + of_write_floor,
            "met": grade.get("ratio_to_floor", 0) >= 0.5,
            "profile": "grade",
        }
    )
    dashboard = endpoints.get("dashboard", {})
    found.append(
        {
            "name": "Dashboard p95 < 100 ms at 100k answers (under load)",
            "measured": f"p95 {dashboard.get('p95_ms', 0):.0f} ms",
            "met": 0 < dashboard.get("p95_ms", 0) < 100,
            "profile": "dashboard",
        }
    )
    rows = results["growth"]["dashboard"]
    ratio = _growth(rows, "answers", 1000, 100_000)
    found.append(
        {
            "name": "Dashboard time from 1k to 100k answers grows ≤ 2×",
            "measured": f"{ratio}×" if ratio is not None else "not measured",
            "met": ratio is not None and ratio <= 2,
            "profile": "dashboard",
        }
    )
    for mode in sorted({row["mode"] for row in results["growth"]["session_start"]}):
        rows = [row for row in results["growth"]["session_start"] if row["mode"] == mode]
        ratio = _growth(rows, "bank", 100, 10_000)
        found.append(
            {
                "name": f"Session start ({mode}) with 10,000 questions ≤ 2× with 100",
                "measured": f"{ratio}×" if ratio is not None else "not measured",
                "met": ratio is not None and ratio <= 2,
                "profile": f"bank_start:{mode}",
            }
        )
    search = endpoints.get("library_search", {})
    in_process = results.get("in_process", {})
    searches = [in_process.get(name, {}) for name in ("library_search", "library_search_narrow")]
    worst = max((row.get("p95_ms", 0) for row in searches), default=0)
    found.append(
        {
            "name": "Library search p95 < 50 ms at 5,000 questions (in process and under load)",
            "measured": f"p95 {worst:.0f} ms in process, {search.get('p95_ms', 0):.0f} ms "
            "under load",
            "met": 0 < worst < 50 and 0 < search.get("p95_ms", 0) < 50,
            "profile": "library_search",
        }
    )
    library_question = endpoints.get("library_question", {})
    question_in_process = in_process.get("library_question", {}).get("p95_ms", 0)
    found.append(
        {
            "name": "Library question page p95 < 50 ms at 5,000 questions "
            "(in process and under load)",
            "measured": f"p95 {question_in_process:.0f} ms in process, "
            f"{library_question.get('p95_ms', 0):.0f} ms under load",
            "met": 0 < question_in_process < 50 and 0 < library_question.get("p95_ms", 0) < 50,
            "profile": "library_question",
        }
    )
    pages = [in_process.get(n, {}) for n in ("library_search", "library_question")]
    most = max((row.get("queries", 99) for row in pages), default=99)
    found.append(
        {
            "name": "Library and question pages ≤ 8 queries",
            "measured": f"at most {most} queries",
            "met": most <= 8,
            "profile": "library_search",
        }
    )
    card = endpoints.get("question_page", {})
    found.append(
        {
            "name": "Question page (`GET /practice/<id>/`) ≥ 12% of the floor by CPU per request",
            "measured": f"{card.get('ratio_to_floor_by_cpu') or 0:.1%} by CPU per request "
            f"({card.get('ratio_to_floor') or 0:.1%} by requests/s)",
            "met": (card.get("ratio_to_floor_by_cpu") or 0) >= 0.12,
            "profile": "question_page",
        }
    )
    found.append(_limits_target(endpoints, in_process))
    return found


def _limits_target(endpoints: dict, in_process: dict) -> dict:
    """#16: the daily limits and the interview plan must not slow a session start."""
    plain, planned = endpoints.get("start_due", {}), endpoints.get("start_planned", {})
    ratio = (
        round(planned["p95_ms"] / plain["p95_ms"], 2)
        if plain.get("p95_ms") and planned.get("p95_ms")
        else None
    )
    cpu = [in_process.get(n, {}).get("cpu_median_ms") for n in ("start_due", "start_planned")]
    cpu_text = f"; in process, CPU median {cpu[0]} → {cpu[1]} ms" if all(cpu) else ""
    return {
        "name": "Session start (due) p95 with daily limits and an interview plan ≤ 1.2× "
        "without (under load)",
        "measured": (
            f"p95 {plain.get('p95_ms', 0):.1f} → {planned.get('p95_ms', 0):.1f} ms ({ratio}×)"
            if ratio is not None
            else "not measured"
        )
        + cpu_text,
        "met": ratio is not None and ratio <= 1.2,
        "profile": "start_planned",
    }


def _fmt(value, digits=1) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(results: dict) -> str:
    load = results["load"]
    machine = results["machine"]
    data = results["data"]
    lines = [
        f"Measured {results['finished_at']} on {machine['nproc']} cores "
        f"({machine['cpu_model']}), {machine['memory_gib']} GiB memory; PostgreSQL "
        f"{machine['postgresql']}, Redis, gunicorn {machine['gunicorn']} with "
        f"{load['workers']} sync workers and production settings; load from {machine['wrk']} "
        f"with {load['connections']} connections, {load['seconds']:g} s per endpoint after "
        f'{load["warmup"]:g} s of warm-up; "× floor" is against the mean of the two floor '
        f"phases. Data: {data['summary']}.",
        "",
        "| Endpoint | Requests/s | × floor | p50 ms | p95 ms | p99 ms | Queries "
        "| Server+db CPU ms per request | × floor by CPU | In-process ms: median (CPU) "
        "| Cores: server / db / wrk / other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, request, _label in ENDPOINTS:
        row = load["endpoints"].get(key)
        if not row:
            continue
        cpu = row.get("cpu") or {}
        cpu_text = (
            " / ".join(f"{cpu.get(g, 0):.2f}" for g in ("server", "postgres", "load", "other"))
            if cpu
            else "–"
        )
        errors = f" ({row['errors']} errors)" if row.get("errors") else ""
        lines.append(
            f"| `{request}`{errors} | {_fmt(row['rps'])} | {_fmt(row.get('ratio_to_floor'), 2)} "
            f"| {_fmt(row['p50_ms'])} | {_fmt(row['p95_ms'])} | {_fmt(row['p99_ms'])} "
            f"| {_fmt(row.get('queries'))} | {_fmt(row.get('cpu_ms_per_request'), 2)} "
            f"| {_fmt(row.get('ratio_to_floor_by_cpu'), 3)} "
            f"| {_fmt(row.get('inprocess_median_ms'))} ({_fmt(row.get('inprocess_cpu_ms'))}) "
            f"| {cpu_text} |"
        )
    lines += [
        "",
        'CPU is in cores (2.00 = the whole machine) averaged over the phase; "other" is '
        "everything else running on the machine at the time.",
        "",
        "Growth, in process (median of "
        f"{results['growth']['runs']} requests after warm-up, no other load from the benchmark):",
        "",
        "| Dashboard of | Answers | Cards | Active days | Median ms | p95 ms | CPU median ms "
        "| SQL ms | Queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["growth"]["dashboard"]:
        lines.append(
            f"| `{row['username']}` | {row['answers']:,} | {row['cards']:,} "
            f"| {row['activity_days']:,} | {_fmt(row['median_ms'])} | {_fmt(row['p95_ms'])} "
            f"| {_fmt(row.get('cpu_median_ms'))} | {_fmt(row['sql_ms'])} | {row['queries']} |"
        )
    lines += [
        "",
        "| Session start (`POST /practice/`, 20 questions) | Questions in the topic | Median ms "
        "| p95 ms | CPU median ms | SQL ms | Queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["growth"]["session_start"]:
        lines.append(
            f"| mode `{row['mode']}`, topic `{row['topic']}` | {row['bank']:,} "
            f"| {_fmt(row['median_ms'])} | {_fmt(row['p95_ms'])} "
            f"| {_fmt(row.get('cpu_median_ms'))} | {_fmt(row['sql_ms'])} | {row['queries']} |"
        )
    lines += _background(results.get("background") or {})
    lines += ["", "| Target | Measured | Met |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(
            f"| {target['name']} | {target['measured']} | {'yes' if target['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def _background(background: dict) -> list[str]:
    """Work outside a request, in process: the reminder selection and the schedule fit."""
    lines = []
    reminders = background.get("reminders")
    if reminders:
        lines += [
            "",
            "| Reminder selection (`reminders.selection.recipients`) | Learners with settings "
            "| Owed | Median ms | p95 ms | CPU median ms | SQL ms | Queries |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| every learner in their sending hour | {reminders['learners_with_settings']:,} "
            f"| {reminders['owed']:,} | {_fmt(reminders['median_ms'])} "
            f"| {_fmt(reminders['p95_ms'])} | {_fmt(reminders['cpu_median_ms'])} "
            f"| {_fmt(reminders['sql_ms'])} | {reminders['queries']} |",
        ]
    fit = background.get("optimiser")
    if fit:
        outcome = (
            f"failed: {fit['error']}"
            if fit.get("error")
            else ("fitted, adopted" if fit.get("adopted") else "fitted, defaults kept")
        )
        lines += [
            "",
            "| Schedule fit (`planner.services.optimise`) | Answers | Questions | Seconds "
            "(CPU) | Reading the history, s | Peak memory added, MiB | Outcome |",
            "|---|---:|---:|---:|---:|---:|---|",
            f"| `{fit['username']}` | {fit['answers']:,} | {fit['questions']:,} "
            f"| {_fmt(fit['seconds'], 2)} ({_fmt(fit['cpu_seconds'], 2)}) "
            f"| {_fmt(fit['read_seconds'], 2)} | {_fmt(fit['peak_rss_mib_added'])} "
            f"| {outcome} |",
        ]
    synthetic = background.get("optimiser_synthetic")
    if synthetic:
        lines += [
            "",
            f"The fit alone on a synthetic history of {synthetic['reviews']:,} reviews "
            f"(`python -m bench.optimiser`, every review a day or more after the last): "
            f"{synthetic['seconds']} s, peak memory {synthetic['peak_rss_mib_before_fit']} → "
            f"{synthetic['peak_rss_mib_after_fit']} MiB.",
        ]
    return lines


def update_readme(readme: Path, text: str) -> bool:
    """Replace the generated block of the README's Performance section, if it has one."""
    if not readme.exists():
        return False
    content = readme.read_text()
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(content):
        return False
    block = f"{README_START}\n{text}{README_END}"
    readme.write_text(pattern.sub(lambda _: block, content, count=1))
    return True
