"""What the soak must show, read from the learners' record and the database: which failed
requests a fault explains, whether every acknowledged grade is stored exactly once, and
the summary printed and written to var/soak/result.json."""

import json
import time
from collections import Counter
from pathlib import Path

from bench import infra
from bench.soak.client import Outcome
from bench.soak.faults import KILL_EVERY, Faults
from bench.stats import percentile

RECOVERY_LIMIT = 5.0
# Slack around a kill for a request to count as in flight on the killed worker.
IN_FLIGHT = 0.1


def explained(outcome: Outcome, faults: Faults) -> str | None:
    """Why a failed request is expected: a dropped connection in flight when a worker was
    killed, or a 5xx for a request that overlapped the database being away."""
    if outcome.status is None and outcome.what != "learner crashed":
        for killed_at, _ in faults.kills:
            if outcome.start - IN_FLIGHT <= killed_at <= outcome.end + IN_FLIGHT:
                return "worker killed"
    if outcome.status is not None and outcome.status >= 500 and faults.db_down is not None:
        back = faults.healthy_answered or faults.db_back or time.monotonic()
        if outcome.start <= back and outcome.end >= faults.db_down - IN_FLIGHT:
            return "database restart"
    return None


def database_facts(database: str) -> dict:
    """What the database holds: each session item's answers, and the roll-ups' agreement."""
    with infra.connect(database, autocommit=False) as conn:
        graded = {
            (str(session_id), position): count
            for session_id, position, count in conn.execute(
                "SELECT i.session_id, i.position, count(a.id) FROM quizzes_sessionitem i "
                "LEFT JOIN quizzes_answer a "
                "ON a.session_id = i.session_id AND a.question_id = i.question_id "
                "GROUP BY i.session_id, i.position"
            )
        }
        counters_off = conn.execute(
            "SELECT count(*) FROM quizzes_practicesession s WHERE s.answered <> "
            "(SELECT count(*) FROM quizzes_answer a WHERE a.session_id = s.id)"
        ).fetchone()[0]
        answers = conn.execute("SELECT count(*) FROM quizzes_answer").fetchone()[0]
        # A grade that ticks some key points, or is Again, counts a hit (ticked) or a miss
        # for every key point of its question, once: each learner's memory of a point must
        # add up to their answers to its question that counted, and its hits to the ticks.
        points_off = conn.execute(
            "WITH counted AS (SELECT a.user_id, k.id AS key_point_id, "
            "count(*) AS seen, count(*) FILTER (WHERE a.key_points_ticked @> to_jsonb(k.id)) "
            "AS hits FROM quizzes_answer a "
            "JOIN quizzes_keypoint k ON k.question_id = a.question_id "
            "WHERE a.grade = 1 OR jsonb_array_length(a.key_points_ticked) > 0 "
            "GROUP BY a.user_id, k.id) "
            "SELECT count(*) FROM counted c FULL JOIN quizzes_keypointmemory m "
            "ON m.user_id = c.user_id AND m.key_point_id = c.key_point_id "
            "WHERE c.seen IS DISTINCT FROM m.hits + m.misses OR c.hits IS DISTINCT FROM m.hits"
        ).fetchone()[0]
        points_counted = conn.execute(
            "SELECT coalesce(sum(hits + misses), 0) FROM quizzes_keypointmemory"
        ).fetchone()[0]
        activity = conn.execute("SELECT coalesce(sum(answers), 0) FROM accounts_dailyactivity")
        return {
            "graded": graded,
            "counters_off": counters_off,
            "answers": answers,
            "activity_answers": activity.fetchone()[0],
            "points_off": points_off,
            "points_counted": points_counted,
        }


def timeline(outcomes, start: float, bucket: float = 5.0) -> list[str]:
    """Requests finished per bucket of seconds, with the failures: where the faults show."""
    done, failed = Counter(), Counter()
    for outcome in outcomes:
        slot = int((outcome.end - start) // bucket)
        done[slot] += 1
        if outcome.status is None or outcome.status >= 500:
            failed[slot] += 1
    return [
        f"{slot * bucket:.0f}-{(slot + 1) * bucket:.0f} s: {done[slot]} done, {failed[slot]} failed"
        for slot in sorted(done)
    ]


def report(args, record, faults, facts, stuck, elapsed, results: Path) -> int:
    outcomes = record.outcomes
    latencies = [o.end - o.start for o in outcomes if o.status is not None]
    by_kind: dict[str, list[float]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.what, []).append(outcome.end - outcome.start)
    statuses = Counter(o.status if o.status is not None else o.error for o in outcomes)
    failures = [o for o in outcomes if o.status is None or o.status >= 500]
    reasons = Counter(explained(o, faults) for o in failures)
    unexplained = [o for o in failures if explained(o, faults) is None]
    acknowledged = {(session, position) for session, position, _ in record.acknowledged}
    missing = [key for key in acknowledged if facts["graded"].get(key, 0) != 1]
    recovery = answered = None
    if faults.healthy_sent is not None and faults.db_back is not None:
        recovery = faults.healthy_sent - faults.db_back
        answered = faults.healthy_answered - faults.db_back
    db_outage = faults.db_back - faults.db_down if faults.db_back and faults.db_down else None
    summary = {
        "learners": args.learners,
        "duration_s": args.duration,
        "requests": len(outcomes),
        "requests_per_s": round(len(outcomes) / args.duration, 1),
        "latency_ms": {
            "p50": round(1000 * percentile(sorted(latencies), 0.5)),
            "p95": round(1000 * percentile(sorted(latencies), 0.95)),
            "max": round(1000 * max(latencies, default=0)),
        },
        "p50_ms_by_kind": {
            what: round(1000 * percentile(sorted(durations), 0.5))
            for what, durations in by_kind.items()
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "sessions_started": record.sessions_started,
        "sessions_finished": record.sessions_finished,
        "grades_acknowledged": len(acknowledged),
        "answers_in_database": facts["answers"],
        "acknowledged_not_exactly_once": len(missing),
        "session_counters_not_matching_answers": facts["counters_off"],
        "daily_activity_answers": facts["activity_answers"],
        "key_point_hits_and_misses": facts["points_counted"],
        "key_point_memories_not_matching_answers": facts["points_off"],
        "workers_killed": len(faults.kills),
        "database_restarts": int(faults.db_down is not None),
        "database_outage_s": round(db_outage, 2) if db_outage is not None else None,
        "healthz_200_sent_after_db_back_s": round(recovery, 2) if recovery is not None else None,
        "healthz_200_answered_after_db_back_s": round(answered, 2)
        if answered is not None
        else None,
        "failed_requests": len(failures),
        "failed_by_cause": {str(k): v for k, v in reasons.items()},
        "unexplained_failures": [
            f"{o.what} {o.status or o.error} at {o.start:.2f}" for o in unexplained[:20]
        ],
        "learners_stuck": stuck,
        "wall_time_s": round(elapsed, 1),
    }
    summary["timeline"] = timeline(outcomes, record.start)
    summary["faults_at_s"] = {
        "worker_kills": [round(at - record.start, 1) for at, _ in faults.kills],
        "database_down": round(faults.db_down - record.start, 1) if faults.db_down else None,
        "database_back": round(faults.db_back - record.start, 1) if faults.db_back else None,
    }
    (results / "result.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))

    checks = {
        "every acknowledged grade is in the database exactly once": not missing and acknowledged,
        "session counters match their answers": facts["counters_off"] == 0,
        "daily activity counts every answer": facts["activity_answers"] == facts["answers"],
        "key-point memories count every grade that counts them, once": (
            facts["points_off"] == 0 and facts["points_counted"] > 0
        ),
        "no 5xx or dropped connection outside a fault": not unexplained,
        f"/healthz 200 within {RECOVERY_LIMIT:.0f} s of the database returning": (
            recovery is not None and recovery <= RECOVERY_LIMIT
        ),
        "faults injected (a worker kill every 10 s, one database restart)": (
            len(faults.kills) >= int(args.duration // KILL_EVERY) - 1 and db_outage is not None
        ),
        "every learner finished": not stuck,
    }
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1
