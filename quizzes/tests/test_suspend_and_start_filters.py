"""A suspended question leaves every practice mode; the start page's difficulty, tag and
per-topic counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.library import services as library_services
from quizzes.models import Card, Difficulty, Grade, Mode, PracticeSession
from quizzes.selection import choose_questions, missed_in, topic_counts
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(learner):
    """Two questions the learner has missed, due now; the first is then suspended."""
    topic = TopicFactory()
    kept, suspended = QuestionFactory.create_batch(2, topic=topic)
    session = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=2, question_ids=[kept.pk, suspended.pk]
    ).session
    past = timezone.now() - timedelta(days=30)
    for item in session.items.all():
        services.record_grade(
            session=session, item=item, grade=Grade.AGAIN, key_point_ids=[], now=past
        )
    library_services.mark_question(user=learner, question=suspended, suspended=True)
    session.refresh_from_db()
    return {"kept": kept, "suspended": suspended, "session": session, "topic": topic}


@pytest.mark.parametrize("mode", [Mode.DUE, Mode.WEAKEST, Mode.RANDOM])
def test_suspended_questions_leave_every_mode(learner, two, mode):
    chosen = choose_questions(user=learner, topics=[], mode=mode, size=10, now=timezone.now())
    assert two["kept"].pk in chosen
    assert two["suspended"].pk not in chosen


def test_suspended_new_questions_and_missed_ones_are_left_out(learner, two):
    fresh = QuestionFactory(topic=two["topic"])
    library_services.mark_question(user=learner, question=fresh, suspended=True)
    now = timezone.now()
    assert choose_questions(user=learner, topics=[], mode=Mode.NEW, size=10, now=now) == []
    assert missed_in(two["session"]) == [two["kept"].pk]


def test_practise_these_leaves_suspended_out_and_unsuspend_brings_it_back(
    learner_client, learner, two
):
    learner_client.post(reverse("library_practise"), {"topic": two["topic"].slug, "size": 10})
    session = PracticeSession.objects.filter(user=learner).first()
    assert list(session.items.values_list("question", flat=True)) == [two["kept"].pk]
    url = reverse("library_suspend", args=[two["topic"].slug, two["suspended"].key])
    html = learner_client.get(
        reverse("library_question", args=[two["topic"].slug, two["suspended"].key])
    ).content.decode()
    assert "Unsuspend" in html and "left out of every practice mode" in html
    learner_client.post(url, {"suspended": "0"})
    now = timezone.now()
    chosen = choose_questions(user=learner, topics=[], mode=Mode.DUE, size=10, now=now)
    assert set(chosen) == {two["kept"].pk, two["suspended"].pk}


def test_suspension_is_the_learners_own(learner, other_learner, two):
    now = timezone.now()
    chosen = choose_questions(user=other_learner, topics=[], mode=Mode.RANDOM, size=10, now=now)
    assert two["suspended"].pk in chosen


def test_start_page_narrows_by_difficulty_and_tag(learner_client, learner):
    topic = TopicFactory()
    hard = QuestionFactory(topic=topic, difficulty=Difficulty.HARD, tags="attention, scaling")
    QuestionFactory(topic=topic, difficulty=Difficulty.EASY, tags="attention")
    QuestionFactory(topic=topic, difficulty=Difficulty.HARD, tags="optimisers")
    page = learner_client.get(reverse("practice_start")).content.decode()
    assert "Difficulty" in page and '<option value="scaling">' in page
    response = learner_client.post(
        reverse("practice_start"),
        {"size": 5, "mode": "random", "difficulty": "hard", "tag": "attention"},
    )
    assert response.status_code == 302
    session = PracticeSession.objects.get(user=learner)
    assert list(session.items.values_list("question", flat=True)) == [hard.pk]
    bad = learner_client.post(
        reverse("practice_start"), {"size": 5, "mode": "random", "tag": "nope"}
    )
    assert bad.status_code == 400


def test_start_page_counts_new_and_due_per_topic(learner_client, learner, two):
    other = TopicFactory(name="Attention")
    QuestionFactory.create_batch(3, topic=other)
    counts = topic_counts(user=learner, now=timezone.now())
    assert counts[two["topic"].pk] == {"new": 0, "due": 1}  # the suspended one is left out
    assert counts[other.pk] == {"new": 3, "due": 0}
    page = learner_client.get(reverse("practice_start")).content.decode()
    assert "(3 new · 0 due)" in page and "(0 new · 1 due)" in page


def test_due_mode_narrows_by_difficulty(learner, two):
    Card.objects.filter(user=learner).update(due=timezone.now() - timedelta(days=1))
    now = timezone.now()
    easy = choose_questions(
        user=learner, topics=[], mode=Mode.DUE, size=10, now=now, difficulty="easy"
    )
    medium = choose_questions(
        user=learner, topics=[], mode=Mode.DUE, size=10, now=now, difficulty="medium"
    )
    assert easy == [] and medium == [two["kept"].pk]
