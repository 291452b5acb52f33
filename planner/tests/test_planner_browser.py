from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from accounts import activity
from accounts.models import Profile
from conftest import login_in_browser, screenshot
from planner.tests.factories import make_card, make_history
from quizzes.models import Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_fits_their_schedule_and_chooses_a_retention(page, learner):
    now = timezone.now()
    make_history(learner, start=now - timedelta(days=200))
    activity.rebuild(user=learner, zone=UTC)
    # Cards for half the questions answered (the rest count as not yet seen), one a leech.
    for index, question in enumerate(Question.objects.order_by("pk")[:40]):
        make_card(
            learner,
            question,
            lapses=7 if index == 0 else 1,
            reviews=9,
            due=now + timedelta(days=index),
            last_review=now - timedelta(days=5),
        )
    Profile.objects.filter(user=learner).update(
        interview_date=timezone.now().date() + timedelta(days=45)
    )
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("new a day").first.is_visible()

    page.goto(page.url.replace("/dashboard/", "/accounts/profile/"))
    page.get_by_label("Desired retention").fill("0.85")
    page.get_by_label("New questions per day").fill("12")
    page.get_by_role("button", name="Save schedule settings").click()
    page.get_by_text("Your schedule settings have been saved.").wait_for()
    assert page.get_by_label("Desired retention").input_value() == "0.85"

    page.get_by_role("button", name="Optimise my schedule").click()
    page.get_by_text("your fitted schedule predicts your recall").wait_for()

    page.get_by_role("link", name="Help me decide").click()
    page.get_by_role("heading", name="Help me decide: desired retention").wait_for()
    assert page.locator("svg.chart rect.bar").count() == 5
    assert page.get_by_role("cell", name="0.85 (yours)").is_visible()
    screenshot(page, "retention-help")

    page.goto(page.url.replace("/schedule/decide/", "/dashboard/"))
    page.get_by_role("heading", name="True retention").wait_for()
