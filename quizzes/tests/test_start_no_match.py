"""Starting a session whose topic, difficulty and tag together match no question says so,
rather than suggesting another mode, which would find nothing either."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes import services
from quizzes.library import services as library_services
from quizzes.models import Difficulty, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gnn():
    """A topic without any question tagged "adam", which another topic's question is."""
    topic = TopicFactory(name="Graph neural networks")
    QuestionFactory(topic=topic, tags="message passing", difficulty=Difficulty.MEDIUM)
    QuestionFactory(topic=TopicFactory(name="Optimisation"), tags="adam")
    return topic


@pytest.mark.parametrize("mode", ["due", "new", "weakest", "random", "points"])
def test_filters_matching_nothing_together_say_so_in_every_mode(learner_client, gnn, mode):
    response = learner_client.post(
        reverse("practice_start"), {"size": 5, "mode": mode, "topics": [gnn.pk], "tag": "adam"}
    )

    assert response.status_code == 400
    assert services.NO_MATCH in response.text
    assert "Try " not in response.text and services.NO_QUESTIONS[mode] not in response.text
    assert not PracticeSession.objects.exists()


def test_difficulty_matching_nothing_in_the_topic_says_so(learner, gnn):
    with pytest.raises(ValidationError, match="No question matches these filters together"):
        services.start_session(
            user=learner, mode=Mode.DUE, size=5, topics=[gnn], difficulty=Difficulty.HARD
        )


def test_a_learners_suspended_question_does_not_count_as_a_match(learner, gnn):
    QuestionFactory(topic=gnn, tags="adam", difficulty=Difficulty.EASY)
    suspended = QuestionFactory(topic=gnn, tags="adam", difficulty=Difficulty.HARD)
    library_services.mark_question(user=learner, question=suspended, suspended=True)

    with pytest.raises(ValidationError, match="No question matches these filters together"):
        services.start_session(
            user=learner, mode=Mode.RANDOM, size=5, topics=[gnn], tag="adam", difficulty="hard"
        )


def test_filters_that_match_keep_the_modes_own_message(learner_client, gnn):
    # The filters match a question; Weakest finds nothing only for want of history.
    response = learner_client.post(
        reverse("practice_start"),
        {"size": 5, "mode": "weakest", "topics": [gnn.pk], "tag": "message passing"},
    )

    assert response.status_code == 400
    assert services.NO_QUESTIONS[Mode.WEAKEST] in response.text
    assert services.NO_MATCH not in response.text
