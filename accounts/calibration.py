"""The dashboard's calibration (said "Sure", recalled?) and the key points a learner keeps
missing: each one query, from answers and per-point memory."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q

from quizzes.models import RECALLED_GRADES, Answer, Confidence, KeyPointMemory
from quizzes.scheduling import schedule_version

# A topic is flagged when the learner said Sure this often there and recalled less than
# this share: "Sure" should mean recalled nearly every time.
OVERCONFIDENT_MIN_ANSWERS = 3
OVERCONFIDENT_BELOW = 0.7
# "Keep missing": missed at least this often, and missed the last time it was asked.
KEEP_MISSING_MIN = 2
KEEP_MISSING_SHOWN = 10


@dataclass
class Level:
    confidence: str
    label: str
    answers: int = 0
    recalled: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.recalled / self.answers) if self.answers else None


@dataclass
class Overconfident:
    topic: str
    answers: int
    recalled: int


@dataclass
class Calibration:
    levels: list[Level] = field(default_factory=list)
    overconfident: list[Overconfident] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(level.answers for level in self.levels)


def calibration(user) -> Calibration:
    """For each confidence, how often the learner recalled; topics where Sure misleads."""
    rows = (
        Answer.objects.filter(user=user)
        .exclude(confidence="")
        .values("confidence", "question__topic__name")
        .annotate(answers=Count("pk"), recalled=Count("pk", filter=Q(grade__in=RECALLED_GRADES)))
        .order_by()
    )
    levels = {value: Level(value, label) for value, label in Confidence.choices}
    overconfident = []
    for row in rows:
        level = levels.get(row["confidence"])
        if level is None:
            continue
        level.answers += row["answers"]
        level.recalled += row["recalled"]
        if (
            row["confidence"] == Confidence.SURE
            and row["answers"] >= OVERCONFIDENT_MIN_ANSWERS
            and row["recalled"] < OVERCONFIDENT_BELOW * row["answers"]
        ):
            overconfident.append(
                Overconfident(row["question__topic__name"], row["answers"], row["recalled"])
            )
    overconfident.sort(key=lambda row: (row.recalled / row.answers, row.topic))
    return Calibration(levels=list(levels.values()), overconfident=overconfident)


CALIBRATION_SECONDS = 300


def cached_calibration(user, *, answered: int) -> Calibration:
    """calibration(), kept per learner until their next answer: it aggregates every answer
    they ever gave (a quarter of a heavy learner's dashboard). `answered` is their answer
    count; an undo moves the schedule version, so a re-grade after it is seen too."""
    key = f"dashboard-calibration:v1:{user.pk}:{answered}:{schedule_version(user.pk)}"
    return cache.get_or_set(key, lambda: calibration(user), CALIBRATION_SECONDS)


def points_kept_missing(user) -> list[KeyPointMemory]:
    """Key points missed at least twice and missed last time, most missed first."""
    return list(
        KeyPointMemory.objects.filter(user=user, misses__gte=KEEP_MISSING_MIN, streak=0)
        .select_related("key_point__question__topic")
        .order_by("-misses", "-last_seen")[:KEEP_MISSING_SHOWN]
    )
