"""Project-wide fixtures: learners, an editor, clients, and a real browser."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to be called from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL and Redis: they run in .ci/run's second pass."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers spend ~0.3 s on purpose; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Tasks run in the test's own thread and transaction; reminders/tests has one
    # test that goes through the real database backend and worker instead.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _cache_per_worker(settings, worker_id):
    # Each xdist worker has its own database but all share one Redis (sessions too): a
    # worker's keys get their own prefix, so neither its cached values nor its clearing
    # reach another worker's.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{worker_id}"}
        for name, config in settings.CACHES.items()
    }


def clear_cache() -> None:
    """Empty the cache of this test run's worker; with Redis, only its own keys (clear()
    would empty the whole Redis database, the other workers' sessions with it)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from quizzes.models.questions import _cached_html

    # The rendered questions this process keeps in front of the cache go with it.
    _cached_html.cache_clear()
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache(_cache_per_worker):
    # The cache outlives a test's database rollback; ids are reused between tests.
    yield
    clear_cache()


@pytest.fixture
def learner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="ada")


@pytest.fixture
def other_learner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="grace")


@pytest.fixture
def editor(db):
    from accounts.tests.factories import EditorFactory

    return EditorFactory(username="editor")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def is_postgres(db):
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def _browser():
    """One headless Debian Chromium for the whole run; under CI=true it must start."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev requirements install it
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does it)")
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser context per test; console errors fail the test at teardown."""
    yield from checked_page(_browser, live_server, viewport={"width": 1280, "height": 900})


def checked_page(browser, live_server, **context_options):
    """For a page fixture: a page in a fresh context (`context_options`: its viewport...),
    whose console errors (`page.console_errors`, a test may drop the expected ones) fail
    the test at teardown."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def screenshot(page, name: str) -> None:
    """Save a screenshot for the README when PREPSITE_SCREENSHOTS names a folder."""
    folder = os.environ.get("PREPSITE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def settle(page) -> None:
    """Wait until the page is at rest: loaded, no htmx swap in flight, math typeset, web fonts in.

    htmx wires up the hx-* attributes of swapped-in content only when the swap settles (20 ms
    later), so a click in between is a plain form post and a full page load. Tests that check
    the in-place path call this after each swap.
    """
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added,"
        " .math:not([data-rendered])')"
    )
    page.evaluate("document.fonts.ready.then(() => true)")


def login_in_browser(page, user, password="correct horse battery staple"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
