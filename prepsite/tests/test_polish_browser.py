"""Polish for people, checked in a real browser on every main page.

- axe-core finds no serious or critical accessibility violation, in the light and the dark scheme;
- at 360 × 740 (a small phone) no page scrolls sideways and the grade buttons are easy to tap;
- a cold load of the practice card stays under 150 KB compressed and talks only to our host;
- the practice card works from the keyboard, and htmx swaps move focus and announce progress.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect
from whitenoise.compress import Compressor

from accounts.models import Profile
from conftest import checked_page, login_in_browser, screenshot, settle
from quizzes import services
from quizzes.models import Difficulty, Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed by `npm ci` (the Makefile's assets target, which `make test` runs), pinned in
# package-lock.json like KaTeX.
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 360, "height": 740}
TRANSFER_BUDGET = 150_000  # bytes, compressed, for a cold load of one practice card
MATH_PROMPT = "Why does Adam need **bias correction** when $x$ is small?"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (npm ci installs axe-core)")
    return AXE_JS.read_text()


@pytest.fixture
def bank(db):
    """Five questions; the one with math and code is the only easy one, so "New questions"
    (easiest first) always shows it first."""
    topic = TopicFactory(name="Optimisation", slug="optimisation")
    math = QuestionFactory(
        topic=topic,
        difficulty=Difficulty.EASY,
        prompt=MATH_PROMPT,
        answer="The moments start at zero, so divide by $1-\\beta_1^t$:\n\n"
        "$$\\hat m_t = \\frac{m_t}{1-\\beta_1^t}$$\n\n"
        "```python\n# correct the first moment\nm_hat = m / (1 - b1**t)\n```",
        key_points=["Moments start at zero", "Early estimates are biased", "Divide by 1 - beta^t"],
    )
    plain = QuestionFactory.create_batch(4, topic=topic)
    return {"math": math, "plain": plain}


@pytest.fixture
def phone(_browser, live_server):
    """A small touch phone; console errors fail the test, as with conftest's `page`."""
    yield from checked_page(_browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


def _build_history(user, questions):
    """Six finished sessions over the past weeks, so the charts have something to draw."""
    grades = [Grade.GOOD, Grade.AGAIN, Grade.EASY, Grade.HARD, Grade.GOOD, Grade.GOOD]
    ids = [q.pk for q in questions]
    for weeks_ago in range(6, 0, -1):
        start = timezone.now() - timedelta(weeks=weeks_ago)
        started = services.start_session(
            user=user, mode=Mode.RANDOM, size=3, question_ids=ids[:3], now=start
        )
        session = started.session
        PracticeSession.objects.filter(pk=session.pk).update(started_at=start)
        for position, item in enumerate(session.items.order_by("position")):
            grade = grades[(weeks_ago + position) % len(grades)]
            services.record_grade(
                session=session,
                item=item,
                grade=grade,
                key_point_ids=[],
                now=start + timedelta(minutes=2 * (position + 1)),
            )


def _tour(page, learner, bank, visit):
    """Walk through every main page as a newcomer and then as a learner; call
    `visit(name)` on each once it has settled."""
    page.goto("/")
    visit("landing")
    page.goto("/accounts/signup/")
    visit("signup")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("This field is required.").first.wait_for()
    visit("signup-errors")
    page.goto("/accounts/login/")
    visit("login")
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    visit("dashboard-empty")

    page.goto("/practice/")
    visit("practice-start")
    page.get_by_label("Number of questions").select_option("5")
    page.get_by_label("New questions", exact=True).check()
    page.get_by_role("button", name="Start session").click()
    for number, grade in enumerate(["Hard", "Good", "Again", "Easy", "Good"], start=1):
        page.get_by_role("heading", name=f"Question {number} of 5").wait_for()
        settle(page)
        if number == 1:
            assert page.get_by_text("bias correction").is_visible()
            page.locator(".katex").first.wait_for()
            # Typeset once: a second pass would read KaTeX's output as TeX ("xxx").
            assert page.locator(".prompt annotation").text_content() == "x"
            visit("question")
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("heading", name="Reference answer").wait_for()
        settle(page)
        if number == 1:
            page.locator(".katex-display").wait_for()
            visit("revealed")
        page.get_by_role("button", name=grade).click()
    page.get_by_role("heading", name="Session complete").wait_for()
    page.locator("td .katex").wait_for()
    assert page.locator("td annotation").text_content() == "x"
    visit("summary")
    page.get_by_role("link", name="See again question 1").click()
    page.get_by_role("heading", name="Question 1 of 5").wait_for()
    visit("review-question")

    _build_history(learner, bank["plain"])
    Profile.objects.filter(user=learner).update(
        interview_date=timezone.localdate() + timedelta(days=30)
    )
    page.goto("/dashboard/")
    page.get_by_role("heading", name="Readiness", exact=False).wait_for()
    visit("dashboard")
    page.goto("/accounts/profile/")
    visit("profile")
    page.goto("/questions/?q=moments")
    visit("library-search")
    page.locator(".library-prompt").first.click()
    page.get_by_text("Show answer").click()
    visit("library-question")


AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(result =>
    result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ")),
    })))"""


def _axe(page, axe_source):
    # add_script_tag would insert a <script> element, which our CSP (script-src 'self'
    # 'nonce-…') refuses. evaluate() runs through the DevTools protocol, which CSP does not
    # govern, so axe is defined on the page as it is. A full page load forgets it; an htmx
    # swap does not.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    return page.evaluate(AXE_RUN)


def test_every_main_page_passes_axe_in_light_and_dark(page, learner, bank, axe_source):
    failures, notes, audited = [], [], []

    def audit(name):
        settle(page)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            assert dark == (scheme == "dark")
            for v in _axe(page, axe_source):
                line = f"{name} [{scheme}] {v['impact']} {v['id']}: {v['help']} — {v['nodes'][:5]}"
                (failures if v["impact"] in FAILING_IMPACTS else notes).append(line)
        page.emulate_media(color_scheme="light")
        audited.append(name)
        if name == "dashboard":
            # Every chart is an image with a name that says what it shows.
            charts = page.locator("svg.chart")
            assert charts.count() == 4
            for i in range(charts.count()):
                assert charts.nth(i).get_attribute("role") == "img"
                assert charts.nth(i).locator("title").first.text_content().strip()

    _tour(page, learner, bank, audit)

    print("\n".join(["axe, not failing:", *notes]) if notes else "axe: nothing to note")
    assert len(audited) == 14
    assert not failures, "axe violations:\n" + "\n".join(failures)


def _phone_screenshot(phone, name):
    """A full-page screenshot as the phone shows it. Left to itself, a full-page screenshot
    stretches the viewport without mobile emulation, and (hover: none) stops matching."""
    height = phone.evaluate("document.documentElement.scrollHeight")
    phone.set_viewport_size({"width": PHONE["width"], "height": max(height, PHONE["height"])})
    screenshot(phone, name)
    phone.set_viewport_size(PHONE)


OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5)
        .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
}"""


def test_phone_pages_do_not_scroll_sideways_and_grades_are_easy_to_tap(phone, learner, bank):
    sideways, visited = [], []

    def check(name):
        settle(phone)
        scroll, client = phone.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert client == PHONE["width"]
        if scroll > client:
            sideways.append(f"{name}: {scroll} px wide, from {phone.evaluate(OVERFLOWING)}")
        if name in ("summary", "dashboard"):
            # Each table's last column (its links and buttons) is on screen, not scrolled away.
            for table in phone.locator("main table:visible").all():
                cell = table.locator("tbody tr").first.locator("td").last
                box = cell.locator("a, button").first.bounding_box()
                assert box["x"] + box["width"] <= PHONE["width"], (
                    f"{name}: {table.locator('th').first.inner_text()} table too wide"
                )
        # The header is one row (44 px targets and padding), not two.
        header = phone.locator(".site-header").bounding_box()["height"]
        assert header < 70, f"{name}: the header is {header} px tall"
        if name == "revealed":
            buttons = phone.locator(".grades button")
            assert buttons.count() == 4
            for i in range(4):
                box = buttons.nth(i).bounding_box()
                assert box["height"] >= 44, f"grade button {i + 1} is {box['height']} px tall"
                assert box["width"] >= 44
            # No keyboard on a phone, so no keyboard hints.
            assert not phone.locator(".shortcuts").is_visible()
        visited.append(name)

    _tour(phone, learner, bank, check)

    assert len(visited) == 14
    assert not sideways, "pages wider than the phone:\n" + "\n".join(sideways)


COMPRESSOR = Compressor(quiet=True)


def _transfer(response) -> tuple[int, int]:
    """Bytes this response costs on the wire in production: (brotli, gzip) variants.

    The live server sends everything uncompressed, so the test compresses each body the way
    whitenoise's CompressedManifestStaticFilesStorage does at collectstatic: brotli and gzip
    at whitenoise's levels, skipping already compressed types (woff2, images) and keeping a
    compressed file only when it saves 5 %. A current browser over HTTPS takes the brotli one;
    the gzip figure is for older clients. The HTML document counts uncompressed: Django does
    not compress it (no GZipMiddleware), whatever a proxy in front may do. Headers count too.
    """
    headers = response.request.sizes()["responseHeadersSize"]
    body = response.body()
    path = urlsplit(response.url).path
    if response.request.resource_type == "document" or not COMPRESSOR.should_compress(path):
        return headers + len(body), headers + len(body)

    def smaller(compressed: bytes) -> int:
        return len(compressed) if len(compressed) <= 0.95 * len(body) else len(body)

    return (
        headers + smaller(COMPRESSOR.compress_brotli(body)),
        headers + smaller(COMPRESSOR.compress_gzip(body)),
    )


def _cold_load(_browser, live_server, state, url, *, wait_for=None):
    """Load `url` in a fresh context (empty cache) and account for every response."""
    context = _browser.new_context(base_url=live_server.url, storage_state=state)
    page = context.new_page()
    requests, responses, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: responses.append(response))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    if wait_for:
        page.locator(wait_for).first.wait_for()
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    rows = sorted(((*_transfer(r), urlsplit(r.url).path) for r in responses), reverse=True)
    context.close()
    assert not errors
    return requests, rows


def test_practice_card_cold_load_is_small_and_stays_on_our_host(
    _browser, live_server, learner, bank
):
    def session_url(first):
        questions = [first, *(q for q in bank["plain"] if q != first)][:5]
        started = services.start_session(
            user=learner, mode=Mode.RANDOM, size=5, question_ids=[q.pk for q in questions]
        )
        return started.session.get_absolute_url()

    plain_url = session_url(bank["plain"][0])
    math_url = session_url(bank["math"])

    context = _browser.new_context(base_url=live_server.url)
    login_page = context.new_page()
    login_in_browser(login_page, learner)
    login_page.wait_for_url("**/dashboard/")
    state = context.storage_state()
    context.close()

    # Production serves brotli only if the package is there (requirements.txt pins it).
    assert COMPRESSOR.use_brotli
    host = urlsplit(live_server.url).netloc
    totals = {}
    for name, url, wait_for in [("plain", plain_url, None), ("math", math_url, ".katex")]:
        requests, rows = _cold_load(_browser, live_server, state, url, wait_for=wait_for)
        foreign = [u for u in requests if urlsplit(u).netloc != host]
        assert not foreign, f"requests to other hosts: {foreign}"
        totals[name] = sum(br for br, _, _ in rows)
        gzipped = sum(gz for _, gz, _ in rows)
        print(f"\n{name} practice card, cold load: {totals[name] / 1000:.1f} KB with brotli")
        print(f"  ({gzipped / 1000:.1f} KB with gzip only), {len(rows)} responses:")
        for br, gz, path in rows:
            print(f"  {br / 1000:6.1f} KB (gzip {gz / 1000:6.1f} KB)  {path}")
        assert totals[name] <= TRANSFER_BUDGET, f"{name}: {totals[name]} bytes: {rows}"
    # A card without math loads no KaTeX at all.
    assert totals["plain"] < 40_000


def test_practice_card_from_the_keyboard(page, learner, bank):
    started = services.start_session(
        user=learner,
        mode=Mode.RANDOM,
        size=5,
        question_ids=[q.pk for q in [*bank["plain"], bank["math"]]],
    )
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    page.goto(started.session.get_absolute_url())
    settle(page)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(15):
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
        page.keyboard.press("Tab")
    answer_box = page.get_by_label("Your answer")
    expect(answer_box).to_be_focused()
    page.keyboard.type("The first moment starts at zero")
    page.keyboard.press("Tab")
    show = page.get_by_role("button", name="Show answer")
    expect(show).to_be_focused()
    # The focus ring is visible (app.css's :focus-visible outline).
    assert show.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert show.evaluate("el => parseFloat(getComputedStyle(el).outlineWidth)") >= 2

    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Reference answer").wait_for()
    settle(page)
    heading = page.locator("#card-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_text("Question 1 of 5")

    page.keyboard.press("3")  # Good
    page.get_by_role("heading", name="Question 2 of 5").wait_for()
    expect(heading).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Question 2 of 5")
    assert page.locator("#announcer").count() == 1
