"""Memory per key point: hits and misses per learner, and the "Missed key points" mode."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Grade, KeyPointMemory, Mode, PracticeSession, SessionItem, Status
from quizzes.selection import missed_points
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _grade(user, question, grade, ticks, now=None):
    session = services.start_session(
        user=user, mode=Mode.RANDOM, size=1, question_ids=[question.pk], now=now
    ).session
    item = SessionItem.objects.get(session=session)
    return services.record_grade(
        session=session, item=item, grade=grade, key_point_ids=ticks, now=now
    )


def _memory(user, point):
    return KeyPointMemory.objects.get(user=user, key_point=point)


def test_ticked_points_are_hits_and_the_rest_misses(learner, other_learner):
    question = QuestionFactory(key_points=["One", "Two", "Three"])
    one, two, three = question.key_points.all()
    now = timezone.now()
    _grade(learner, question, Grade.HARD, [one.pk, two.pk], now=now)
    _grade(learner, question, Grade.GOOD, [one.pk], now=now + timedelta(days=1))
    memory = _memory(learner, one)
    assert (memory.hits, memory.misses, memory.streak) == (2, 0, 2)
    # Two hits in a row: it rests two days from the last one.
    assert memory.due == now + timedelta(days=3)
    memory = _memory(learner, two)
    assert (memory.hits, memory.misses, memory.streak) == (1, 1, 0)
    assert memory.due == now + timedelta(days=1)
    assert (_memory(learner, three).misses, _memory(learner, three).hits) == (2, 0)
    assert not KeyPointMemory.objects.filter(user=other_learner).exists()


def test_a_long_streak_rests_the_point_at_most_two_to_the_max_doublings_days(learner):
    question = QuestionFactory(key_points=["One"])
    (one,) = question.key_points.all()
    now = timezone.now()
    # A learner who ticks it whenever they see it, in any mode: without a cap its due date
    # would pass the calendar's end (year 9999) after a few dozen hits.
    KeyPointMemory.objects.create(
        user=learner, key_point=one, hits=40, streak=40, last_seen=now, due=now
    )
    _grade(learner, question, Grade.GOOD, [one.pk], now=now)
    memory = _memory(learner, one)
    assert (memory.hits, memory.streak) == (41, 41)
    assert memory.due == now + timedelta(days=1024)
    assert KeyPointMemory.rest_days(40) == KeyPointMemory.rest_days(10) == 1024


def test_a_grade_with_nothing_ticked_counts_only_when_it_is_again(learner):
    question = QuestionFactory(key_points=["One", "Two"])
    _grade(learner, question, Grade.GOOD, [])
    assert not KeyPointMemory.objects.exists()
    _grade(learner, question, Grade.AGAIN, [])
    assert list(KeyPointMemory.objects.values_list("misses", flat=True)) == [1, 1]


def test_the_mode_asks_questions_with_due_missed_points(learner):
    now = timezone.now()
    missed = QuestionFactory(key_points=["A", "B"])
    all_hit = QuestionFactory(key_points=["C"])
    retired = QuestionFactory(key_points=["D", "E"])
    QuestionFactory()  # never answered
    _grade(learner, missed, Grade.HARD, [missed.key_points.first().pk], now=now)
    _grade(learner, all_hit, Grade.GOOD, [all_hit.key_points.get().pk], now=now)
    _grade(learner, retired, Grade.AGAIN, [], now=now)
    retired.status = Status.RETIRED
    retired.save()
    assert missed_points(user=learner, topics=[], size=10, now=now) == [missed.pk]
    # Hit on the next try: it rests a day, and the mode has nothing for now.
    _grade(
        learner, missed, Grade.GOOD, list(missed.key_points.values_list("pk", flat=True)), now=now
    )
    assert missed_points(user=learner, topics=[], size=10, now=now) == []
    assert missed_points(user=learner, topics=[], size=10, now=now + timedelta(days=2)) == [
        missed.pk
    ]


def test_the_missed_points_are_highlighted_after_reveal(learner_client, learner):
    question = QuestionFactory(key_points=["Scale by sqrt(d_k)", "Softmax saturates"])
    first, second = question.key_points.all()
    _grade(learner, question, Grade.HARD, [second.pk])
    response = learner_client.post(
        reverse("practice_start"), {"mode": "points", "size": 5}, follow=True
    )
    session = PracticeSession.objects.get(mode=Mode.MISSED_POINTS)
    assert session.size == 1
    response = learner_client.post(
        reverse("practice_reveal", args=[session.pk]), {"position": 0}, follow=True
    )
    html = response.text
    assert html.count("you missed this before") == 1
    assert (
        '<li class="missed-point"><label><input type="checkbox" name="key_points" '
        f'value="{first.pk}">' in html
    )


def test_the_mode_without_missed_points_says_so(learner_client):
    QuestionFactory()
    response = learner_client.post(reverse("practice_start"), {"mode": "points", "size": 5})
    assert response.status_code == 400
    assert "No key point you missed is due again" in response.text
    assert not PracticeSession.objects.exists()


def test_the_start_page_offers_the_mode(learner_client):
    QuestionFactory()
    assert "Missed key points" in learner_client.get(reverse("practice_start")).text
