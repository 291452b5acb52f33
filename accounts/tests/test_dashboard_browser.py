import pytest

from conftest import login_in_browser, settle
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finished_session_appears_on_dashboard_with_charts(page, learner):
    QuestionFactory.create_batch(5)
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("Your first session starts here").is_visible()
    page.get_by_role("link", name="Start session").first.click()
    page.get_by_label("Number of questions").select_option("5")
    page.get_by_role("button", name="Start session").click()
    for number, grade in enumerate(["Good", "Good", "Again", "Easy", "Hard"], start=1):
        page.get_by_role("heading", name=f"Question {number} of 5").wait_for()
        settle(page)
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("heading", name="Reference answer").wait_for()
        settle(page)
        page.get_by_role("button", name=grade).click()
    page.get_by_role("heading", name="Session complete").wait_for()
    page.get_by_role("link", name="Back to dashboard").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.get_by_role("cell", name="80%").first.is_visible()
    # The charts are drawn: a score line, heatmap squares for a year, forecast bars.
    assert page.locator("svg polyline.line").count() == 1
    assert page.locator("svg.heatmap rect").count() == 365
    assert page.locator("svg.chart rect.bar").count() >= 14
    box = page.locator("svg.heatmap").bounding_box()
    assert box["width"] > 200 and box["height"] > 50
