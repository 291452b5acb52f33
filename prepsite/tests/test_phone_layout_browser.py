"""Layout in a real browser, on a 390 × 844 phone and a desktop: controls that sit side by
side keep a gap, and read-only fields span their card."""

import pytest

from conftest import login_in_browser, settle
from quizzes.models import Difficulty
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def screen(request, _browser, live_server):
    """A page at each size; console errors fail the test, as with conftest's `page`."""
    context = _browser.new_context(base_url=live_server.url, viewport=request.param)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def test_the_home_pages_sample_keeps_a_gap_between_sign_up_and_the_library_link(screen):
    QuestionFactory(difficulty=Difficulty.EASY)
    screen.goto("/")
    settle(screen)
    screen.locator("details summary").first.click()
    button = screen.locator("details").get_by_role("link", name="Sign up — it is free")
    link = screen.get_by_role("link", name="See this question in the library")
    first, second = button.bounding_box(), link.bounding_box()

    side_by_side = second["y"] < first["y"] + first["height"]
    if side_by_side:
        assert second["x"] - (first["x"] + first["width"]) >= 8
    else:
        assert second["y"] - (first["y"] + first["height"]) >= 8


def test_the_calendar_address_spans_its_card(screen, learner):
    login_in_browser(screen, learner)
    screen.goto("/accounts/profile/")
    settle(screen)
    field = screen.locator("input.calendar-url")
    card = screen.locator("section", has=field)
    inner = card.evaluate(
        "el => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft)"
        " - parseFloat(getComputedStyle(el).paddingRight)"
    )

    assert field.bounding_box()["width"] >= inner - 1
    assert field.evaluate("el => el.readOnly")
