"""A library page's rows are read by a hand-written statement (quizzes.library.page_rows):
it must give each question what the ORM's with_learner_state gives."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from prepsite.rows import Columns
from quizzes.library import page_rows
from quizzes.library.queries import with_learner_state
from quizzes.models import Answer, Card, Grade, Mode, PracticeSession, Question, UserQuestion

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STATE = ("card_state", "card_due", "card_stability", "bookmarked", "suspended", "last_grade")


def _answer(user, question, grade, minutes):
    session = PracticeSession.objects.create(user=user, mode=Mode.LIBRARY, size=1)
    Answer.objects.create(
        user=user, session=session, question=question, grade=grade,
        answered_at=NOW + timedelta(minutes=minutes),
    )  # fmt: skip


@pytest.fixture
def history(bank, learner, other_learner):
    Card.objects.create(
        user=learner, question=bank["layer_norm"], state=2, stability=40.5, difficulty=5.0,
        due=NOW - timedelta(days=1), last_review=NOW - timedelta(days=9), reviews=3,
    )  # fmt: skip
    UserQuestion.objects.create(user=learner, question=bank["rms"], bookmarked=True)
    UserQuestion.objects.create(user=learner, question=bank["adam"], suspended=True)
    _answer(learner, bank["adam"], Grade.GOOD, minutes=1)
    _answer(learner, bank["adam"], Grade.AGAIN, minutes=2)  # the last
    # Another learner's state of every question, which must not show.
    for question in (bank["layer_norm"], bank["rms"], bank["adam"]):
        Card.objects.create(
            user=other_learner, question=question, state=1, stability=1.0, difficulty=5.0,
            due=NOW, last_review=NOW, reviews=1,
        )  # fmt: skip
        UserQuestion.objects.create(
            user=other_learner, question=question, bookmarked=True, suspended=True
        )
        _answer(other_learner, question, Grade.EASY, minutes=5)
    return bank


def _by_orm(ids, user):
    questions = Question.objects.published().select_related("topic").filter(pk__in=ids)
    if user.is_authenticated:
        questions = with_learner_state(questions, user)
    return {question.pk: question for question in questions}


def _shown(question, learner: bool) -> dict:
    shown = {
        "key": question.key,
        "prompt": question.prompt,
        "answer": question.answer,
        "difficulty": question.difficulty,
        "topic": (question.topic.slug, question.topic.name),
    }
    if learner:
        shown |= {name: getattr(question, name) for name in STATE}
    else:
        assert not hasattr(question, "card_state")  # badges() then shows none
    return shown


@pytest.mark.parametrize("who", ["learner", "anonymous"])
def test_the_rows_are_what_the_orm_gives(history, learner, who):
    user = learner if who == "learner" else AnonymousUser()
    bank = history
    ids = [bank[name].pk for name in ("adam", "draft", "rms", "layer_norm")]

    rows = page_rows.listed(ids, user=user)
    expected = _by_orm(ids, user)

    assert set(rows) == set(expected) == {bank[n].pk for n in ("adam", "rms", "layer_norm")}
    learner_rows = user.is_authenticated
    for pk, question in rows.items():
        assert _shown(question, learner_rows) == _shown(expected[pk], learner_rows)
    if learner_rows:
        # The fixture's state, so that agreeing is not agreeing on nothing.
        assert rows[bank["layer_norm"].pk].card_state == 2
        assert rows[bank["rms"].pk].bookmarked and not rows[bank["rms"].pk].suspended
        assert rows[bank["adam"].pk].suspended and rows[bank["adam"].pk].last_grade == Grade.AGAIN
        assert rows[bank["rms"].pk].card_state is None


def test_no_ids_read_nothing(learner, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert page_rows.listed([], user=learner) == {}


def test_columns_refuse_a_column_the_model_has_not():
    with pytest.raises(ValueError, match="no column"):
        Columns(Question, "q", only=("key", "colour"))
