"""A broad search counts no further than the paginator's cap: counting every match would
cost as much as ranking them all."""

import pytest
from django.urls import reverse

from quizzes.library.queries import CappedPaginator
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_a_count_past_the_cap_says_more_than(client, monkeypatch):
    QuestionFactory.create_batch(5, prompt="What does layer norm normalise over?")
    monkeypatch.setattr(CappedPaginator, "cap", 3)

    page = client.get(reverse("library"), {"q": "layer norm"})

    assert "More than 3 questions" in page.text
    assert page.context["page"].paginator.count == 4  # the cap and one more, no further
    assert page.context["page"].paginator.num_pages == 1


def test_a_count_within_the_cap_is_exact(client):
    QuestionFactory.create_batch(2, prompt="What does layer norm normalise over?")

    page = client.get(reverse("library"), {"q": "layer norm"})

    assert "2 questions" in page.text and "More than" not in page.text
