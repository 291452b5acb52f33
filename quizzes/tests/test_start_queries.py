"""The practice page and a session's start make the same few queries whatever the bank and
the learner's history hold (issue #22): the counts and the choice leave out seen, due and
suspended questions with IN and NOT IN over the learner's rows, in the one query."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.library import services as library_services
from quizzes.models import Grade, Mode
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _history(learner, questions: int) -> None:
    """`questions` more questions, half of them graded by the learner and one suspended."""
    topic = TopicFactory()
    bank = QuestionFactory.create_batch(questions, topic=topic)
    graded = bank[: questions // 2]
    session = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=len(graded), question_ids=[q.pk for q in graded]
    ).session
    for item in session.items.all():
        session.refresh_from_db()
        services.record_grade(session=session, item=item, grade=Grade.AGAIN, key_point_ids=[])
    library_services.mark_question(user=learner, question=bank[-1], suspended=True)


def _queries(client, django_assert_max_num_queries, method, *args) -> int:
    with django_assert_max_num_queries(12) as captured:
        response = getattr(client, method)(reverse("practice_start"), *args)
    assert response.status_code in (200, 302)
    return len(captured)


@pytest.mark.parametrize(
    ("method", "data"),
    [("get", None), ("post", {"mode": "random", "size": 5}), ("post", {"mode": "new", "size": 5})],
    ids=["page", "random", "new"],
)
def test_the_start_does_not_grow_with_the_bank_or_the_history(
    learner_client, learner, django_assert_max_num_queries, method, data
):
    args = () if data is None else (data,)
    _history(learner, 4)
    # Once first: the topics and tags the form offers are then cached (library.facets).
    _queries(learner_client, django_assert_max_num_queries, method, *args)
    small = _queries(learner_client, django_assert_max_num_queries, method, *args)
    _history(learner, 20)
    large = _queries(learner_client, django_assert_max_num_queries, method, *args)
    assert large == small
