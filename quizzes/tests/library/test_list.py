"""The library's list: search, filters, htmx results, pagination, the learner's own status,
and queries that do not grow with the bank."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from quizzes.library import services as library_services
from quizzes.library.queries import FACETS_KEY, LibraryFilter, ranked_key
from quizzes.models import Question, Status
from quizzes.tests.factories import QuestionFactory, TopicFactory
from quizzes.tests.library.helpers import HTMX, grade_in_library, question_url

pytestmark = pytest.mark.django_db


def test_library_lists_every_published_question_to_a_visitor(client, bank):
    response = client.get(reverse("library"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Library</h1>" in html
    assert "3 questions" in html
    for key in ("layer_norm", "rms", "adam"):
        assert question_url(bank[key]) in html
    assert "GroupNorm" not in html, "a draft is never listed"
    assert "Sign up to practise these" in html
    assert 'name="mine"' not in html, "a visitor has no status to filter by"


@pytest.mark.parametrize("text", ["layer norm", "LAYERNORM", "batch", "per-token", "transform"])
def test_search_finds_prompts_answers_key_points_and_prefixes(client, bank, text):
    html = client.get(reverse("library"), {"q": text}).content.decode()
    assert question_url(bank["layer_norm"]) in html, text
    assert question_url(bank["adam"]) not in html


def test_search_by_tag_and_answer_words(client, bank):
    html = client.get(reverse("library"), {"q": "optimisers"}).content.decode()
    assert question_url(bank["adam"]) in html and "1 question " in html
    html = client.get(reverse("library"), {"q": "root mean square"}).content.decode()
    assert question_url(bank["rms"]) in html and question_url(bank["adam"]) not in html


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
    prompt_match, answer_match = question_url(bank["adam"]), question_url(in_answer)
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
    assert question_url(bank["adam"]) in html and question_url(bank["rms"]) not in html
    html = client.get(url, {"topic": "normalisation"}).content.decode()
    assert "2 questions" in html and question_url(bank["adam"]) not in html
    html = client.get(url, {"tag": "transformers"}).content.decode()
    assert question_url(bank["layer_norm"]) in html and question_url(bank["rms"]) not in html


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
    grade_in_library(learner, bank["adam"], 1)  # missed, due soon
    library_services.mark_question(user=learner, question=bank["rms"], bookmarked=True)
    url = reverse("library")
    html = learner_client.get(url, {"mine": "bookmarked"}).content.decode()
    assert "1 question" in html and question_url(bank["rms"]) in html
    html = learner_client.get(url, {"mine": "missed"}).content.decode()
    assert question_url(bank["adam"]) in html and question_url(bank["rms"]) not in html
    html = learner_client.get(url, {"mine": "new"}).content.decode()
    assert "2 questions" in html and question_url(bank["adam"]) not in html
    html = learner_client.get(url, {"mine": "learning"}).content.decode()
    assert question_url(bank["adam"]) in html
    html = learner_client.get(url).content.decode()
    assert "Missed last time" in html and "Bookmarked" in html and "New" in html


def test_another_learners_marks_never_show(client, learner, other_learner, bank):
    library_services.mark_question(
        user=learner, question=bank["rms"], bookmarked=True, note="Ada's secret note"
    )
    grade_in_library(learner, bank["rms"], 1, typed="Ada typed this")
    client.force_login(other_learner)
    html = client.get(reverse("library"), {"mine": "bookmarked"}).content.decode()
    assert "0 questions" in html
    page = client.get(question_url(bank["rms"])).content.decode()
    assert "Ada's secret note" not in page and "Ada typed this" not in page
    assert "Bookmarked" not in page and "You have not answered this question yet" in page


# Query counts -----------------------------------------------------------------------------


def _forget_cached_reads(params):
    # Not cache.clear(): with Redis the cache also holds the learners' log-in sessions.
    cache.delete(FACETS_KEY)
    cache.delete(ranked_key(LibraryFilter(text=params.get("q", ""))))


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
    _forget_cached_reads(params)
    # Session and user; the filter choices (topics, tags) and the ranked ids, both cached
    # after (with "mine", the count instead); the page of questions with the learner's
    # card, marks and last grade as subqueries.
    small = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    QuestionFactory.create_batch(40, topic=topic)
    for question in list(topic.questions.all()[:5]):
        grade_in_library(learner, question, 3)
    _forget_cached_reads(params)
    large = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    assert small == large


def test_a_repeated_search_is_not_ranked_again_and_shows_the_questions_as_they_are_now(
    learner_client, learner, django_assert_max_num_queries
):
    topic = TopicFactory()
    first, second = QuestionFactory.create_batch(2, topic=topic, prompt="What is dropout?")
    params = {"q": "dropout"}
    learner_client.get(reverse("library"), {"q": "what"})  # the filter choices are cached
    first_time = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    # The ranking is cached: as you type, the same words come back again and again.
    again = _library_queries(learner_client, django_assert_max_num_queries, params, 8)
    assert again == first_time - 1
    # What the page shows is read afresh: a retired question is gone at once, and the
    # learner's own state is theirs as of now.
    Question.objects.filter(pk=first.pk).update(status=Status.RETIRED)
    grade_in_library(learner, second, 1)
    page = learner_client.get(reverse("library"), params).content.decode()
    assert question_url(first) not in page and question_url(second) in page
    assert page.count('class="library-prompt"') == 1
    assert "Missed last time" in page
