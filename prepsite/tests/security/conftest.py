"""The world the security tests request against: learner A with a practice session and an
interview under way, and learner B."""

import pytest

from accounts.models import Profile
from interviews.services import start_interview
from quizzes import services
from quizzes.models import Mode
from quizzes.tests.factories import QuestionFactory


@pytest.fixture
def world(learner, other_learner):
    """Learner A (ada) with a session of 3 questions, the first graded Again; B is grace."""
    QuestionFactory.create_batch(4)
    session = services.start_session(user=learner, mode=Mode.NEW, size=3).session
    item = session.items.get(position=0)
    services.reveal(item=item, typed_answer="A first try")
    services.record_grade(session=session, item=item, grade=1, key_point_ids=[])
    session.refresh_from_db()
    Profile.objects.create(user=learner, display_name="Ada L.")
    Profile.objects.create(user=other_learner, display_name="Grace H.")
    interview = start_interview(user=learner, minutes=30, level="medium")
    return {
        "a": learner,
        "b": other_learner,
        "session": session,
        "interview": interview,
        "question": item.question,
    }
