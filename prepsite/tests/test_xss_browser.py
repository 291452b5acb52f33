"""Cross-site scripting payloads in everything a person can write, checked in a real browser.

The payloads (after OWASP's XSS filter evasion cheat sheet) go into question prompts, answers,
key points, topics and sources (editors), typed answers, display names, report notes and
notes on questions (learners), and searches of the library. A learner then practises,
reveals, reads the summary and the review pages and sends reports, and reads the library and
their question pages; an editor opens the admin pages that show all of it.

Two layers keep script out: escaping and sanitising on the server, and the Content-Security-
Policy in the browser. The learner's and editor's pages are checked with the policy switched off
(`bypass_csp`), so escaping alone must hold, and the learner's once more with it on. Passing
means: no dialog opened, no element carries an event-handler attribute, no javascript:/data:
address or frame was injected, and no htmx attribute came in with the text.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import Profile
from conftest import login_in_browser, screenshot
from quizzes import services
from quizzes.library.services import mark_question
from quizzes.models import Mode, Report
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;">',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '"><script>alert(1)</script>',
    "'-alert(1)-'",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](javascript:alert(1))",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div hx-post="/accounts/logout/" hx-trigger="load">x</div>',
    "$\\href{javascript:alert(1)}{x}$",
]

# Run in the page: every trace an injection would leave in the DOM.
FIND_INJECTIONS = """() => {
  const found = [];
  const bad = /^(javascript|vbscript|data:text\\/html)/;
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data'].includes(name)) {
        const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
        if (name === 'srcdoc' || bad.test(value)) found.push(`${el.tagName} ${name}=${attr.value}`);
      }
      if (name === 'hx-trigger' && attr.value.includes('load')) found.push(`${el.tagName} ${name}`);
    }
  }
  for (const el of document.querySelectorAll('iframe, frame, object, embed, base')) {
    found.push(el.tagName);
  }
  for (const script of document.querySelectorAll('script:not([src])')) {
    const type = (script.type || 'text/javascript').toLowerCase();
    if (type.includes('javascript') || type === 'module') found.push('inline script');
  }
  return found;
}"""


class Watch:
    """A browser context that records dialogs and CSP reports instead of failing on them."""

    def __init__(self, browser, base_url: str, *, bypass_csp: bool):
        self.context = browser.new_context(
            base_url=base_url, bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.visited = 0

        def on_dialog(dialog):
            self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message!r}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        # Time for anything queued (onload, autofocus, htmx "load" triggers, KaTeX) to run.
        self.page.wait_for_timeout(150)
        assert self.page.locator("[onerror],[onload],[onclick]").count() == 0, where
        injected = self.page.evaluate(FIND_INJECTIONS)
        assert injected == [], f"{where}: {injected}"
        assert self.dialogs == [], f"{where}: {self.dialogs}"
        self.visited += 1

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        self.check(url)

    def close(self):
        self.context.close()


@pytest.fixture
def watch(_browser, live_server):
    opened = []

    def open_context(*, bypass_csp: bool) -> Watch:
        opened.append(Watch(_browser, live_server.url, bypass_csp=bypass_csp))
        return opened[-1]

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def payload_bank(db):
    """One published question per payload: prompt, answer, a key point and the source."""
    topic = TopicFactory(name="<img src=x onerror=alert('topic')>", slug="xss")
    return [
        QuestionFactory(
            topic=topic,
            key=f"xss-{number}",
            prompt=f"{payload}\n\nQuestion {number} asks about this.",
            answer=f"Reference: {payload}\n\n{payload}",
            source=payload[:300],
            key_points=[payload[:140], f"Point {number}"],
        )
        for number, payload in enumerate(PAYLOADS)
    ]


@pytest.fixture
def learner_with_payload_name(learner):
    Profile.objects.update_or_create(
        user=learner, defaults={"display_name": "<svg onload=alert('name')>"}
    )
    return learner


def _session_with_payloads(learner):
    """A finished session whose typed answers are the payloads, and a report on each question."""
    session = services.start_session(user=learner, mode=Mode.RANDOM, size=len(PAYLOADS)).session
    for item in session.items.select_related("question").order_by("position"):
        payload = PAYLOADS[item.position % len(PAYLOADS)]
        services.reveal(item=item, typed_answer=payload)
        session.refresh_from_db()
        points = [kp.pk for kp in item.question.key_points.all()][:1]
        grade = 1 if item.position % 2 else 3
        services.record_grade(
            session=session, item=item, grade=grade, key_point_ids=points, typed_answer=payload
        )
        services.report_question(
            user=learner, question=item.question, reason=Report.Reason.OTHER, note=payload
        )
    session.refresh_from_db()
    assert session.is_finished
    return session


def test_learner_types_payloads_through_a_whole_session(
    watch, payload_bank, learner_with_payload_name
):
    """Escaping alone (CSP off): practise 20 payload questions, typing a payload each time."""
    learner = learner_with_payload_name
    browser = watch(bypass_csp=True)
    page = browser.page
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    browser.check("dashboard")

    page.goto("/practice/")
    page.get_by_label("Number of questions").select_option("20")
    page.get_by_label("Random", exact=True).check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url("**/practice/*/")
    session_url = page.url

    for number in range(1, 21):
        page.get_by_role("heading", name=f"Question {number} of 20").wait_for()
        browser.check(f"card {number}")
        page.get_by_label("Your answer").fill(PAYLOADS[number % len(PAYLOADS)])
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("heading", name="Reference answer").wait_for()
        browser.check(f"revealed {number}")
        if number == 1:
            screenshot(page, "xss-revealed")
        page.get_by_role("button", name="Again" if number % 2 else "Good").click()
    page.get_by_role("heading", name="Session complete").wait_for()
    browser.check("summary")
    assert "Score: 50%" in page.content()

    for position in range(20):
        browser.visit(f"{session_url}questions/{position}/")
    for position in (0, 7, 13):
        page.goto(f"{session_url}questions/{position}/report/")
        browser.check(f"report form {position}")
        page.get_by_label("Something else").check()
        page.get_by_label("Note for the editors").fill(PAYLOADS[position])
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url(session_url)
        browser.check(f"after report {position}")

    browser.visit("/dashboard/")
    browser.visit("/accounts/profile/")
    # The htmx payload would have logged the learner out: they are still in.
    assert (
        page.get_by_role("navigation", name="Main")
        .get_by_role("button", name="Log out")
        .is_visible()
    )
    assert Report.objects.filter(user=learner).count() == 3
    assert browser.visited >= 50


def test_learner_pages_with_payloads_under_the_real_policy(
    watch, payload_bank, learner_with_payload_name
):
    """The same pages with CSP on, as deployed: nothing runs and nothing trips the policy."""
    learner = learner_with_payload_name
    session = _session_with_payloads(learner)
    browser = watch(bypass_csp=False)
    login_in_browser(browser.page, learner)
    browser.page.wait_for_url("**/dashboard/")
    browser.check("dashboard")
    browser.visit(session.get_absolute_url())
    for position in range(session.size):
        browser.visit(reverse("practice_review_question", args=[session.pk, position]))
    browser.visit(reverse("practice_report", args=[session.pk, 0]))
    browser.visit(reverse("profile"))
    # KaTeX colours the TeX it cannot parse (the \href payload) with a style attribute, which
    # style-src 'self' blocks: a cosmetic refusal, not script. Any other refusal means script
    # or a frame reached the page and only the policy stopped it.
    blocked = [
        error
        for error in browser.errors
        if "Content Security Policy" in error and "Applying inline style" not in error
    ]
    assert blocked == [], "an injection reached the page and only CSP stopped it"


def test_editor_pages_with_payloads(watch, payload_bank, learner_with_payload_name, editor):
    """Escaping alone (CSP off): the admin's question, preview, report and topic pages."""
    _session_with_payloads(learner_with_payload_name)
    browser = watch(bypass_csp=True)
    login_in_browser(browser.page, editor)
    browser.page.wait_for_url("**/dashboard/")
    browser.visit(reverse("admin:quizzes_question_changelist"))
    browser.visit(reverse("admin:quizzes_question_changelist") + "?q=alert")
    for question in payload_bank:
        browser.visit(reverse("admin:quizzes_question_change", args=[question.pk]))
    browser.visit(reverse("admin:quizzes_report_changelist"))
    for report in Report.objects.all()[:5]:
        browser.visit(reverse("admin:quizzes_report_change", args=[report.pk]))
    browser.visit(reverse("admin:quizzes_topic_changelist"))
    browser.visit(reverse("admin:quizzes_topic_change", args=[payload_bank[0].topic_id]))
    assert browser.visited >= len(PAYLOADS) + 6


def test_library_pages_with_payloads(watch, payload_bank, learner_with_payload_name):
    """Escaping alone (CSP off): the public library, search excerpts (with their
    formulas), searches for the payloads themselves, and a learner's notes and history."""
    learner = learner_with_payload_name
    _session_with_payloads(learner)
    for number, question in enumerate(payload_bank):
        mark_question(user=learner, question=question, bookmarked=True, note=PAYLOADS[number])
    browser = watch(bypass_csp=True)
    library = reverse("library")
    pages = [
        reverse("home"),
        library,
        f"{library}?q=reference",  # an excerpt of every payload answer
        reverse("library_topic", args=["xss"]),
        *(f"{library}?{urlencode({'q': payload[:200]})}" for payload in PAYLOADS),
    ]
    for url in pages:
        browser.visit(url)
    login_in_browser(browser.page, learner)
    browser.page.wait_for_url("**/dashboard/")
    browser.visit(f"{library}?mine=bookmarked&q=reference")
    for question in payload_bank:
        browser.visit(reverse("library_question", args=["xss", question.key]))
    assert browser.visited >= 2 * len(PAYLOADS) + 5
