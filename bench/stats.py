"""Summaries of what the load generator logged: throughput and latency percentiles."""

import math
import resource
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Record:
    kind: str
    status: str  # "200", or "!500" when the response was not the expected one
    latency_us: int
    end_us: int

    @property
    def ok(self) -> bool:
        return not self.status.startswith("!")


@dataclass(frozen=True)
class Summary:
    kind: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def parse_log(text: str) -> list[Record]:
    records = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:
            kind, status, latency, end = parts
            records.append(Record(kind, status, int(latency), int(end)))
    return records


def read_logs(paths: list[Path]) -> list[Record]:
    return [record for path in paths for record in parse_log(path.read_text())]


def summarise(records: list[Record]) -> dict[str, Summary]:
    """Per kind of request: throughput over the phase's window and latency percentiles.

    The window runs from the first request's start to the last response of
    any kind, so the kinds of one phase (grades and session starts) share it.
    """
    if not records:
        return {}
    window_us = max(r.end_us for r in records) - min(r.end_us - r.latency_us for r in records)
    seconds = max(window_us, 1) / 1e6
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    summaries = {}
    for kind, rows in by_kind.items():
        latencies = sorted(r.latency_us / 1000 for r in rows)
        summaries[kind] = Summary(
            kind=kind,
            requests=len(rows),
            errors=sum(not r.ok for r in rows),
            seconds=seconds,
            rps=len(rows) / seconds,
            p50_ms=percentile(latencies, 0.50),
            p95_ms=percentile(latencies, 0.95),
            p99_ms=percentile(latencies, 0.99),
        )
    return summaries


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
