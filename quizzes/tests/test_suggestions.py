"""Practice: suggested key points pre-ticked and stored, confidence, calculation reveals."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer, Kind, Mode, PracticeSession, SessionItem
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, session):
    return reverse(name, args=[session.pk])


@pytest.fixture
def dropout(learner):
    question = QuestionFactory(
        prompt="What does dropout do at test time?",
        key_points=["Dropout is disabled at test time", "Activations are scaled by 1/(1-p)"],
    )
    point = question.key_points.last()
    point.aliases = "inverted dropout"
    point.save()
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    return question, session


def test_suggested_points_are_pre_ticked_and_stored_beside_the_choice(learner_client, dropout):
    question, session = dropout
    first, second = question.key_points.all()
    response = learner_client.post(
        _url("practice_reveal", session),
        {"position": 0, "typed_answer": "It uses inverted dropout.", "confidence": "sure"},
        follow=True,
    )
    html = response.text
    assert f'value="{second.pk}" checked data-suggested-point' in html
    assert f'value="{first.pk}">' in html  # not ticked
    assert "suggested</span>" in html
    assert "(1 of 2)" in html
    item = SessionItem.objects.get(session=session)
    assert item.key_points_suggested == [second.pk]
    # The learner disagrees: ticks the first point instead. Their choice is what counts.
    learner_client.post(
        _url("practice_grade", session), {"position": 0, "grade": 2, "key_points": [first.pk]}
    )
    answer = Answer.objects.get()
    assert answer.key_points_ticked == [first.pk]
    assert answer.key_points_suggested == [second.pk]
    assert answer.confidence == "sure"


def test_nothing_is_suggested_without_a_typed_answer(learner_client, dropout):
    _, session = dropout
    response = learner_client.post(
        _url("practice_reveal", session), {"position": 0, "typed_answer": ""}, **HTMX
    )
    assert "data-suggested-point" not in response.text
    assert SessionItem.objects.get(session=session).key_points_suggested == []


def test_confidence_is_remembered_for_the_session(learner_client, learner):
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    page = learner_client.get(_url("practice_session", session)).text
    assert "How sure are you?" in page and 'data-shortcut="q"' in page
    assert 'id="id_confidence_2" checked' not in page
    learner_client.post(_url("practice_reveal", session), {"position": 0, "confidence": "guessing"})
    learner_client.post(_url("practice_grade", session), {"position": 0, "grade": 1})
    session.refresh_from_db()
    assert session.confidence == "guessing"
    page = learner_client.get(_url("practice_session", session)).text
    assert 'value="guessing" id="id_confidence_2" checked data-shortcut="e"' in page


def test_an_unknown_confidence_is_a_400(learner_client, dropout):
    _, session = dropout
    response = learner_client.post(
        _url("practice_reveal", session), {"position": 0, "confidence": "certain"}, **HTMX
    )
    assert response.status_code == 400
    assert SessionItem.objects.get(session=session).revealed_at is None


@pytest.fixture
def calculation(learner):
    QuestionFactory(
        kind=Kind.CALCULATION,
        expected=112,
        unit="GB",
        tolerance=0.05,
        prompt="Memory of a 7B model under Adam, in GB?",
        answer="16 bytes per parameter.",
        key_points=["16 bytes per parameter", "7e9 x 16 bytes = 112 GB"],
    )
    return services.start_session(user=learner, mode=Mode.NEW, size=1).session


def _reveal(client, session, typed):
    return client.post(
        _url("practice_reveal", session), {"position": 0, "typed_answer": typed}, **HTMX
    )


def test_a_calculation_asks_for_a_number_with_its_unit(learner_client, calculation):
    page = learner_client.get(_url("practice_session", calculation)).text
    assert "Your number" in page and 'inputmode="decimal"' in page
    assert '<span class="unit">GB</span>' in page


def test_a_right_number_is_correct_and_good_is_suggested(learner_client, calculation):
    response = _reveal(learner_client, calculation, "112000 MB")
    assert "Correct: 112 GB." in response.text
    assert "Worked solution" in response.text
    assert 'grade-good suggested"' in response.text
    learner_client.post(_url("practice_grade", calculation), {"position": 0, "grade": 3})
    assert Answer.objects.get().number_correct is True


def test_a_wrong_number_says_what_was_expected_and_suggests_again(learner_client, calculation):
    response = _reveal(learner_client, calculation, "56 GB")
    assert "Expected 112 GB, you said 56 GB." in response.text
    assert 'grade-again suggested"' in response.text
    learner_client.post(_url("practice_grade", calculation), {"position": 0, "grade": 1})
    assert Answer.objects.get().number_correct is False


def test_the_boundary_of_the_tolerance_is_correct(learner_client, calculation):
    assert "Correct" in _reveal(learner_client, calculation, "106.4").text


def test_an_unreadable_number_is_a_400_with_a_message(learner_client, calculation):
    response = _reveal(learner_client, calculation, "about a hundred")
    assert response.status_code == 400
    assert "Type a number, such as 112 or 1.2e9." in response.text
    assert 'value="about a hundred"' in response.text
    assert SessionItem.objects.get().revealed_at is None
    # Without JavaScript too: the full page, the same message.
    response = learner_client.post(
        _url("practice_reveal", calculation), {"position": 0, "typed_answer": "7 apples"}
    )
    assert response.status_code == 400
    assert "<h1" in response.text and "is not a unit this question takes" in response.text


def test_no_number_typed_shows_the_expected_one(learner_client, calculation):
    assert (
        "You did not type a number. Expected 112 GB."
        in _reveal(learner_client, calculation, "").text
    )
    assert PracticeSession.objects.get().pk == calculation.pk


def test_the_typed_number_is_parsed_once_per_request(learner_client, calculation, monkeypatch):
    from quizzes import numbers

    calls = []
    parse = numbers.parse_number
    monkeypatch.setattr(numbers, "parse_number", lambda *args: calls.append(args) or parse(*args))
    assert "Correct: 112 GB." in _reveal(learner_client, calculation, "112 GB").text
    assert len(calls) == 1  # checked for the reveal, shown on the card
    calls.clear()
    learner_client.post(_url("practice_grade", calculation), {"position": 0, "grade": 3})
    assert len(calls) == 1  # kept on the answer
    assert Answer.objects.get().number_correct is True
