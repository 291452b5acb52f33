"""The data export holds what the learner did on each question, not only the grade:
their confidence, the key points suggested and ticked, the record of each key point hit
or missed, the number check and the card as each grade found it."""

import datetime
import json
import random

import pytest
from django.contrib.auth import get_user_model

from accounts.export import export_user_data
from accounts.services import get_profile
from interviews import services as interviews
from quizzes import services
from quizzes.models import Answer, Card, Confidence, Grade, KeyPoint, KeyPointMemory, Mode
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
WHEN = datetime.datetime(2030, 3, 4, 10, 30, tzinfo=datetime.UTC)
POINTS = ["gradient clipping", "learning rate warmup", "weight decay"]


def _practise(user, *, questions=1, when=WHEN):
    """A session through the services: each question revealed with an answer that names
    its first key point, said Sure about, and graded Good with the second point ticked."""
    topic = TopicFactory()
    for _ in range(questions):
        QuestionFactory(topic=topic, key_points=POINTS)
    session = services.start_session(
        user=user, mode=Mode.NEW, size=questions, topics=[topic], now=when
    ).session
    for item in session.items.select_related("question"):
        points = list(item.question.key_points.all())
        services.reveal(
            item=item,
            typed_answer="I would use gradient clipping.",
            confidence=Confidence.SURE,
            session=session,
            now=when,
        )
        session.refresh_from_db()
        services.record_grade(
            session=session, item=item, grade=Grade.GOOD, key_point_ids=[points[1].pk], now=when
        )
    return session


def test_each_answer_has_its_confidence_suggested_points_and_card_before(learner):
    session = _practise(learner)
    answer = Answer.objects.get(user=learner)
    suggested = list(KeyPoint.objects.filter(pk__in=answer.key_points_suggested))
    assert suggested, "the matcher suggests the point the answer names"

    data = export_user_data(learner)

    [exported] = data["answers"]
    assert exported["confidence"] == "sure"
    assert exported["key_points_ticked"] == ["learning rate warmup"]
    assert exported["key_points_suggested"] == [point.text for point in suggested]
    assert exported["number_correct"] is None  # not a calculation
    assert exported["card_before"] is None  # a first answer: no card before it
    assert exported["shown_at"] == WHEN.isoformat()
    [item] = data["practice_sessions"][0]["items"]
    assert item["confidence"] == "sure"
    assert item["key_points_suggested"] == exported["key_points_suggested"]
    assert data["practice_sessions"][0]["confidence"] == "sure"
    assert data["practice_sessions"][0]["id"] == str(session.pk)
    json.dumps(data)


def test_a_second_answer_holds_the_card_as_the_grade_found_it(learner):
    _practise(learner, when=WHEN)
    question = Answer.objects.get(user=learner).question
    card = Card.objects.get(user=learner, question=question)
    session = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=1, question_ids=[question.pk], now=WHEN
    ).session
    later = WHEN + datetime.timedelta(days=2)
    services.record_grade(
        session=session, item=session.items.get(), grade=Grade.AGAIN, key_point_ids=[], now=later
    )

    second = export_user_data(learner)["answers"][1]

    before = second["card_before"]
    assert (before["state"], before["due"]) == (card.state, card.due.isoformat())
    assert (before["stability"], before["last_review"]) == (card.stability, WHEN.isoformat())
    assert second["grade"] == "Again"


def test_the_key_point_records_are_exported(learner):
    _practise(learner)
    memories = {m.key_point.text: m for m in KeyPointMemory.objects.select_related("key_point")}
    assert set(memories) == set(POINTS)  # the ticked point hit, the others missed

    records = export_user_data(learner)["key_points"]

    by_text = {record["key_point"]: record for record in records}
    assert set(by_text) == set(POINTS)
    hit = by_text["learning rate warmup"]
    assert (hit["hits"], hit["misses"], hit["streak"]) == (1, 0, 1)
    missed = by_text["weight decay"]
    assert (missed["hits"], missed["misses"]) == (0, 1)
    assert missed["due"] == memories["weight decay"].due.isoformat()
    assert missed["last_seen"] == WHEN.isoformat()
    assert {record["question"] for record in records} == {
        Answer.objects.get(user=learner).question.key
    }


def test_no_key_point_record_of_anyone_else(learner, other_learner):
    _practise(other_learner)
    assert export_user_data(learner)["key_points"] == []


def test_a_suggested_key_point_deleted_since_is_left_out(learner):
    _practise(learner)
    answer = Answer.objects.get(user=learner)
    KeyPoint.objects.filter(pk__in=answer.key_points_suggested).delete()

    [exported] = export_user_data(learner)["answers"]

    assert exported["key_points_suggested"] == []
    assert exported["key_points_ticked"] == ["learning rate warmup"]


@pytest.mark.parametrize("questions", [1, 12])
def test_queries_do_not_grow_with_the_records(learner, questions, django_assert_max_num_queries):
    _practise(learner, questions=questions)
    QuestionFactory.create_batch(3)
    interviews.start_interview(user=learner, minutes=15, level="medium", rng=random.Random(1))
    get_profile(learner)
    fresh = User.objects.get(pk=learner.pk)
    # profile, sessions, their topics, their items with questions, answers with questions,
    # ticked and suggested key points, key point records with their questions, cards,
    # daily activity, reports, syllabus, parameter fits, mock interviews, their steps,
    # bookmarks, suspensions and notes, reminder settings and emails, log-in sessions
    with django_assert_max_num_queries(18):
        data = export_user_data(fresh)
    assert len(data["key_points"]) == 3 * questions
    assert len(data["answers"]) == questions
