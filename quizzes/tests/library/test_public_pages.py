"""Public pages and SEO: the home page's sample question, the sitemap, robots.txt, and no
personal data on a public page."""

import pytest
from django.urls import reverse

from quizzes.library import services as library_services
from quizzes.tests.library.helpers import grade_in_library, question_url

pytestmark = pytest.mark.django_db


def test_home_lets_a_visitor_try_a_sample_question(client, bank):
    html = client.get(reverse("home")).content.decode()
    assert "Try one now, no account needed" in html
    assert "How does RMSNorm differ from LayerNorm?" in html  # the easy one
    assert "<summary" in html and "Show answer" in html
    assert reverse("signup") in html and reverse("library") in html


def test_sitemap_lists_public_pages_and_no_drafts(client, bank):
    response = client.get("/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "http://testserver/questions/optimisation/adam-bias-correction/" in xml
    assert "http://testserver/questions/normalisation/" in xml
    assert "http://testserver/questions/</loc>" in xml
    assert "draft-question" not in xml


def test_robots_txt(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Disallow: /practice/" in text and "Disallow: /accounts/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_public_pages_carry_no_personal_data(client, learner, bank):
    library_services.mark_question(user=learner, question=bank["adam"], note="Ada's note")
    grade_in_library(learner, bank["adam"], 1, typed="Ada typed this")
    for url in (
        reverse("home"),
        reverse("library"),
        reverse("library") + "?q=adam",
        reverse("library_topic", args=["optimisation"]),
        question_url(bank["adam"]),
        "/sitemap.xml",
    ):
        html = client.get(url).content.decode()
        for private in ("Ada's note", "Ada typed this", "ada@example.com", "Missed last time"):
            assert private not in html, (url, private)
