"""The daily activity roll-up (DailyActivity): the one place that writes it.

A grade counts one answer into the learner's local day (`count_answer`), an undo takes it
back (`uncount_answer`), and a change of time zone counts every day again (`rebuild`).

The lock rule: the learner's Profile row is locked while their time zone is read for any of
these. A grade reads the zone with the row locked, and a change of zone re-counts with it
locked too (accounts.services.update_profile), so a grade lands either before the re-count,
which includes it, or after it, in the new zone: never counted twice, never lost.
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
_PROFILE_FIELDS = Profile._meta.concrete_fields
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


def count_answer(*, user_id: int, recalled: bool, now: datetime.datetime) -> Profile | None:
    """Lock the learner's profile and add one answer to their roll-up for their local day
    at `now`. Returns the locked profile (None when they have none), which the grade
    needs anyway: its scheduler settings and interview date.

    Call it inside the grade's transaction. On PostgreSQL the lock, the zone and the upsert
    are one statement: the day is computed from the zone of the row as locked.
    """
    if connection.vendor == "postgresql":
        return _count_answer_postgres(user_id=user_id, recalled=recalled, now=now)
    profile = lock_profile(user_id)
    day = timezone.localtime(now, _zone(profile)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (user_id, day, answers, recalled) VALUES (%s, %s, 1, %s) "
            + _ON_CONFLICT_ADD,
            [user_id, day, int(recalled)],
        )
    return profile


def _count_answer_postgres(*, user_id: int, recalled: bool, now: datetime.datetime):
    # The CTE `profile` is evaluated once: the upsert's zone and the row returned are the
    # locked row's. PostgreSQL knows the same zone names (rebuild's TruncDate uses them too).
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _PROFILE_FIELDS)
    profile_table = Profile._meta.db_table
    sql = (
        f"WITH profile AS (SELECT {columns} FROM {profile_table} WHERE user_id = %s "
        "FOR NO KEY UPDATE), "
        f"counted AS (INSERT INTO {_TABLE} (user_id, day, answers, recalled) VALUES (%s, "
        "(%s::timestamptz AT TIME ZONE COALESCE((SELECT time_zone FROM profile), %s))::date, "
        f"1, %s) {_ON_CONFLICT_ADD}) "
        "SELECT * FROM profile"
    )
    default_zone = str(timezone.get_default_timezone())
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id, now, default_zone, int(recalled)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(_PROFILE_FIELDS, row, strict=True)
    ]
    return Profile.from_db(connection.alias, [field.attname for field in _PROFILE_FIELDS], values)


def uncount_answer(*, user_id: int, recalled: bool, answered_at: datetime.datetime) -> None:
    """Take back one answer given at `answered_at` from the learner's roll-up (undo), with
    their profile locked as for counting it."""
    day = timezone.localtime(answered_at, _zone(lock_profile(user_id))).date()
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
