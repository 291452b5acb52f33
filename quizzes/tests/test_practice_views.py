"""The practice loop's views: full pages and htmx fragments, 404/400 paths, query counts.

Reports and "Practise missed" are in test_practice_reports, abandoning in
test_practice_abandon; `session` is quizzes/tests/conftest's."""

import uuid

import pytest
from django.urls import reverse

from accounts.services import get_profile
from quizzes import services
from quizzes.models import Answer, Mode, PracticeSession, Report, Status
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, session, *args):
    return reverse(name, args=[session.pk, *args])


def test_start_page_lists_topics_and_options(learner_client):
    QuestionFactory(topic=TopicFactory(name="Optimisation"))
    html = learner_client.get(reverse("practice_start")).content.decode()
    assert "Optimisation" in html
    for text in ("Number of questions", "Due for review", "New questions", "Weakest", "Random"):
        assert text in html
    assert "Start session" in html


def test_topics_without_a_published_question_are_not_offered(learner_client, learner):
    QuestionFactory(topic=TopicFactory(name="Optimisation"))
    empty = TopicFactory(name="Empty topic")
    drafts = TopicFactory(name="Drafts only")
    QuestionFactory(topic=drafts, status=Status.DRAFT)
    html = learner_client.get(reverse("practice_start")).content.decode()
    assert "Optimisation" in html
    assert "Empty topic" not in html and "Drafts only" not in html
    for topic in (empty, drafts):
        response = learner_client.post(
            reverse("practice_start"), {"size": 5, "mode": "new", "topics": [topic.pk]}
        )
        assert response.status_code == 400
        assert "is not one of the available choices" in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_start_creates_session_and_redirects(learner_client, learner):
    QuestionFactory.create_batch(6)
    response = learner_client.post(reverse("practice_start"), {"size": 5, "mode": "random"})
    session = PracticeSession.objects.get(user=learner)
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert session.size == 5


def test_start_with_too_few_questions_says_so(learner_client):
    QuestionFactory.create_batch(2)
    response = learner_client.post(
        reverse("practice_start"), {"size": 10, "mode": "new"}, follow=True
    )
    assert "Only 2 questions qualify" in response.content.decode()


def test_start_with_no_questions_shows_message_and_creates_nothing(learner_client):
    response = learner_client.post(reverse("practice_start"), {"size": 10, "mode": "weakest"})
    assert response.status_code == 400
    assert "answer a few questions first" in response.content.decode()
    assert not PracticeSession.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"size": 7, "mode": "due"}, {"size": 10, "mode": "nonsense"}, {"size": "x"}, {}],
)
def test_start_with_bad_input_is_400_with_message(learner_client, data):
    response = learner_client.post(reverse("practice_start"), data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_anonymous_is_sent_to_login(client, session):
    for url in (reverse("practice_start"), _url("practice_session", session)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "name,method,extra",
    [
        ("practice_missed", "post", ()),
        ("practice_review_question", "get", (0,)),
        ("practice_report", "get", (0,)),
        ("practice_report", "post", (0,)),
    ],
)
def test_anonymous_is_sent_to_login_from_missed_review_and_report(
    client, session, name, method, extra
):
    response = getattr(client, method)(_url(name, session, *extra), {"reason": "wrong"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Report.objects.exists()
    assert PracticeSession.objects.get() == session  # no session of missed questions


@pytest.mark.parametrize(
    "name,method,extra",
    [
        ("practice_session", "get", ()),
        ("practice_reveal", "post", ()),
        ("practice_grade", "post", ()),
        ("practice_missed", "post", ()),
        ("practice_review_question", "get", (0,)),
        ("practice_report", "get", (0,)),
        ("practice_report", "post", (0,)),
    ],
)
def test_another_learner_gets_404_everywhere(client, other_learner, session, name, method, extra):
    client.force_login(other_learner)
    response = getattr(client, method)(_url(name, session, *extra), {"position": 0, "grade": 3})
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_unknown_session_is_404(learner_client):
    response = learner_client.get(reverse("practice_session", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_question_page_full_and_fragment(learner_client, session):
    full = learner_client.get(_url("practice_session", session))
    assert full.status_code == 200
    html = full.content.decode()
    assert "Question 1 of 3" in html and "Show answer" in html and "Your answer" in html
    assert "<html" in html

    fragment = learner_client.get(_url("practice_session", session), **HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'id="practice-card"' in fragment.content.decode()


def test_reveal_then_grade_with_htmx(learner_client, session):
    response = learner_client.post(
        _url("practice_reveal", session), {"position": 0, "typed_answer": "my try"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reference answer" in html and "my try" in html
    for label in ("Again", "Hard", "Good", "Easy", "Key points you covered", "Report a problem"):
        assert label in html
    key_point = session.items.get(position=0).question.key_points.first()
    response = learner_client.post(
        _url("practice_grade", session),
        {"position": 0, "grade": 3, "key_points": [key_point.pk]},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Question 2 of 3" in response.content.decode()
    answer = Answer.objects.get()
    assert answer.grade == 3 and answer.key_points_ticked == [key_point.pk]
    assert answer.typed_answer == "my try"
    assert answer.seconds_to_reveal is not None and answer.seconds_to_grade is not None


def test_grade_without_javascript_redirects_back(learner_client, session):
    response = learner_client.post(_url("practice_grade", session), {"position": 0, "grade": 2})
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()


def test_double_grade_gets_current_state_not_error(learner_client, session):
    data = {"position": 0, "grade": 3}
    learner_client.post(_url("practice_grade", session), data, **HTMX)
    again = learner_client.post(_url("practice_grade", session), data, **HTMX)
    assert again.status_code == 200
    assert "Question 2 of 3" in again.content.decode()
    assert "had already been answered, maybe in another tab" in again.content.decode()
    assert Answer.objects.count() == 1


def test_a_stale_tab_is_told_the_session_moved_on_with_and_without_javascript(
    learner_client, session
):
    learner_client.post(_url("practice_reveal", session), {"position": 0}, **HTMX)
    learner_client.post(_url("practice_grade", session), {"position": 0, "grade": 3}, **HTMX)
    # The other tab still shows question 1 and reveals it.
    stale = learner_client.post(
        _url("practice_reveal", session), {"position": 0, "typed_answer": "Old"}, **HTMX
    )
    assert "Question 2 of 3" in stale.content.decode()
    assert 'role="status">That question had already been answered' in stale.content.decode()
    plain = learner_client.post(_url("practice_reveal", session), {"position": 0}, follow=True)
    assert plain.redirect_chain == [(session.get_absolute_url(), 302)]
    assert "had already been answered, maybe in another tab" in plain.content.decode()
    # The current question is untouched.
    fresh = learner_client.get(session.get_absolute_url()).content.decode()
    assert "Show answer" in fresh and "already been answered" not in fresh


def test_last_grade_sends_htmx_to_summary(learner_client, session):
    for position in range(3):
        response = learner_client.post(
            _url("practice_grade", session),
            {"position": position, "grade": 3 if position else 1},
            **HTMX,
        )
    assert response["HX-Redirect"] == session.get_absolute_url()
    html = learner_client.get(session.get_absolute_url()).content.decode()
    assert "Session complete" in html and "Score: 67%" in html
    assert "Practice missed questions" in html


@pytest.mark.parametrize(
    "data,message",
    [
        ({"position": 0}, "Choose a grade"),
        ({"position": 0, "grade": 9}, "Select a valid choice"),
        ({"position": 0, "grade": "good"}, "Select a valid choice"),
        ({"position": 0, "grade": 3, "key_points": [999999]}, "does not belong"),
        ({"position": 0, "grade": 3, "key_points": ["x"]}, "does not belong"),
        ({"position": 2, "grade": 3}, "not the current one"),
        ({"position": "abc", "grade": 3}, "not the current one"),
        ({"position": "²", "grade": 3}, "not the current one"),
        ({"position": 0, "grade": 3, "typed_answer": "x" * 5001}, "under 5000 characters"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_bad_grade_is_400_with_message(learner_client, session, data, message, htmx):
    headers = HTMX if htmx else {}
    response = learner_client.post(_url("practice_grade", session), data, **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert ("<html" in html) is not htmx
    assert not Answer.objects.exists()


def test_key_point_of_another_question_is_rejected(learner_client, session):
    foreign = QuestionFactory().key_points.first()
    response = learner_client.post(
        _url("practice_grade", session), {"position": 0, "grade": 3, "key_points": [foreign.pk]}
    )
    assert response.status_code == 400


def test_overlong_typed_answer_on_reveal_is_400(learner_client, session):
    response = learner_client.post(
        _url("practice_reveal", session), {"position": 0, "typed_answer": "x" * 6000}, **HTMX
    )
    assert response.status_code == 400
    assert "under 5000 characters" in response.content.decode()


def test_refresh_after_reveal_shows_revealed_card(learner_client, session):
    learner_client.post(_url("practice_reveal", session), {"position": 0, "typed_answer": "abc"})
    html = learner_client.get(_url("practice_session", session)).content.decode()
    assert "Reference answer" in html and "abc" in html


def test_review_question_only_after_grading(learner_client, session):
    url = _url("practice_review_question", session, 1)
    assert learner_client.get(url).status_code == 302  # not graded yet: no peeking
    learner_client.post(_url("practice_grade", session), {"position": 0, "grade": 3})
    learner_client.post(_url("practice_grade", session), {"position": 1, "grade": 4})
    response = learner_client.get(url)
    assert response.status_code == 200
    assert "Easy" in response.content.decode()


def test_grade_loop_query_count_is_constant(
    learner_client, learner, django_assert_max_num_queries, is_postgres
):
    get_profile(learner)  # as sign-up makes it
    QuestionFactory.create_batch(40)
    session = services.start_session(user=learner, mode=Mode.NEW, size=20).session
    for position in range(3):
        # session + user, the practice session with its items, reveal update (and its
        # savepoint and release); the revealed card: key points, and the card with the
        # profile (the learner's scheduler) in one join
        with django_assert_max_num_queries(8):
            learner_client.post(_url("practice_reveal", session), {"position": position}, **HTMX)
        # session + user, the practice session with its items, [the question's key points,
        # when some are ticked, to check them], then the writes.
        ticks = {
            "key_points": [session.items.get(position=position).question.key_points.first().pk]
        }
        # On PostgreSQL the profile and card come with the practice session, and the write,
        # memories of the key points included, is a statement of its own (in this test's
        # transaction, in a savepoint: 2 queries more than a request makes;
        # test_grade_at_once counts without). Elsewhere the profile and the card are locked,
        # [when some are ticked: the memories (locked) and the new memories' insert], then
        # the daily roll-up, card, answer and session counters are written one by one (in a
        # savepoint in this test's transaction: 2 more).
        ticked = 1 if position else 0
        expected = (2 + 1 + ticked + 3) if is_postgres else (5 + 4 + 3 * ticked + 2)
        with django_assert_max_num_queries(expected):
            response = learner_client.post(
                _url("practice_grade", session),
                {"position": position, "grade": 3, **(ticks if position else {})},
                **HTMX,
            )
        assert response.status_code == 200
        # session + user, the practice session with its current item
        with django_assert_max_num_queries(3):
            learner_client.get(_url("practice_session", session))


def test_ticked_key_points_are_checked_in_one_query(
    learner_client, learner, django_assert_max_num_queries, is_postgres
):
    QuestionFactory.create_batch(2, key_points=5)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    ticks = list(session.items.get(position=0).question.key_points.values_list("pk", flat=True))
    # As with one tick: session + user, the practice session with its items, the question's
    # key points (once, for the check and, on SQLite, the memories), and the writes: on
    # PostgreSQL one statement, in a savepoint in this test's transaction; elsewhere the
    # profile and the card (locked), their memories (locked), the new memories' insert, the
    # daily roll-up, card, answer and session counters, in a savepoint here too.
    with django_assert_max_num_queries(7 if is_postgres else 14):
        response = learner_client.post(
            _url("practice_grade", session),
            {"position": 0, "grade": 3, "key_points": ticks},
            **HTMX,
        )
    assert response.status_code == 200
    assert Answer.objects.get().key_points_ticked == sorted(ticks)


@pytest.mark.parametrize(
    "topic", ["99999999999999999999999", "-99999999999999999999", "abc", "1\x00", "²", "٣"]
)
def test_start_with_impossible_topic_id_is_400(learner_client, topic):
    response = learner_client.post(
        reverse("practice_start"), {"size": 5, "mode": "random", "topics": [topic]}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
