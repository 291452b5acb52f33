"""A library search is shared and kept in history by a short address: no `topic=` and the
like for filters left at "All" (issue #15), with JavaScript (htmx) or without."""

import pytest
from django.urls import reverse

from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = "q=adam&topic=&difficulty=&tag=&mine="


@pytest.fixture
def adam(db):
    return QuestionFactory(
        topic=TopicFactory(slug="optimisation"), prompt="Why does Adam need bias correction?"
    )


def test_without_javascript_the_form_lands_on_the_short_address(client, adam):
    response = client.get(f"{reverse('library')}?{FORM}")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('library')}?q=adam"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "1 question for “adam”" in page.text


def test_htmx_pushes_the_short_address(client, adam):
    response = client.get(f"{reverse('library')}?{FORM}", **HTMX)

    assert response.status_code == 200 and "1 question for “adam”" in response.text
    assert response["HX-Push-Url"] == f"{reverse('library')}?q=adam"


def test_every_filter_left_at_all_is_the_library_itself(client, adam):
    response = client.get(f"{reverse('library')}?q=&topic=&difficulty=&tag=")
    assert response["Location"] == reverse("library")


def test_what_is_chosen_stays_in_its_order_and_a_short_address_is_left_alone(client, adam):
    url = reverse("library")
    response = client.get(f"{url}?tag=&topic=optimisation&q=bias+correction&page=1")
    assert response["Location"] == f"{url}?topic=optimisation&q=bias+correction&page=1"
    clean = client.get(response["Location"], **HTMX)
    assert clean.status_code == 200 and "HX-Push-Url" not in clean
    assert client.get(f"{url}?q=adam").status_code == 200
