"""The daily activity roll-up (DailyActivity): the one place that writes it.

A grade counts one answer into the learner's local day (`count_answer`, or on PostgreSQL
`count_answer_sql` as part of the grade's one write), an undo takes it back
(`uncount_answer`), and a change of time zone counts every day again (`rebuild`).

The lock rule: the learner's Profile row is locked while the time zone read for any of these
is used. A grade reads the zone with the row locked, or (PostgreSQL, quizzes.grade_sql)
unlocked and then counts in a statement that locks the row and counts only if the row is
still the version it read; a change of zone re-counts with the row locked too
(accounts.services.update_profile). So a grade lands either before the re-count, which
includes it, or after it, in the new zone: never counted twice, never lost.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from quizzes.models import RECALLED_GRADES, Answer

_TABLE = DailyActivity._meta.db_table
# An upsert that increments: PostgreSQL and SQLite (3.24+) share this syntax, and the ORM
# has no increment-on-conflict.
_ON_CONFLICT_ADD = (
    "ON CONFLICT (user_id, day) DO UPDATE SET "
    f"answers = {_TABLE}.answers + 1, recalled = {_TABLE}.recalled + EXCLUDED.recalled"
)


def lock_profile(user_id: int) -> Profile | None:
    """The learner's profile, locked until the transaction ends (None: they have none)."""
    return Profile.objects.select_for_update(no_key=True).filter(user_id=user_id).first()


def _zone(profile: Profile | None) -> datetime.tzinfo:
    return profile.zone if profile else timezone.get_default_timezone()


def answer_day(profile: Profile | None, now: datetime.datetime) -> datetime.date:
    """The day an answer given at `now` counts on: the learner's local day, in the time zone
    of their profile (read with the row locked, or checked unchanged when counting: the
    lock rule above)."""
    return timezone.localtime(now, _zone(profile)).date()


def count_answer_sql(
    *, user_id: int, day: datetime.date, recalled: bool, source: str = ""
) -> tuple[str, list]:
    """The upsert adding one answer to the learner's roll-up for `day`, as SQL and its
    parameters: on PostgreSQL the grade runs it as a CTE of its one write (quizzes.grade_sql).
    `source`: a CTE's name, whose row (if it has one) the answer is counted for."""
    row = "%s, %s, 1, %s"
    sql = (
        f"INSERT INTO {_TABLE} (user_id, day, answers, recalled) "
        + (f"SELECT {row} FROM {source} " if source else f"VALUES ({row}) ")
        + _ON_CONFLICT_ADD
    )
    return sql, [user_id, day, int(recalled)]


def count_answer(*, user_id: int, day: datetime.date, recalled: bool) -> None:
    """Add one answer to the learner's roll-up for `day`: their local day (answer_day) as
    read with their profile locked, inside the grade's transaction."""
    sql, params = count_answer_sql(user_id=user_id, day=day, recalled=recalled)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def uncount_answer(
    *, user_id: int, profile: Profile | None, recalled: bool, answered_at: datetime.datetime
) -> None:
    """Take back one answer given at `answered_at` from the learner's roll-up (undo), with
    `profile` their profile as locked for it (lock_profile), as for counting it."""
    day = answer_day(profile, answered_at)
    # Not the upsert: its VALUES row would break the non-negative CHECK first.
    DailyActivity.objects.filter(user_id=user_id, day=day).update(
        answers=F("answers") - 1, recalled=F("recalled") - int(recalled)
    )
    # A day whose only answer was taken back is no day of activity (streaks, heatmap).
    DailyActivity.objects.filter(user_id=user_id, day=day, answers=0).delete()


@transaction.atomic
def rebuild(*, user: AbstractBaseUser, zone: datetime.tzinfo) -> None:
    """Count the learner's answers again by local day in `zone`.

    After a change of time zone, streaks, the heatmap and the daily goal follow the new
    zone for the past too. One grouped query over the learner's answers (index
    answer_user_time). Call it with the learner's profile row locked, as update_profile
    does, so that no grade is counted in between.
    """
    days = (
        Answer.objects.filter(user=user)
        .annotate(day=TruncDate("answered_at", tzinfo=zone))
        .values("day")
        .annotate(answers=Count("id"), recalled=Count("id", filter=Q(grade__in=RECALLED_GRADES)))
        .order_by()
    )
    rows = [DailyActivity(user=user, **values) for values in days]
    DailyActivity.objects.filter(user=user).delete()
    DailyActivity.objects.bulk_create(rows)
