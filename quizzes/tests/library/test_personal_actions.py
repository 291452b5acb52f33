"""What a learner does from the library: bookmark, a private note, reset a question's
schedule, and practise one question or the ones a search or the bookmarks pick."""

import pytest
from django.urls import reverse

from quizzes.library import services as library_services
from quizzes.models import Card, Mode, PracticeSession, UserQuestion
from quizzes.tests.library.helpers import HTMX, grade_in_library, question_url

pytestmark = pytest.mark.django_db


def test_bookmark_toggles_page_and_htmx(learner_client, learner, bank):
    url = question_url(bank["adam"], "bookmark")
    response = learner_client.post(url, {"bookmarked": "1"})
    assert response.status_code == 302 and response["Location"] == question_url(bank["adam"])
    assert UserQuestion.objects.get(user=learner).bookmarked
    response = learner_client.post(url, {"bookmarked": "1"})  # a replay changes nothing
    assert UserQuestion.objects.filter(user=learner, bookmarked=True).count() == 1
    html = learner_client.post(url, {"bookmarked": "0"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="mine"')
    assert "☆ Bookmark" in html and "Bookmark removed." in html
    assert not UserQuestion.objects.get(user=learner).bookmarked
    assert learner_client.post(url, {"bookmarked": "maybe"}).status_code == 400


def test_note_is_sanitised_markdown_and_private(learner_client, learner, other_learner, bank):
    url = question_url(bank["adam"], "note")
    note = "Remember **bias**. <script>alert(1)</script> [x](javascript:alert(1))"
    learner_client.post(url, {"note": note})
    html = learner_client.get(question_url(bank["adam"])).content.decode()
    assert "<strong>bias</strong>" in html
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html
    response = learner_client.post(url, {"note": "x" * 10_001}, **HTMX)
    assert response.status_code == 400 and "Keep your note under" in response.content.decode()
    assert UserQuestion.objects.get(user=learner).note == note
    assert not UserQuestion.objects.filter(user=other_learner).exists()


def test_reset_asks_first_then_forgets_the_schedule(learner_client, learner, bank):
    grade_in_library(learner, bank["adam"], 3)
    url = question_url(bank["adam"], "reset")
    page = learner_client.get(url)
    assert page.status_code == 200 and "Reset your schedule" in page.content.decode()
    assert Card.objects.filter(user=learner).exists()
    response = learner_client.post(url)
    assert response.status_code == 302
    assert not Card.objects.filter(user=learner).exists()
    html = learner_client.get(question_url(bank["adam"])).content.decode()
    assert "Not practised yet" in html and "Your history" in html


def test_practise_now_and_practise_these(learner_client, learner, bank):
    response = learner_client.post(question_url(bank["adam"], "practise_question"))
    session = PracticeSession.objects.get(user=learner)
    assert response["Location"] == session.get_absolute_url()
    assert list(session.items.values_list("question", flat=True)) == [bank["adam"].pk]

    response = learner_client.post(
        reverse("library_practise"), {"topic": "normalisation", "size": 5}
    )
    latest = PracticeSession.objects.filter(user=learner).first()
    assert response["Location"] == latest.get_absolute_url()
    assert latest.mode == Mode.LIBRARY
    assert set(latest.items.values_list("question", flat=True)) == {
        bank["layer_norm"].pk,
        bank["rms"].pk,
    }
    assert list(latest.topics.values_list("slug", flat=True)) == ["normalisation"]


def test_practise_these_from_bookmarks_and_search(learner_client, learner, bank):
    library_services.mark_question(user=learner, question=bank["rms"], bookmarked=True)
    learner_client.post(reverse("library_practise"), {"mine": "bookmarked", "size": 10})
    session = PracticeSession.objects.get(user=learner)
    assert list(session.items.values_list("question", flat=True)) == [bank["rms"].pk]
    learner_client.post(reverse("library_practise"), {"q": "adam", "size": 10})
    session = PracticeSession.objects.filter(user=learner).first()
    assert list(session.items.values_list("question", flat=True)) == [bank["adam"].pk]


def test_practise_these_with_nothing_or_bad_input(learner_client, bank):
    response = learner_client.post(reverse("library_practise"), {"q": "zzzz", "size": 5})
    assert response.status_code == 302
    follow = learner_client.get(response["Location"]).content.decode()
    assert "No questions to practise here" in follow
    response = learner_client.post(reverse("library_practise"), {"size": 7})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_suspending_says_so_once_page_and_htmx(learner_client, learner, bank):
    # The panel's own line says a question is suspended for as long as it is; a notice
    # after the click said nearly the same words a second time.
    url = question_url(bank["adam"], "suspend")
    page = learner_client.post(url, {"suspended": "1"}, follow=True).content.decode()
    fragment = learner_client.post(url, {"suspended": "1"}, **HTMX).content.decode()
    for html in (page, fragment):
        assert html.count("Suspended:") == 1
        assert "left out of every practice mode until you unsuspend it" in html
    page = learner_client.post(url, {"suspended": "0"}, follow=True).content.decode()
    fragment = learner_client.post(url, {"suspended": "0"}, **HTMX).content.decode()
    for html in (page, fragment):
        assert "Suspended:" not in html
        assert html.count("Unsuspended: this question is back in practice.") == 1
