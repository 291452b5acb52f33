import pytest
from django.urls import reverse

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_with_htmx_and_no_console_errors(page):
    page.goto("/")
    assert page.locator("h1").count() == 1
    assert page.evaluate("typeof window.htmx") == "object"
    screenshot(page, "home")


def test_htmx_swap_works(page, learner):
    """The log-out button and nav work; an htmx GET swaps content without a page load."""
    from conftest import login_in_browser

    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    page.evaluate("window.__marker = 'same page'")
    url = reverse("practice_start")
    page.evaluate(
        """url => new Promise(resolve => {
            const target = document.createElement('div');
            target.id = 'swap-target';
            document.body.appendChild(target);
            document.body.addEventListener('htmx:afterSwap', () => resolve(), {once: true});
            htmx.ajax('GET', url, {target: '#swap-target', select: 'h1'});
        })""",
        url,
    )
    assert page.locator("#swap-target h1").count() == 1
    assert page.evaluate("window.__marker") == "same page"
