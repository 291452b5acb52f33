"""Fixtures of the practice tests."""

import pytest

from quizzes import services
from quizzes.models import Mode
from quizzes.tests.factories import QuestionFactory


@pytest.fixture
def session(learner):
    """A learner's session of three new questions, at its first."""
    QuestionFactory.create_batch(3)
    return services.start_session(user=learner, mode=Mode.NEW, size=3).session
