"""The benchmark's targets, its table, results/latest.json and the README's figures."""

import re
from pathlib import Path

# (name, method and path) of each row of the load table, in order.
ENDPOINTS = [
    ("floor", "GET /bench/floor", "Floor: the cheapest response through every middleware"),
    ("write_floor", "POST /bench/write-floor", "Write floor: a logged-in POST committing one row"),
    ("grade", "POST /practice/<id>/grade/ (htmx)", "Answer loop: grade, get the next question"),
    ("loop_start", "POST /practice/ in the loop", "Answer loop: a new session every 20 grades"),
    ("dashboard", "GET /dashboard/ (100k answers)", "Dashboard of the heavy learner"),
    ("practice_page", "GET /practice/", "Practice start page"),
    ("practice_start", "POST /practice/ (random, 20)", "Starting a session"),
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
    return found


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
    lines += ["", "| Target | Measured | Met |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(
            f"| {target['name']} | {target['measured']} | {'yes' if target['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


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
