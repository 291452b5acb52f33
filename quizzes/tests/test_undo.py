"""Undo the last grade: the answer, the FSRS card, the session's counters and the daily
roll-up return exactly to what they were before it, once, for the session's last grade only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from quizzes import services
from quizzes.library import services as library_services
from quizzes.models import Answer, Card, Grade, KeyPointMemory, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(learner):
    Profile.objects.create(user=learner, time_zone="Pacific/Auckland")
    QuestionFactory.create_batch(3)
    return services.start_session(user=learner, mode=Mode.NEW, size=3).session


def _grade(session, position, grade, now):
    session.refresh_from_db()
    item = session.items.get(position=position)
    services.reveal(item=item, typed_answer=f"typed {position}", now=now)
    result = services.record_grade(
        session=session, item=item, grade=grade, key_point_ids=[], now=now
    )
    assert result.recorded
    session.refresh_from_db()
    return item


def _state(user, session) -> dict:
    """Everything a grade touches, compared field by field."""
    session.refresh_from_db()
    return {
        "cards": sorted(
            (model_to_dict(card, exclude=["id"]) for card in Card.objects.filter(user=user)),
            key=lambda card: card["question"],
        ),
        "answers": sorted(Answer.objects.filter(user=user).values_list("pk", flat=True)),
        "activity": list(
            DailyActivity.objects.filter(user=user).values("day", "answers", "recalled")
        ),
        "session": {
            name: getattr(session, name)
            for name in ("answered", "recalled", "finished_at", "current_shown_at")
        },
    }


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_undo_restores_a_card_that_was_reviewed_before(learner, session, grade):
    earlier = timezone.now() - timedelta(days=3)
    first = _grade(session, 0, 3, earlier)  # the card now exists, reviewed three days ago
    # The same question again in a later session, then undone.
    later = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=1, question_ids=[first.question_id]
    ).session
    before = _state(learner, later)
    _grade(later, 0, grade, timezone.now())
    assert _state(learner, later) != before

    services.undo_last_grade(session=later)

    assert _state(learner, later) == before


def test_undo_of_a_first_review_removes_the_card_and_the_days_roll_up(learner, session):
    before = _state(learner, session)
    assert before["activity"] == []
    _grade(session, 0, 4, timezone.now())
    services.undo_last_grade(session=session)
    after = _state(learner, session)
    assert after == before
    assert not Card.objects.filter(user=learner).exists()


def test_undo_of_the_finishing_grade_reopens_the_session(learner, session):
    now = timezone.now()
    _grade(session, 0, 3, now)
    _grade(session, 1, 1, now)
    before = _state(learner, session)
    _grade(session, 2, 2, now + timedelta(seconds=40))
    assert session.is_finished
    services.undo_last_grade(session=session)
    assert _state(learner, session) == before
    assert not session.is_finished
    # The day's roll-up keeps the two earlier answers.
    assert before["activity"][0]["answers"] == 2


def _memories(user) -> list[dict]:
    return [
        model_to_dict(memory)
        for memory in KeyPointMemory.objects.filter(user=user).order_by("key_point")
    ]


@pytest.mark.parametrize("grade", [Grade.AGAIN, Grade.GOOD])
def test_undo_restores_the_key_point_memory_exactly(learner, session, grade):
    item = session.items.get(position=0)
    first, second, third = item.question.key_points.all()[:3]
    earlier = timezone.now() - timedelta(days=2)
    services.reveal(item=item, typed_answer="", now=earlier)
    services.record_grade(
        session=session, item=item, grade=3, key_point_ids=[first.pk], now=earlier
    )
    # The same question in a later session: one point had a memory, one was missed...
    later = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=1, question_ids=[item.question_id]
    ).session
    before = _memories(learner)
    assert len(before) == 3
    # ...and a fourth point, added since, has none yet: the grade creates it.
    added = item.question.key_points.create(text="Added since", order=9)
    _grade_ticking(later, grade, [first.pk, second.pk, added.pk])
    assert _memories(learner) != before
    assert KeyPointMemory.objects.filter(user=learner, key_point=added).exists()

    services.undo_last_grade(session=later)

    assert _memories(learner) == before
    assert third.memories.get(user=learner).misses == 1


def _grade_ticking(session, grade, ticks):
    item = session.items.get(position=0)
    services.reveal(item=item, typed_answer="", now=timezone.now())
    session.refresh_from_db()
    assert services.record_grade(
        session=session, item=item, grade=grade, key_point_ids=ticks
    ).recorded


def test_undo_of_a_first_grade_removes_the_memories_it_made(learner, session):
    item = session.items.get(position=0)
    _grade_ticking(session, Grade.HARD, [item.question.key_points.first().pk])
    assert KeyPointMemory.objects.filter(user=learner).exists()
    services.undo_last_grade(session=session)
    assert not KeyPointMemory.objects.filter(user=learner).exists()


def test_a_second_undo_is_refused(learner, session):
    now = timezone.now()
    _grade(session, 0, 3, now)
    _grade(session, 1, 3, now)
    services.undo_last_grade(session=session)
    state = _state(learner, session)
    with pytest.raises(ValidationError, match="only the last grade"):
        services.undo_last_grade(session=session)
    assert _state(learner, session) == state
    assert session.answered == 1


def test_undo_is_refused_when_the_question_was_graded_or_reset_since(learner, session):
    item = _grade(session, 0, 3, timezone.now() - timedelta(days=2))
    other = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=1, question_ids=[item.question_id]
    ).session
    _grade(other, 0, 1, timezone.now())
    with pytest.raises(ValidationError, match="graded or reset since"):
        services.undo_last_grade(session=session)
    library_services.reset_question(user=learner, question=item.question)
    with pytest.raises(ValidationError, match="graded or reset since"):
        services.undo_last_grade(session=other)


def test_undo_with_nothing_graded_is_refused(session):
    with pytest.raises(ValidationError):
        services.undo_last_grade(session=session)


# The view --------------------------------------------------------------------------------


def test_undo_button_and_view_htmx(learner_client, learner, session):
    _grade(session, 0, 3, timezone.now())
    html = learner_client.get(session.get_absolute_url()).content.decode()
    assert "Undo last grade" in html and 'data-shortcut="u"' in html
    url = reverse("practice_undo", args=[session.pk])
    response = learner_client.post(url, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your last grade was undone" in html
    assert "Question 1 of 3" in html and "Reference answer" in html  # revealed, to grade again
    assert "Undo last grade" not in html
    response = learner_client.post(url, **HTMX)
    assert response.status_code == 409
    assert "only the last grade" in response.content.decode()


def test_undo_from_the_summary_without_javascript(learner_client, learner, session):
    for position in range(3):
        _grade(session, position, 3, timezone.now())
    summary = learner_client.get(session.get_absolute_url()).content.decode()
    assert "Session complete" in summary and "Undo last grade" in summary
    response = learner_client.post(reverse("practice_undo", args=[session.pk]))
    assert response.status_code == 302
    page = learner_client.get(response["Location"]).content.decode()
    assert "Question 3 of 3" in page and "Your last grade was undone" in page
    assert PracticeSession.objects.get(pk=session.pk).answered == 2


def test_another_learner_cannot_undo(client, other_learner, learner, session):
    _grade(session, 0, 3, timezone.now())
    client.force_login(other_learner)
    response = client.post(reverse("practice_undo", args=[session.pk]))
    assert response.status_code == 404
    assert Answer.objects.filter(session=session).count() == 1
