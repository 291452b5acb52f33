"""The schedule at work: the fitted parameters and desired retention in every decision, the
daily limits, the interview plan and leeches."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.services import update_profile
from planner.plan import allowance
from planner.tests.factories import make_card, make_history
from planner.tests.helpers import NOW, grade_all
from quizzes import scheduling
from quizzes import services as practice
from quizzes.models import LEECH_LAPSES, Card, Grade, Mode
from quizzes.tests.factories import AnswerFactory, QuestionFactory

# Every scheduling decision uses them ---------------------------------------------------


@pytest.mark.django_db
def test_the_next_grade_uses_the_fitted_parameters(learner, profile, other_learner):
    Profile.objects.create(user=other_learner)
    fitted = list(scheduling.DEFAULT_PARAMETERS)
    fitted[2] = 40.0  # initial stability after a first Good
    profile.fsrs_parameters = fitted
    profile.save()
    question = QuestionFactory()

    for user in (learner, other_learner):
        started = practice.start_session(
            user=user, mode=Mode.RANDOM, size=1, question_ids=[question.pk], now=NOW
        )
        grade_all(started, Grade.GOOD, NOW)

    assert Card.objects.get(user=learner).stability == pytest.approx(40.0)
    assert Card.objects.get(user=other_learner).stability == pytest.approx(
        scheduling.DEFAULT_PARAMETERS[2]
    )


@pytest.mark.django_db
def test_desired_retention_changes_the_intervals(learner, profile):
    question = QuestionFactory()
    card = make_card(learner, question, stability=20.0, due=NOW, last_review=NOW - timedelta(20))
    intervals = {}
    for retention in (0.8, 0.9, 0.97):
        profile.desired_retention = retention
        scheduler = scheduling.scheduler_for(profile, fuzz=False)
        intervals[retention] = scheduling.preview_intervals(
            card, question_id=question.pk, now=NOW, scheduler=scheduler
        )[Grade.GOOD]
    assert intervals[0.8] > intervals[0.9] > intervals[0.97]


# Daily limits ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_questions_stop_at_the_daily_limit(learner, profile):
    profile.new_per_day = 3
    profile.save()
    QuestionFactory.create_batch(10)

    first = practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)
    assert first.session.size == 3
    assert "today’s 3 new questions" in first.notes[0]
    grade_all(first, Grade.GOOD, NOW)

    with pytest.raises(ValidationError, match="today’s 3 new questions"):
        practice.start_session(user=learner, mode=Mode.NEW, size=5, now=NOW + timedelta(hours=1))
    # The next day the allowance is back.
    assert practice.start_session(user=learner, mode=Mode.NEW, size=5, now=NOW + timedelta(1))


@pytest.mark.django_db
def test_a_backlog_over_the_review_limit_brings_the_most_forgotten_first(learner, profile):
    profile.max_reviews_per_day = 2
    profile.new_per_day = 0
    profile.save()
    stabilities = {30.0: None, 1.0: None, 100.0: None, 3.0: None}
    for stability in stabilities:
        stabilities[stability] = QuestionFactory().pk
        card = make_card(
            learner,
            Question_pk(stabilities[stability]),
            stability=stability,
            due=NOW - timedelta(days=1),
            last_review=NOW - timedelta(days=10),
        )
        # Seen before: today's answers to it are reviews, not new questions.
        AnswerFactory(user=learner, session__user=learner, question=card.question,
                      answered_at=NOW - timedelta(days=10))  # fmt: skip

    started = practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)

    chosen = list(started.session.items.values_list("question_id", flat=True))
    assert chosen == [stabilities[1.0], stabilities[3.0]]
    assert "limit of 2 reviews" in started.notes[0]
    grade_all(started, Grade.GOOD, NOW)
    # Exactly at the limit: nothing more today.
    with pytest.raises(ValidationError, match="limit of 2 reviews"):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)


def Question_pk(pk):
    from quizzes.models import Question

    return Question.objects.get(pk=pk)


@pytest.mark.django_db
def test_starting_a_session_takes_the_same_queries_with_limits_and_a_plan(
    learner, profile, django_assert_max_num_queries
):
    profile.interview_date = date(2026, 5, 1)
    profile.save()
    QuestionFactory.create_batch(30)
    # profile, today's answers, syllabus, the plan's counts, due cards, new questions,
    # then the session, its items (and the savepoint pair of the transaction).
    with django_assert_max_num_queries(10):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)
    make_history(learner, questions=40)
    with django_assert_max_num_queries(10):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)


# The interview plan ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_thirty_days_ahead(learner, profile, client):
    # The dashboard and the profile form work from the real clock.
    now = timezone.now()
    today = now.date()
    interview = today + timedelta(days=30)
    QuestionFactory.create_batch(100)
    far = QuestionFactory()
    make_card(learner, far, due=now + timedelta(days=90), last_review=now - timedelta(days=5))
    update_profile(user=learner, email=learner.email, display_name="", time_zone="UTC",
                   interview_date=interview, daily_goal=10)  # fmt: skip
    interview_at = datetime.combine(interview, datetime.min.time(), tzinfo=UTC)

    # Setting the date brought the review already scheduled after it into the last days.
    moved = Card.objects.get(question=far).due
    assert interview_at - timedelta(days=3) <= moved < interview_at

    # 100 unseen questions, to be seen a week before the date: 23 days, 5 a day.
    allowance_today = allowance(user=learner, profile=Profile.objects.get(user=learner), now=now)
    assert (
        allowance_today.pace.unseen,
        allowance_today.pace.seen_by,
        allowance_today.pace.per_day,
    ) == (
        100,
        interview - timedelta(days=7),
        5,
    )
    started = practice.start_session(user=learner, mode=Mode.DUE, size=20, now=now)
    assert started.session.size == 5
    grade_all(started, Grade.EASY, now)

    # Every seen question is due before the interview, even after an Easy.
    assert Card.objects.filter(user=learner).count() == 6
    assert not Card.objects.filter(user=learner, due__gte=interview_at).exists()

    client.force_login(learner)
    page = client.get(reverse("dashboard")).content.decode()
    seen_by = interview - timedelta(days=7)
    assert f"To see all 101 questions by {seen_by.day} {seen_by:%B}: 5 new a day" in page


@pytest.mark.django_db
def test_after_the_interview_normal_scheduling_resumes(learner, profile):
    profile.interview_date = (NOW - timedelta(days=1)).date()
    profile.save()
    question = QuestionFactory()
    make_card(learner, question, stability=50.0, due=NOW, last_review=NOW - timedelta(50))
    started = practice.start_session(
        user=learner, mode=Mode.DUE, size=1, question_ids=[question.pk], now=NOW
    )
    grade_all(started, Grade.GOOD, NOW)
    assert Card.objects.get(question=question).due > NOW + timedelta(days=30)


# Leeches --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_question_failed_often_becomes_a_leech(learner, profile, client):
    question = QuestionFactory(prompt="Why does the leech never stick?")
    make_card(learner, question, lapses=LEECH_LAPSES - 1, reviews=8, due=NOW)
    assert not Card.objects.get().is_leech and not Card.objects.leeches().exists()

    started = practice.start_session(
        user=learner, mode=Mode.DUE, size=1, question_ids=[question.pk], now=NOW
    )
    grade_all(started, Grade.AGAIN, NOW)

    card = Card.objects.get()
    assert card.lapses == LEECH_LAPSES and card.is_leech
    assert list(Card.objects.leeches()) == [card]
    client.force_login(learner)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Leeches" in page and "Why does the leech never stick?" in page

    # On the card, once revealed.
    again = practice.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    )
    item = again.session.items.get()
    practice.reveal(item=item, typed_answer="")
    page = client.get(again.session.get_absolute_url()).content.decode()
    assert "A leech:" in page and f"missed this question {LEECH_LAPSES} times" in page


@pytest.mark.django_db
def test_a_session_says_when_a_limit_was_reached(learner, profile, client):
    profile.new_per_day = 2
    profile.save()
    QuestionFactory.create_batch(5)
    client.force_login(learner)

    response = client.post(reverse("practice_start"), {"mode": "due", "size": 5}, follow=True)

    page = response.content.decode()
    assert "Question 1 of 2" in page
    assert "You have reached today’s 2 new questions; more tomorrow." in page
