"""On a 360 px phone every main destination is reachable from the header, without script too."""

import pytest

from conftest import login_in_browser, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("Mock interview", "/interview/"),
        ("Dashboard", "/dashboard/"),
        ("Profile", "/accounts/profile/"),
    ],
)
def test_the_phone_menu_reaches_every_destination(
    _browser, live_server, learner, javascript, name, path
):
    context = _browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript
    )
    page = context.new_page()
    login_in_browser(page, learner)
    page.goto("/practice/")
    settle(page)
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 70, "the header stays one row"
    page.locator(".nav-menu > summary").click()
    menu_list = page.locator(".nav-menu ul")
    assert menu_list.is_visible()
    box = menu_list.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "the menu fits the screen"
    menu_list.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(f"**{path}")
    context.close()


def test_log_out_from_the_phone_menu(_browser, live_server, learner):
    context = _browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    page.locator(".nav-menu > summary").click()
    page.locator(".nav-menu").get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Log in").first.is_visible()
    context.close()


def test_the_menu_is_not_shown_on_a_wide_screen(page, learner):
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    assert not page.locator(".nav-menu").is_visible()
    assert page.locator(".site-header").get_by_role("link", name="Mock interview").is_visible()
