"""The library in a real browser: search as you type, bookmark, take a note, practise the
result and undo a grade; and the same search without JavaScript."""

import re

import pytest

from conftest import login_in_browser, screenshot, settle
from quizzes.models import Answer, Card, PracticeSession, UserQuestion
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(db):
    norms = TopicFactory(name="Normalisation", slug="normalisation")
    optim = TopicFactory(name="Optimisation", slug="optimisation")
    QuestionFactory(
        key="layer-norm-transformers",
        topic=norms,
        prompt="Why does LayerNorm suit transformers better than BatchNorm?",
        answer="It normalises over the features of each token, so it does not depend on the "
        "batch size or on the other sequences in the batch.",
        tags="normalisation, transformers",
        key_points=["Per-token statistics", "No batch dependence"],
    )
    QuestionFactory(
        key="adam-bias-correction",
        topic=optim,
        prompt="Why does Adam need bias correction?",
        answer="The moments start at zero, so divide by $1-\\beta_1^t$.",
        key_points=["Moments start at zero", "Divide by 1 - beta^t"],
    )
    QuestionFactory.create_batch(6, topic=optim)
    return {"norms": norms}


def test_search_bookmark_note_practise_and_undo(page, learner, bank):
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Library").first.click()
    page.get_by_role("heading", name="Library").wait_for()
    page.evaluate("window.__noReload = true")
    page.get_by_label("Search").press_sequentially("layer nor", delay=30)
    # Results follow the typing (htmx, debounced) and the address can be shared.
    page.get_by_text("1 question for “layer nor”").wait_for()
    # Only what was chosen: no `topic=` and the like for filters left at "All".
    page.wait_for_function("() => location.search === '?q=layer+nor'")
    assert page.evaluate("window.__noReload === true")
    settle(page)
    screenshot(page, "library-search")

    page.get_by_role("link", name="Why does LayerNorm suit transformers").click()
    page.get_by_role("heading", name="Normalisation question").wait_for()
    answer = page.get_by_text("It normalises over the features")
    assert not answer.is_visible(), "the answer is behind Show answer"
    page.get_by_text("Show answer").click()
    assert answer.is_visible()

    page.get_by_role("button", name="☆ Bookmark").click()
    page.get_by_role("button", name="★ Bookmarked").wait_for()
    page.get_by_label("Notes").fill("Think **per token**, not per batch.")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Note saved.").wait_for()
    assert page.locator(".note strong").text_content() == "per token"
    marks = UserQuestion.objects.get(user=learner)
    assert marks.bookmarked and marks.note == "Think **per token**, not per batch."
    settle(page)
    screenshot(page, "library-question")

    # Practise the bookmarks from the library.
    page.goto("/questions/?mine=bookmarked")
    page.get_by_text("1 question", exact=True).wait_for()
    page.get_by_role("button", name="Practise these").click()
    page.get_by_role("heading", name="Question 1 of 1").wait_for()
    settle(page)
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("heading", name="Reference answer").wait_for()
    settle(page)
    page.get_by_role("button", name="Good").click()
    page.get_by_role("heading", name="Session complete").wait_for()
    assert Answer.objects.filter(user=learner).count() == 1

    # Undo from the keyboard: the grade, and the card it made, are gone.
    settle(page)
    page.keyboard.press("u")
    page.get_by_role("heading", name="Question 1 of 1").wait_for()
    page.get_by_text("Your last grade was undone").wait_for()
    assert not Answer.objects.filter(user=learner).exists()
    assert not Card.objects.filter(user=learner).exists()
    assert PracticeSession.objects.get(user=learner).answered == 0


def test_search_without_javascript(_browser, live_server, bank):
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/questions/")
        page.get_by_label("Search").fill("adam")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/questions/\?q=adam$"))
        page.get_by_text("1 question for “adam”").wait_for()
        page.get_by_role("link", name="Why does Adam need bias correction?").click()
        page.get_by_text("Show answer").click()  # <details> needs no script
        assert page.get_by_text("The moments start at zero").is_visible()
        assert page.get_by_role("link", name="Sign up — it is free").is_visible()
    finally:
        context.close()


def test_a_search_as_you_type_typesets_the_maths_of_its_results(page, bank):
    page.goto("/questions/")
    page.get_by_label("Search").press_sequentially("bias corr", delay=30)
    page.get_by_text("1 question for “bias corr”").wait_for()
    # The excerpt's formula, swapped in by htmx, is typeset by KaTeX like the question page's.
    page.locator("#results .excerpt .katex").first.wait_for()
    assert "$" not in page.locator("#results").inner_text()
