"""The library: list, search, filters, question pages, a learner's own marks, public pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import get_profile
from quizzes import services
from quizzes.library import services as library_services
from quizzes.library.queries import FACETS_KEY
from quizzes.models import Card, Difficulty, Mode, PracticeSession, Status, UserQuestion
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bank():
    norms = TopicFactory(name="Normalisation", slug="normalisation")
    optim = TopicFactory(name="Optimisation", slug="optimisation")
    layer_norm = QuestionFactory(
        key="layer-norm-transformers",
        topic=norms,
        prompt="Why does LayerNorm suit transformers better than BatchNorm?",
        answer="It normalises over the features of each token, so it does not depend on the batch.",
        tags="normalisation, transformers",
        key_points=["Per-token statistics", "No batch dependence"],
    )
    rms = QuestionFactory(
        key="rmsnorm-vs-layernorm",
        topic=norms,
        prompt="How does RMSNorm differ from LayerNorm?",
        answer="RMSNorm drops the mean subtraction and rescales by the root mean square.",
        difficulty=Difficulty.EASY,
        tags="normalisation",
    )
    adam = QuestionFactory(
        key="adam-bias-correction",
        topic=optim,
        prompt="Why does Adam need bias correction?",
        answer="The moment estimates start at zero, so early steps are biased toward zero.",
        difficulty=Difficulty.HARD,
        tags="optimisers",
        key_points=["Moments start at zero", "Divide by one minus beta to the t"],
    )
    draft = QuestionFactory(
        key="draft-question",
        topic=norms,
        prompt="A draft about GroupNorm normalisation",
        answer="Not ready.",
        status=Status.DRAFT,
    )
    return {"layer_norm": layer_norm, "rms": rms, "adam": adam, "draft": draft}


def _question_url(question, suffix=""):
    name = f"library_{suffix}" if suffix else "library_question"
    return reverse(name, args=[question.topic.slug, question.key])


def _grade(user, question, grade, *, typed=""):
    session = services.start_session(
        user=user, mode=Mode.LIBRARY, size=1, question_ids=[question.pk]
    ).session
    item = session.items.get()
    services.reveal(item=item, typed_answer=typed)
    services.record_grade(session=session, item=item, grade=grade, key_point_ids=[])
    return session


# The list and search ----------------------------------------------------------------------


def test_library_lists_every_published_question_to_a_visitor(client, bank):
    response = client.get(reverse("library"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Library</h1>" in html
    assert "3 questions" in html
    for key in ("layer_norm", "rms", "adam"):
        assert _question_url(bank[key]) in html
    assert "GroupNorm" not in html, "a draft is never listed"
    assert "Sign up to practise these" in html
    assert 'name="mine"' not in html, "a visitor has no status to filter by"


@pytest.mark.parametrize("text", ["layer norm", "LAYERNORM", "batch", "per-token", "transform"])
def test_search_finds_prompts_answers_key_points_and_prefixes(client, bank, text):
    html = client.get(reverse("library"), {"q": text}).content.decode()
    assert _question_url(bank["layer_norm"]) in html, text
    assert _question_url(bank["adam"]) not in html


def test_search_by_tag_and_answer_words(client, bank):
    html = client.get(reverse("library"), {"q": "optimisers"}).content.decode()
    assert _question_url(bank["adam"]) in html and "1 question " in html
    html = client.get(reverse("library"), {"q": "root mean square"}).content.decode()
    assert _question_url(bank["rms"]) in html and _question_url(bank["adam"]) not in html


def test_search_highlights_the_match_in_an_excerpt(client, bank):
    html = client.get(reverse("library"), {"q": "batch"}).content.decode()
    assert "<mark>batch</mark>" in html.lower()


def test_search_escapes_what_it_shows(client, bank):
    QuestionFactory(topic=bank["adam"].topic, answer="<script>alert(1)</script> zebra")
    html = client.get(reverse("library"), {"q": "zebra"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>zebra</mark>" in html


def test_search_ranks_prompt_matches_above_answer_matches_on_postgresql(client, bank, is_postgres):
    in_answer = QuestionFactory(
        key="aaa-mentions-adam", topic=bank["adam"].topic, answer="Unlike Adam, SGD has none."
    )
    html = client.get(reverse("library"), {"q": "adam"}).content.decode()
    prompt_match, answer_match = _question_url(bank["adam"]), _question_url(in_answer)
    assert prompt_match in html and answer_match in html
    if is_postgres:
        # Ranked: the prompt weighs more than the answer (SQLite lists in bank order, where
        # "aaa-…" comes first).
        assert html.index(prompt_match) < html.index(answer_match)


@pytest.mark.parametrize("text", ["zzzz", "&|!:*()'", "   "])
def test_search_with_no_match_or_only_operators_is_not_an_error(client, bank, text):
    response = client.get(reverse("library"), {"q": text})
    assert response.status_code == 200
    if text.strip() == "zzzz":
        html = response.content.decode()
        assert "No questions match" in html and "Clear filters" in html


def test_filters_by_topic_difficulty_and_tag(client, bank):
    url = reverse("library")
    html = client.get(url, {"difficulty": "hard"}).content.decode()
    assert _question_url(bank["adam"]) in html and _question_url(bank["rms"]) not in html
    html = client.get(url, {"topic": "normalisation"}).content.decode()
    assert "2 questions" in html and _question_url(bank["adam"]) not in html
    html = client.get(url, {"tag": "transformers"}).content.decode()
    assert _question_url(bank["layer_norm"]) in html and _question_url(bank["rms"]) not in html


def test_bad_filter_values_say_so_with_a_400(client, bank):
    response = client.get(reverse("library"), {"difficulty": "impossible", "q": "x" * 500})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and "Ensure this value has at most" in html


def test_htmx_gets_only_the_results_and_the_response_varies_on_it(client, bank):
    response = client.get(reverse("library"), {"q": "adam"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    restore = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    page = client.get(reverse("library"), {"q": "adam"}, **restore).content.decode()
    assert "<html" in page and "<h1>Library</h1>" in page


def test_pagination_keeps_the_filters(client, bank):
    topic = bank["adam"].topic
    QuestionFactory.create_batch(25, topic=topic)
    html = client.get(reverse("library"), {"topic": topic.slug}).content.decode()
    assert "Page 1 of 2" in html
    assert f"topic={topic.slug}&amp;page=2" in html
    assert client.get(reverse("library"), {"page": "junk"}).status_code == 200


def test_learner_status_filters_and_badges(learner_client, learner, bank):
    _grade(learner, bank["adam"], 1)  # missed, due soon
    library_services.mark_question(user=learner, question=bank["rms"], bookmarked=True)
    url = reverse("library")
    html = learner_client.get(url, {"mine": "bookmarked"}).content.decode()
    assert "1 question" in html and _question_url(bank["rms"]) in html
    html = learner_client.get(url, {"mine": "missed"}).content.decode()
    assert _question_url(bank["adam"]) in html and _question_url(bank["rms"]) not in html
    html = learner_client.get(url, {"mine": "new"}).content.decode()
    assert "2 questions" in html and _question_url(bank["adam"]) not in html
    html = learner_client.get(url, {"mine": "learning"}).content.decode()
    assert _question_url(bank["adam"]) in html
    html = learner_client.get(url).content.decode()
    assert "Missed last time" in html and "Bookmarked" in html and "New" in html


def test_another_learners_marks_never_show(client, learner, other_learner, bank):
    library_services.mark_question(
        user=learner, question=bank["rms"], bookmarked=True, note="Ada's secret note"
    )
    _grade(learner, bank["rms"], 1, typed="Ada typed this")
    client.force_login(other_learner)
    html = client.get(reverse("library"), {"mine": "bookmarked"}).content.decode()
    assert "0 questions" in html
    page = client.get(_question_url(bank["rms"])).content.decode()
    assert "Ada's secret note" not in page and "Ada typed this" not in page
    assert "Bookmarked" not in page and "You have not answered this question yet" in page


# Query counts -----------------------------------------------------------------------------


def _library_queries(client, django_assert_max_num_queries, params, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse("library"), params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "question about"}, {"mine": "due", "q": "what"}])
def test_library_queries_do_not_grow_with_the_bank(
    learner_client, learner, django_assert_max_num_queries, params
):
    topic = TopicFactory()
    QuestionFactory.create_batch(3, topic=topic)
    cache.delete(FACETS_KEY)
    # Session and user; the filter choices (topics, tags; cached after); the count; the
    # page of questions with the learner's card, marks and last grade as subqueries.
    small = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    QuestionFactory.create_batch(40, topic=topic)
    for question in list(topic.questions.all()[:5]):
        _grade(learner, question, 3)
    cache.delete(FACETS_KEY)
    large = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    assert small == large


def test_question_page_queries(learner_client, learner, bank, django_assert_max_num_queries):
    for grade in (1, 3):
        _grade(learner, bank["adam"], grade)
    library_services.mark_question(user=learner, question=bank["adam"], note="mine")
    get_profile(learner)  # made on first use otherwise (three more queries, once)
    # Session, user, question with topic, key points, profile, card, marks, history.
    with django_assert_max_num_queries(8):
        response = learner_client.get(_question_url(bank["adam"]))
    assert response.status_code == 200


# The question page ------------------------------------------------------------------------


def test_question_page_for_a_visitor(client, bank):
    response = client.get(_question_url(bank["adam"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Why does Adam need bias correction?" in html
    assert "<summary" in html and "Show answer" in html
    assert "Moments start at zero" in html
    assert 'itemtype="https://schema.org/Question"' in html
    assert '<link rel="canonical" href="http://testserver/questions/optimisation/adam-bias' in html
    assert '<meta name="description" content="Optimisation interview question' in html
    assert "Your history" not in html and "Save note" not in html
    assert reverse("signup") in html


def test_drafts_and_wrong_topics_are_404(client, learner_client, bank):
    assert client.get(_question_url(bank["draft"])).status_code == 404
    assert learner_client.get(_question_url(bank["draft"])).status_code == 404
    wrong = reverse("library_question", args=["optimisation", bank["rms"].key])
    assert client.get(wrong).status_code == 404
    assert client.get(reverse("library_topic", args=["no-such-topic"])).status_code == 404
    url = _question_url(bank["draft"], "bookmark")
    assert learner_client.post(url, {"bookmarked": "1"}).status_code == 404


def test_topic_page_is_public_with_its_own_title(client, bank):
    html = client.get(reverse("library_topic", args=["normalisation"])).content.decode()
    assert "<h1>Normalisation</h1>" in html and "2 questions" in html
    assert "<title>Normalisation — interview questions · PrepSite</title>" in html
    assert 'itemtype="https://schema.org/Quiz"' in html
    assert "GroupNorm" not in html


def test_question_page_shows_the_learners_history_and_schedule(learner_client, learner, bank):
    _grade(learner, bank["adam"], 1, typed="Because of zeros")
    _grade(learner, bank["adam"], 3)
    html = learner_client.get(_question_url(bank["adam"])).content.decode()
    assert "Your history" in html
    assert "Because of zeros" in html
    assert "Again" in html and "Good" in html
    assert "Next review in" in html
    assert "Chance you recall it now" in html


def test_personal_actions_need_an_account(client, bank):
    for suffix in ("bookmark", "suspend", "note", "reset", "practise_question"):
        response = client.post(_question_url(bank["adam"], suffix), {})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not UserQuestion.objects.exists()


def test_bookmark_toggles_page_and_htmx(learner_client, learner, bank):
    url = _question_url(bank["adam"], "bookmark")
    response = learner_client.post(url, {"bookmarked": "1"})
    assert response.status_code == 302 and response["Location"] == _question_url(bank["adam"])
    assert UserQuestion.objects.get(user=learner).bookmarked
    response = learner_client.post(url, {"bookmarked": "1"})  # a replay changes nothing
    assert UserQuestion.objects.filter(user=learner, bookmarked=True).count() == 1
    html = learner_client.post(url, {"bookmarked": "0"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="mine"')
    assert "☆ Bookmark" in html and "Bookmark removed." in html
    assert not UserQuestion.objects.get(user=learner).bookmarked
    assert learner_client.post(url, {"bookmarked": "maybe"}).status_code == 400


def test_note_is_sanitised_markdown_and_private(learner_client, learner, other_learner, bank):
    url = _question_url(bank["adam"], "note")
    note = "Remember **bias**. <script>alert(1)</script> [x](javascript:alert(1))"
    learner_client.post(url, {"note": note})
    html = learner_client.get(_question_url(bank["adam"])).content.decode()
    assert "<strong>bias</strong>" in html
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html
    response = learner_client.post(url, {"note": "x" * 10_001}, **HTMX)
    assert response.status_code == 400 and "Keep your note under" in response.content.decode()
    assert UserQuestion.objects.get(user=learner).note == note
    assert not UserQuestion.objects.filter(user=other_learner).exists()


def test_reset_asks_first_then_forgets_the_schedule(learner_client, learner, bank):
    _grade(learner, bank["adam"], 3)
    url = _question_url(bank["adam"], "reset")
    page = learner_client.get(url)
    assert page.status_code == 200 and "Reset your schedule" in page.content.decode()
    assert Card.objects.filter(user=learner).exists()
    response = learner_client.post(url)
    assert response.status_code == 302
    assert not Card.objects.filter(user=learner).exists()
    html = learner_client.get(_question_url(bank["adam"])).content.decode()
    assert "Not practised yet" in html and "Your history" in html


def test_practise_now_and_practise_these(learner_client, learner, bank):
    response = learner_client.post(_question_url(bank["adam"], "practise_question"))
    session = PracticeSession.objects.get(user=learner)
    assert response["Location"] == session.get_absolute_url()
    assert list(session.items.values_list("question", flat=True)) == [bank["adam"].pk]

    response = learner_client.post(
        reverse("library_practise"), {"topic": "normalisation", "size": 5}
    )
    latest = PracticeSession.objects.filter(user=learner).first()
    assert response["Location"] == latest.get_absolute_url()
    assert latest.mode == Mode.LIBRARY
    assert set(latest.items.values_list("question", flat=True)) == {
        bank["layer_norm"].pk,
        bank["rms"].pk,
    }
    assert list(latest.topics.values_list("slug", flat=True)) == ["normalisation"]


def test_practise_these_from_bookmarks_and_search(learner_client, learner, bank):
    library_services.mark_question(user=learner, question=bank["rms"], bookmarked=True)
    learner_client.post(reverse("library_practise"), {"mine": "bookmarked", "size": 10})
    session = PracticeSession.objects.get(user=learner)
    assert list(session.items.values_list("question", flat=True)) == [bank["rms"].pk]
    learner_client.post(reverse("library_practise"), {"q": "adam", "size": 10})
    session = PracticeSession.objects.filter(user=learner).first()
    assert list(session.items.values_list("question", flat=True)) == [bank["adam"].pk]


def test_practise_these_with_nothing_or_bad_input(learner_client, bank):
    response = learner_client.post(reverse("library_practise"), {"q": "zzzz", "size": 5})
    assert response.status_code == 302
    follow = learner_client.get(response["Location"]).content.decode()
    assert "No questions to practise here" in follow
    response = learner_client.post(reverse("library_practise"), {"size": 7})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not PracticeSession.objects.exists()


# Public pages and SEO ---------------------------------------------------------------------


def test_home_lets_a_visitor_try_a_sample_question(client, bank):
    html = client.get(reverse("home")).content.decode()
    assert "Try one now, no account needed" in html
    assert "How does RMSNorm differ from LayerNorm?" in html  # the easy one
    assert "<summary" in html and "Show answer" in html
    assert reverse("signup") in html and reverse("library") in html


def test_sitemap_lists_public_pages_and_no_drafts(client, bank):
    response = client.get("/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "http://testserver/questions/optimisation/adam-bias-correction/" in xml
    assert "http://testserver/questions/normalisation/" in xml
    assert "http://testserver/questions/</loc>" in xml
    assert "draft-question" not in xml


def test_robots_txt(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Disallow: /practice/" in text and "Disallow: /accounts/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_public_pages_carry_no_personal_data(client, learner, bank):
    library_services.mark_question(user=learner, question=bank["adam"], note="Ada's note")
    _grade(learner, bank["adam"], 1, typed="Ada typed this")
    for url in (
        reverse("home"),
        reverse("library"),
        reverse("library") + "?q=adam",
        reverse("library_topic", args=["optimisation"]),
        _question_url(bank["adam"]),
        "/sitemap.xml",
    ):
        html = client.get(url).content.decode()
        for private in ("Ada's note", "Ada typed this", "ada@example.com", "Missed last time"):
            assert private not in html, (url, private)
