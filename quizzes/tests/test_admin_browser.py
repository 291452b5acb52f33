"""An editor previews an unsaved edit in a real browser: maths typeset, code highlighted."""

import pytest
from django.urls import reverse

from conftest import login_in_browser
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_of_unsaved_changes_typesets_maths_and_saves_nothing(page, editor):
    question = QuestionFactory(prompt="Saved prompt", answer="Saved answer")
    # Django's admin pages link no favicon, so Chromium asks for /favicon.ico and logs the
    # 404 as a console error: not this feature's concern.
    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    # The preview opens in a tab of its own: its console errors count too (CSP refusals).
    errors = []
    page.context.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login_in_browser(page, editor)
    page.wait_for_url("**/dashboard/")
    page.goto(reverse("admin:quizzes_question_change", args=[question.pk]))
    page.locator("#id_prompt").fill("Unsaved: what is $\\alpha^2$?")
    page.locator("#id_answer").fill("```python\nx = 1\n```\n\n$$\\frac{a}{b}$$")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview unsaved changes").click()
    preview = opened.value
    preview.wait_for_load_state("load")
    preview.locator("#preview-prompt .katex").first.wait_for()

    assert "Unsaved: what is" in preview.locator("#preview-prompt").inner_text()
    assert preview.locator("#preview-answer .katex-display").count() == 1
    assert preview.locator("#preview-answer .highlight, #preview-answer pre").count() >= 1
    question.refresh_from_db()
    assert question.prompt == "Saved prompt"
    assert errors == []
