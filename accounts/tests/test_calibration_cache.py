"""The dashboard's calibration is computed once per learner until their next answer (it
aggregates every answer they gave), and an answer or an undo shows at once."""

import pytest
from django.urls import reverse

from accounts import calibration as calibration_module
from quizzes import services
from quizzes.models import Confidence, Grade, Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _sure_grade(session, position, grade):
    item = session.items.get(position=position)
    services.reveal(item=item, typed_answer="", confidence=Confidence.SURE)
    services.record_grade(session=session, item=item, grade=grade, key_point_ids=[])
    session.refresh_from_db()


def test_calibration_is_kept_until_the_next_answer_or_undo(
    learner_client, learner, monkeypatch, django_capture_on_commit_callbacks
):
    QuestionFactory.create_batch(3)
    session = services.start_session(user=learner, mode=Mode.NEW, size=3).session
    _sure_grade(session, 0, Grade.GOOD)
    computed = []
    real = calibration_module.calibration
    monkeypatch.setattr(
        calibration_module, "calibration", lambda user: computed.append(1) or real(user)
    )

    def sure_percent():
        page = learner_client.get(reverse("dashboard"))
        levels = {level.confidence: level for level in page.context["calibration"].levels}
        return levels[Confidence.SURE].percent

    assert sure_percent() == 100 and sure_percent() == 100
    assert len(computed) == 1  # the second view read it from the cache

    _sure_grade(session, 1, Grade.AGAIN)
    assert sure_percent() == 50 and len(computed) == 2

    # Undo and grade the same question again, now recalled: as many answers as before the
    # undo, so only the schedule version (moved by the undo) tells the two apart.
    with django_capture_on_commit_callbacks(execute=True):
        services.undo_last_grade(session=session)
    session.refresh_from_db()
    _sure_grade(session, 1, Grade.GOOD)
    assert sure_percent() == 100 and len(computed) == 3
