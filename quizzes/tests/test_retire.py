"""Retire, don't delete: learners' history keeps its questions, and sessions still finish."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import DailyActivity
from accounts.services import get_profile
from accounts.stats import build_dashboard
from quizzes import selection, services
from quizzes.models import Answer, Card, KeyPoint, Mode, Question, SessionItem, Status
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _answer(session, position: int, grade: int = 3):
    client_item = SessionItem.objects.get(session=session, position=position)
    services.reveal(item=client_item, typed_answer="")
    return services.record_grade(session=session, item=client_item, grade=grade, key_point_ids=[])


def _main(html: str) -> str:
    """The page's content, without the per-request CSP nonces and CSRF tokens."""
    main = re.search(r"<main.*</main>", html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


@pytest.fixture
def practised(learner):
    """A question with an answer, a card and a session item of the learner's."""
    question = QuestionFactory()
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    ).session
    _answer(session, 0)
    return question


def test_a_question_with_history_cannot_be_deleted_through_the_orm(practised):
    with pytest.raises(ProtectedError) as caught:
        practised.delete()
    protected = {type(obj) for obj in caught.value.protected_objects}
    assert protected == {Answer, Card, SessionItem}
    assert Question.objects.filter(pk=practised.pk).exists()


@pytest.mark.parametrize("model", [Answer, Card, SessionItem])
def test_each_kind_of_history_protects_on_its_own(learner, model):
    question = QuestionFactory()
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    ).session
    _answer(session, 0)
    # Leave only one kind of history pointing at the question.
    for other in {Answer, Card, SessionItem} - {model}:
        other.objects.filter(question=question).delete()
    with pytest.raises(ProtectedError):
        question.delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_to_delete_a_question_with_history(learner):
    question = QuestionFactory()
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    ).session
    _answer(session, 0)
    KeyPoint.objects.filter(question=question).delete()

    # Past the ORM: a raw DELETE fails on the foreign keys when the transaction commits.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Question._meta.db_table} WHERE id = %s", [question.pk])
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_question_without_history_can_still_be_deleted(editor_client):
    question = QuestionFactory()
    url = reverse("admin:quizzes_question_delete", args=[question.pk])

    page = editor_client.get(url)
    assert "Are you sure" in page.text
    response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Question.objects.exists()
    assert not KeyPoint.objects.exists()


def test_the_admin_says_why_and_offers_retired(editor_client, practised):
    url = reverse("admin:quizzes_question_delete", args=[practised.pk])

    page = editor_client.get(url)

    assert page.status_code == 200
    assert "cannot be deleted" in page.text
    assert "1 graded answer, 1 scheduling card, 1 practice session place" in page.text
    assert "set its status to Retired instead" in page.text
    assert 'name="post"' not in page.text
    # A forged confirmation deletes nothing either.
    editor_client.post(url, {"post": "yes"})
    assert Question.objects.filter(pk=practised.pk).exists()


def test_the_bulk_delete_says_why_too(editor_client, practised):
    response = editor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "delete_selected", "_selected_action": [practised.pk]},
    )
    assert "Learners&#x27; history: 1 graded answer" in response.text
    assert Question.objects.filter(pk=practised.pk).exists()


def test_retired_is_a_status_next_to_draft_and_published(editor_client, practised):
    page = editor_client.get(reverse("admin:quizzes_question_change", args=[practised.pk]))
    for value, label in [("draft", "Draft"), ("published", "Published"), ("retired", "Retired")]:
        assert f'<option value="{value}"' in page.text and label in page.text

    editor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "retire", "_selected_action": [practised.pk]},
    )

    practised.refresh_from_db()
    assert practised.status == Status.RETIRED


@pytest.mark.parametrize("status", [Status.RETIRED, Status.DRAFT])
@pytest.mark.parametrize("mode", [Mode.DUE, Mode.NEW, Mode.WEAKEST, Mode.RANDOM])
def test_retired_and_unpublished_questions_leave_new_sessions(learner, status, mode):
    kept, leaving = QuestionFactory(), QuestionFactory()
    for question in (kept, leaving):
        session = services.start_session(
            user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
        ).session
        _answer(session, 0, grade=1)
    now = timezone.now()
    Card.objects.update(due=now - timedelta(days=1))
    Question.objects.filter(pk=leaving.pk).update(status=status)
    QuestionFactory()  # a new one, for the modes that want unseen questions

    chosen = selection.choose_questions(user=learner, topics=[], mode=mode, size=10, now=now)

    assert leaving.pk not in chosen
    assert chosen


def test_missed_questions_leave_out_retired_ones(learner):
    first, second = QuestionFactory(), QuestionFactory()
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=2, question_ids=[first.pk, second.pk]
    ).session
    _answer(session, 0, grade=1)
    _answer(session, 1, grade=1)
    Question.objects.filter(pk=first.pk).update(status=Status.RETIRED)

    assert selection.missed_in(session) == [second.pk]


def test_a_running_session_with_a_retired_question_still_finishes(learner_client, learner):
    questions = QuestionFactory.create_batch(2)
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=2, question_ids=[q.pk for q in questions]
    ).session
    Question.objects.filter(pk=questions[1].pk).update(status=Status.RETIRED)
    url = session.get_absolute_url()

    # The learner may still answer it: it is theirs once the session holds it.
    for position in (0, 1):
        learner_client.post(reverse("practice_reveal", args=[session.pk]), {"position": position})
        response = learner_client.post(
            reverse("practice_grade", args=[session.pk]),
            {"position": position, "grade": 3},
            **HTMX,
        )
    assert response.status_code == 200
    assert response["HX-Redirect"] == url

    session.refresh_from_db()
    assert session.is_finished and (session.answered, session.recalled) == (2, 2)
    summary = learner_client.get(url)
    assert "Session complete" in summary.text and "Score: 100%" in summary.text
    assert questions[1].prompt in summary.text


def test_a_finished_session_keeps_its_summary_and_the_dashboard_its_figures(
    learner_client, learner
):
    questions = QuestionFactory.create_batch(3)
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=3, question_ids=[q.pk for q in questions]
    ).session
    for position, grade in enumerate([3, 1, 4]):
        _answer(session, position, grade)
    profile = get_profile(learner)
    before = build_dashboard(user=learner, profile=profile)
    summary_before = _main(learner_client.get(session.get_absolute_url()).text)
    activity_before = list(DailyActivity.objects.values_list("day", "answers", "recalled"))

    Question.objects.filter(pk__in=[q.pk for q in questions[:2]]).update(status=Status.RETIRED)

    after = build_dashboard(user=learner, profile=profile)
    assert _main(learner_client.get(session.get_absolute_url()).text) == summary_before
    assert "Score: 67%" in summary_before
    assert (after.sessions, after.answered, after.recalled) == (
        before.sessions,
        before.answered,
        before.recalled,
    )
    assert after.score_points == before.score_points
    assert after.heatmap == before.heatmap
    assert list(DailyActivity.objects.values_list("day", "answers", "recalled")) == activity_before
    assert Answer.objects.count() == 3
