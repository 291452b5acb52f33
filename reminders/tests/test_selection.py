"""Who is owed a reminder at which UTC instant, across time zones and DST changes."""

from datetime import UTC, date, datetime

import pytest

from accounts.models import DailyActivity
from quizzes.models import Status
from reminders.models import Delivery
from reminders.selection import recipients
from reminders.tests.factories import CardFactory, make_learner

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def owed(now) -> set[tuple[str, str, date]]:
    from django.contrib.auth import get_user_model

    names = dict(get_user_model().objects.values_list("pk", "username"))
    return {(names[r.user_id], r.kind, r.day) for r in recipients(now)}


@pytest.mark.parametrize(
    ("time_zone", "hour", "before", "on_time", "day"),
    [
        # London is UTC+0 in January...
        ("Europe/London", 18, at(2026, 1, 15, 17, 45), at(2026, 1, 15, 18, 0), date(2026, 1, 15)),
        # ...and UTC+1 (BST) in July: the same local hour is an hour earlier in UTC.
        ("Europe/London", 18, at(2026, 7, 15, 16, 45), at(2026, 7, 15, 17, 0), date(2026, 7, 15)),
        ("America/New_York", 8, at(2026, 1, 15, 12, 59), at(2026, 1, 15, 13, 0), date(2026, 1, 15)),
        ("America/New_York", 8, at(2026, 7, 15, 11, 59), at(2026, 7, 15, 12, 0), date(2026, 7, 15)),
        # Half-hour offset: 09:00 in Kolkata is 03:30 UTC.
        ("Asia/Kolkata", 9, at(2026, 3, 2, 3, 15), at(2026, 3, 2, 3, 30), date(2026, 3, 2)),
        # Auckland is ahead of UTC: its 07:00 on the 16th is 18:00 UTC on the 15th.
        ("Pacific/Auckland", 7, at(2026, 7, 15, 18, 59), at(2026, 7, 15, 19, 0), date(2026, 7, 16)),
    ],
)
def test_a_reminder_is_owed_from_the_learners_own_hour(time_zone, hour, before, on_time, day):
    learner = make_learner(time_zone=time_zone, hour=hour)
    CardFactory(user=learner, due=at(2026, 1, 1))

    assert owed(before) == set()
    assert owed(on_time) == {(learner.username, "daily", day)}


def test_the_hour_a_spring_dst_change_skips_is_sent_in_the_next_hour():
    # On 29 March 2026 London's clocks jump from 01:00 to 02:00: 01:xx never happens.
    learner = make_learner(time_zone="Europe/London", hour=1)
    CardFactory(user=learner, due=at(2026, 1, 1))

    assert owed(at(2026, 3, 29, 0, 59)) == set()  # 00:59 GMT
    assert owed(at(2026, 3, 29, 1, 0)) == {(learner.username, "daily", date(2026, 3, 29))}


def test_the_hour_an_autumn_dst_change_repeats_sends_once():
    # On 25 October 2026 London's 01:00-02:00 happens twice (BST, then GMT).
    learner = make_learner(time_zone="Europe/London", hour=1)
    CardFactory(user=learner, due=at(2026, 1, 1))
    first = at(2026, 10, 25, 0, 0)  # 01:00 BST
    assert owed(first) == {(learner.username, "daily", date(2026, 10, 25))}
    Delivery.objects.create(user=learner, kind="daily", day=date(2026, 10, 25))

    assert owed(at(2026, 10, 25, 1, 0)) == set()  # 01:00 GMT, the second time round


def test_a_late_sender_still_reminds_within_the_window_but_not_after_it():
    learner = make_learner(time_zone="UTC", hour=18)
    CardFactory(user=learner, due=at(2026, 1, 1))

    assert owed(at(2026, 1, 15, 20, 59)) == {(learner.username, "daily", date(2026, 1, 15))}
    assert owed(at(2026, 1, 15, 21, 0)) == set()


def test_no_reminder_without_due_reviews_once_the_goal_is_met():
    learner = make_learner(goal=5)
    now = at(2026, 1, 15, 18, 0)
    DailyActivity.objects.create(user=learner, day=date(2026, 1, 15), answers=5)
    CardFactory(user=learner, due=at(2026, 1, 16))  # due tomorrow, not now

    assert owed(now) == set()


def test_an_unmet_goal_alone_earns_a_reminder():
    learner = make_learner(goal=5)
    DailyActivity.objects.create(user=learner, day=date(2026, 1, 15), answers=4)

    assert owed(at(2026, 1, 15, 18, 0)) == {(learner.username, "daily", date(2026, 1, 15))}


def test_due_cards_of_unpublished_questions_do_not_count():
    learner = make_learner(goal=1)
    DailyActivity.objects.create(user=learner, day=date(2026, 1, 15), answers=1)
    CardFactory(user=learner, due=at(2026, 1, 1), question__status=Status.DRAFT)

    assert owed(at(2026, 1, 15, 18, 0)) == set()


def test_opted_out_inactive_and_emailless_learners_get_nothing():
    make_learner(daily=False, username="optout")
    make_learner(is_active=False, username="inactive")
    make_learner(email="", username="noemail")

    assert owed(at(2026, 1, 15, 18, 0)) == set()


def test_the_weekly_email_goes_on_mondays_only():
    learner = make_learner(daily=False, weekly=True, hour=9)

    assert owed(at(2026, 1, 19, 9, 0)) == {(learner.username, "weekly", date(2026, 1, 19))}
    assert owed(at(2026, 1, 20, 9, 0)) == set()  # a Tuesday


def test_selection_makes_the_same_few_queries_for_many_learners(django_assert_max_num_queries):
    for n in range(30):
        learner = make_learner(time_zone=["UTC", "Europe/Paris", "Asia/Tokyo"][n % 3])
        CardFactory(user=learner, due=at(2026, 1, 1))
    # settings, deliveries already made, due counts, today's activity
    with django_assert_max_num_queries(4):
        found = recipients(at(2026, 1, 15, 18, 0))
    # UTC at 18:00 and Paris at 19:00 are in their window; Tokyo is at 03:00.
    assert len(found) == 20
