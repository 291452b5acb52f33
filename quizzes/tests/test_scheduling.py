"""The rules quizzes.scheduling owns for everyone: FSRS's forgetting curve (in Python and
in SQL, against the fsrs package) and where a learner's day and interview day start."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State

from accounts.models import Profile
from accounts.stats import build_dashboard
from quizzes import scheduling
from quizzes.models import Card
from quizzes.tests.factories import QuestionFactory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FITTED = list(scheduling.DEFAULT_PARAMETERS)
FITTED[20] = 0.35  # a learner whose memory fades faster than the default's


@pytest.mark.parametrize("parameters", [scheduling.DEFAULT_PARAMETERS, FITTED])
@pytest.mark.parametrize("elapsed", [0, 1, 3, 19, 400])
def test_the_forgetting_curve_is_fsrss(parameters, elapsed):
    scheduler = Scheduler(parameters=parameters)
    last = datetime(2026, 1, 1, 15, 30, tzinfo=UTC)
    at = last + timedelta(days=elapsed, hours=5)
    card = FsrsCard(card_id=1, state=State.Review, stability=7.5, difficulty=5, due=at,
                    last_review=last)  # fmt: skip
    expected = scheduler.get_card_retrievability(card, current_datetime=at)
    decay = scheduling.decay_of(parameters)
    assert scheduling.forgetting_curve(elapsed, 7.5, decay) == pytest.approx(expected)
    ours = Card(stability=7.5, last_review=last, question_id=1)
    assert scheduling.retrievability(ours, at, scheduler) == pytest.approx(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("parameters", [scheduling.DEFAULT_PARAMETERS, FITTED])
def test_the_curve_in_sql_is_the_curve_in_python(learner, parameters):
    last = datetime(2026, 1, 1, 15, 30, tzinfo=UTC)
    Card.objects.create(
        user=learner, question=QuestionFactory(), state=2, stability=7.5, difficulty=5,
        due=last, last_review=last,
    )  # fmt: skip
    decay = scheduling.decay_of(parameters)
    for at in (last - timedelta(hours=1), last, last + timedelta(days=19, hours=3)):
        row = Card.objects.annotate(
            now=scheduling.retrievability_sql(at, decay),
            later=scheduling.recall_after_sql(3, decay),
        ).get()
        elapsed = max(0, (at - last).days)
        assert row.now == pytest.approx(scheduling.forgetting_curve(elapsed, 7.5, decay))
        assert row.later == pytest.approx(scheduling.forgetting_curve(3, 7.5, decay))


def test_the_learners_day_starts_at_local_midnight_across_dst():
    new_york = ZoneInfo("America/New_York")  # leaves daylight saving on 1 Nov 2026
    assert scheduling.local_midnight(date(2026, 11, 1), new_york) == datetime(
        2026, 11, 1, 4, 0, tzinfo=UTC
    )
    assert scheduling.local_midnight(date(2026, 11, 2), new_york) == datetime(
        2026, 11, 2, 5, 0, tzinfo=UTC
    )
    # 03:30 UTC on 2 Nov is 22:30 on 1 Nov in New York: that day started at 04:00 UTC.
    assert scheduling.day_start(datetime(2026, 11, 2, 3, 30, tzinfo=UTC), new_york) == datetime(
        2026, 11, 1, 4, 0, tzinfo=UTC
    )


@pytest.mark.django_db
def test_the_card_and_the_learners_scheduler_come_in_one_query(
    learner, other_learner, django_assert_num_queries
):
    Profile.objects.create(user=learner, desired_retention=0.85, fsrs_parameters=FITTED)
    seen, unseen = QuestionFactory.create_batch(2)
    card = Card.objects.create(
        user=learner, question=seen, state=2, stability=3.0, difficulty=5, due=NOW
    )
    Card.objects.create(
        user=other_learner, question=unseen, state=2, stability=3.0, difficulty=5, due=NOW
    )

    for question, expected in ((seen, card), (unseen, None)):
        with django_assert_num_queries(1):
            found, scheduler = scheduling.card_and_scheduler(
                user_id=learner.pk, question_id=question.pk, fuzz=False
            )
        assert found == expected
        assert scheduler.parameters == tuple(FITTED) and scheduler.desired_retention == 0.85
        assert not scheduler.enable_fuzzing
    # No profile (an account made by a command): the card all the same, and the defaults.
    found, scheduler = scheduling.card_and_scheduler(
        user_id=other_learner.pk, question_id=unseen.pk
    )
    assert found.user_id == other_learner.pk and scheduler is scheduling.SCHEDULER


@pytest.mark.django_db
def test_the_dashboard_projects_recall_at_the_moment_the_plan_reviews_by(learner):
    """The plan moves every review before interview_start; the dashboard's readiness is
    recall at that same moment, not at some hour of the day."""
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    profile = Profile.objects.create(
        user=learner, time_zone="Asia/Tokyo", interview_date=date(2026, 6, 11)
    )
    start = scheduling.interview_start(profile)
    assert start == datetime(2026, 6, 10, 15, 0, tzinfo=UTC)  # midnight in Tokyo
    # A review planned for the interview's last days lands before that moment.
    planned = scheduling.planned_due(
        start + timedelta(days=5), question_id=7, now=now, interview_at=start
    )
    assert start - timedelta(days=scheduling.FINAL_REVIEW_DAYS) <= planned < start
    # Reviewed 20 hours before the day starts: no whole day has passed at midnight, one
    # has by 09:00. Its recall at midnight is 1; at 09:00 it is already lower.
    question = QuestionFactory()
    card = Card.objects.create(
        user=learner, question=question, state=2, stability=2.0, difficulty=5,
        due=planned, last_review=start - timedelta(hours=20),
    )  # fmt: skip

    dashboard = build_dashboard(user=learner, profile=profile, now=now)

    assert dashboard.interview_at == start
    (row,) = [row for row in dashboard.readiness if row.topic == question.topic]
    assert row.projected_recall == pytest.approx(scheduling.retrievability(card, start)) == 1.0
    assert scheduling.retrievability(card, start + timedelta(hours=9)) < 0.95
