"""Form errors returned through htmx (400) in development (DEBUG on), in a real browser.

In DEBUG, django-htmx's script replaces the whole document with any 400/403/404/500 response
to an htmx request (meant for Django's error pages). Our own 400s are fragments with a form's
message, which htmx must swap in place like everywhere else.
"""

import pytest

from conftest import login_in_browser, settle
from quizzes import services
from quizzes.models import Answer, Kind, Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def _drop_400_logs(page):
    # Chromium logs every 4xx response; these were the point of the test.
    page.console_errors[:] = [e for e in page.console_errors if "status of 400" not in e]


def test_a_bad_number_keeps_the_page_in_debug(debug, page, learner):
    question = QuestionFactory(
        kind=Kind.CALCULATION, expected=112, unit="GB", tolerance=0.05, prompt="7B under Adam?"
    )
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    ).session
    login_in_browser(page, learner)
    page.goto(session.get_absolute_url())
    settle(page)
    assert page.locator('script[src*="django-htmx.js"]').count() >= 1  # the debug handler is on
    page.get_by_label("Your number").fill("garbage")
    page.get_by_role("button", name="Show answer").click()
    page.get_by_text("Type a number").first.wait_for()
    settle(page)
    # The page is still ours, with its header, and the card still asks the question.
    assert page.locator("header.site-header").count() == 1
    page.get_by_role("heading", name="Question 1 of 1").wait_for()
    assert page.get_by_label("Your number").input_value() == "garbage"
    assert Answer.objects.count() == 0
    _drop_400_logs(page)


def test_a_note_too_long_keeps_the_page_in_debug(debug, page, learner):
    question = QuestionFactory(prompt="What is layer norm?")
    login_in_browser(page, learner)
    page.goto(f"/questions/{question.topic.slug}/{question.key}/")
    settle(page)
    notes = page.get_by_label("Notes")
    notes.evaluate("area => area.removeAttribute('maxlength')")  # as a pasted or scripted note
    notes.fill("x" * 10_001)
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Keep your note under").wait_for()
    settle(page)
    assert page.locator("header.site-header").count() == 1
    page.get_by_role("heading", name=f"{question.topic.name} question").wait_for()
    page.get_by_text("What is layer norm?").wait_for()
    _drop_400_logs(page)


def test_django_debug_pages_still_take_over_in_debug(debug, page, learner):
    login_in_browser(page, learner)
    page.goto("/practice/")
    settle(page)
    page.evaluate("htmx.ajax('GET', '/no-such-page/', {target: '#main'})")
    # Django's technical 404 page, a whole document, replaces ours (django-htmx's debug script).
    page.get_by_text("Using the URLconf defined in").wait_for()
    assert page.locator("header.site-header").count() == 0
    # Besides the 404 itself, the debug page's inline <style> meets our CSP: expected here.
    page.console_errors[:] = [
        e for e in page.console_errors if "status of 404" not in e and "inline style" not in e
    ]
