"""Which topics are offered: one rule (Topic.objects.with_published_questions) for the
practice and interview forms, the library's topic filter and the sitemap."""

import pytest

from interviews.forms import StartInterviewForm
from quizzes.forms import StartSessionForm
from quizzes.library.queries import facets
from quizzes.library.sitemaps import TopicSitemap
from quizzes.models import Status
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_a_topic_without_a_published_question_is_offered_nowhere():
    live = QuestionFactory().topic
    QuestionFactory(status=Status.DRAFT)
    QuestionFactory(status=Status.RETIRED)
    TopicFactory()  # no question at all
    # Two published questions must not list their topic twice.
    QuestionFactory(topic=live)

    offered = {
        "practice": list(StartSessionForm().fields["topics"].queryset),
        "interview": list(StartInterviewForm().fields["topics"].queryset),
        "library": [slug for slug, _ in facets()["topics"]],
        "sitemap": list(TopicSitemap().items()),
    }

    assert offered == {
        "practice": [live],
        "interview": [live],
        "library": [live.slug],
        "sitemap": [live],
    }
