"""The automatic re-fit after each session: it counts only the answers since the last fit,
so deciding not to fit stays cheap however long the learner's history is."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner import optimiser, services
from planner.models import ParameterFit
from planner.tests.factories import make_history
from quizzes.models import Answer, PracticeSession

pytestmark = pytest.mark.django_db
FITTED_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # after the whole made-up history


def _answers_after_the_fit(user, count: int) -> None:
    # Reviews of the history's questions a day apart, one session each (a session holds
    # a question once), after the fit and after any answers before them.
    answers = Answer.objects.filter(user=user)
    questions = sorted(set(answers.values_list("question_id", flat=True)))
    start = max(FITTED_AT, answers.latest("answered_at").answered_at)
    sessions = PracticeSession.objects.bulk_create(
        PracticeSession(user=user, mode="due", size=1) for _ in range(count)
    )
    Answer.objects.bulk_create(
        Answer(
            user=user,
            session=session,
            question_id=questions[index % len(questions)],
            grade=3,
            answered_at=start + timedelta(days=1 + index // len(questions), minutes=index),
        )
        for index, session in enumerate(sessions)
    )


def test_a_refit_comes_after_refit_every_answers_since_the_last_fit(learner):
    make_history(learner)
    assert services.optimise(user=learner, now=FITTED_AT, force=False) is not None

    _answers_after_the_fit(learner, optimiser.REFIT_EVERY - 1)
    assert services.optimise(user=learner, now=FITTED_AT, force=False) is None
    _answers_after_the_fit(learner, 1)
    refit = services.optimise(user=learner, now=FITTED_AT + timedelta(days=1), force=False)

    assert refit is not None and ParameterFit.objects.count() == 2


def test_deciding_not_to_refit_reads_a_bounded_count(learner):
    make_history(learner)
    services.optimise(user=learner, now=FITTED_AT)

    with CaptureQueriesContext(connection) as queries:
        assert services.optimise(user=learner, now=FITTED_AT, force=False) is None

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # One count, of the answers since the fit and no more than REFIT_EVERY of them, not
    # of the whole history (hundreds of answers here, tens of thousands for some).
    assert len(counts) == 1
    assert f"LIMIT {optimiser.REFIT_EVERY}" in counts[0] and "answered_at" in counts[0]
