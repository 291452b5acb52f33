import re

import pytest
from django.contrib.auth import get_user_model

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a quiet walk by the river"


def test_sign_up_log_out_and_log_in_again(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    # timezone.js filled the hidden field from the browser before we submit.
    assert page.locator('input[name="time_zone"]').input_value() != ""
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign up").click()

    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="newcomer").is_visible()
    user = get_user_model().objects.get(username="newcomer")
    assert user.profile.time_zone == page.evaluate(
        "Intl.DateTimeFormat().resolvedOptions().timeZone"
    )

    nav.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").count()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("newcomer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
