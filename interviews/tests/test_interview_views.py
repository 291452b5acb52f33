"""The interview pages: start, the card (page and htmx), follow-ups, report, resume."""

import random
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews import services
from interviews.models import Interview
from quizzes.models import Answer, FollowUp, Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _interview(user, **kwargs) -> Interview:
    return services.start_interview(
        user=user, minutes=30, level="medium", rng=random.Random(1), **kwargs
    )


def test_the_header_links_the_start_page_which_starts_an_interview(learner_client, learner):
    topic = TopicFactory(name="Optimisation")
    QuestionFactory.create_batch(6, topic=topic)

    page = learner_client.get(reverse("interview_start"))
    assert 'href="/interview/" aria-current="page">Mock interview</a>' in page.text
    assert "Start interview" in page.text and "30 minutes" in page.text
    response = learner_client.post(
        reverse("interview_start"), {"minutes": "30", "level": "medium", "topics": [topic.pk]}
    )

    interview = Interview.objects.get(user=learner)
    assert response.status_code == 302 and response.url == interview.get_absolute_url()
    assert interview.session.size == 5
    assert list(interview.session.topics.all()) == [topic]


def test_the_start_page_says_each_budget_in_minutes_and_seconds(learner_client):
    html = learner_client.get(reverse("interview_start")).content.decode()

    # 45 minutes: 7 questions of 289 seconds, follow-ups of 120.
    assert (
        "<strong>45 minutes</strong>: 7 questions, 4 min 49 s each, follow-ups 2 min</li>" in html
    )
    assert "seconds" not in html.split('<ul class="help muted small">')[1].split("</ul>")[0]


def test_a_bad_start_shows_the_form_with_its_message(learner_client):
    response = learner_client.post(reverse("interview_start"), {"minutes": "7", "level": "x"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Interview.objects.exists()


def test_no_questions_says_so(learner_client):
    response = learner_client.post(reverse("interview_start"), {"minutes": "30", "level": "easy"})

    assert response.status_code == 400
    assert services.NO_QUESTIONS in response.text


def test_the_card_shows_the_clocks_at_load_and_an_in_progress_interview_is_resumable(
    learner_client, learner
):
    QuestionFactory.create_batch(5)
    interview = _interview(learner)
    step = interview.steps.first()
    step.shown_at = timezone.now() - timedelta(seconds=100)
    step.save()

    page = learner_client.get(interview.get_absolute_url())

    assert "no-store" in page["Cache-Control"]
    assert "Question 1 of 5" in page.text
    # The server's time left: 270 - 100 s, as text for a page without JavaScript. A loaded
    # machine may take seconds between the set-up and the page, so allow for them.
    step_left = re.search(r'data-countdown="(\d+)"[^>]*>(\d+):(\d\d) left on this one<', page.text)
    total_left = re.search(r'data-countdown="(\d+)"[^>]*>(\d+):(\d\d) in all<', page.text)
    for match, most in ((step_left, 170), (total_left, 1800)):
        seconds, minutes, rest = (int(group) for group in match.groups())
        assert most - 20 <= seconds <= most and divmod(seconds, 60) == (minutes, rest)
    assert "Show answer" in page.text
    start = learner_client.get(reverse("interview_start"))
    assert "Resume interview" in start.text and interview.get_absolute_url() in start.text


def _step_of(interview):
    return services.current_step(interview)


def test_reveal_grade_follow_up_and_report_without_javascript(learner_client, learner):
    question = QuestionFactory(key_points=["First", "Second"])
    FollowUp.objects.create(
        question=question, after_missing=2, prompt="Why the second?", answer="R."
    )
    QuestionFactory(key_points=["Only"], difficulty="hard")
    interview = _interview(learner)
    url = interview.get_absolute_url()
    step = _step_of(interview)

    revealed = learner_client.post(
        reverse("interview_reveal", args=[interview.pk]),
        {"position": 0, "step": step.pk, "typed_answer": "My answer"},
    )
    assert revealed.status_code == 302 and revealed.url == url
    card = learner_client.get(url)
    assert "Reference answer" in card.text and "My answer" in card.text
    first = question.key_points.get(text="First")
    graded = learner_client.post(
        reverse("interview_grade", args=[interview.pk]),
        {"position": 0, "step": step.pk, "grade": Grade.HARD, "key_points": [first.pk]},
    )
    assert graded.status_code == 302
    follow = learner_client.get(url)
    assert "Follow-up to question 1" in follow.text and "Why the second?" in follow.text
    follow_step = _step_of(interview)
    learner_client.post(
        reverse("interview_reveal", args=[interview.pk]),
        {"position": 0, "step": follow_step.pk, "typed_answer": "Because"},
    )
    learner_client.post(
        reverse("interview_follow_up", args=[interview.pk]),
        {"step": follow_step.pk, "covered": "yes"},
    )
    assert "Question 2 of 2" in learner_client.get(url).text

    ended = learner_client.post(reverse("interview_end", args=[interview.pk]))

    report_url = reverse("interview_report", args=[interview.pk])
    assert ended.status_code == 302 and ended.url == report_url
    report = learner_client.get(report_url)
    assert "Interview report" in report.text
    assert "Score: 50%" in report.text
    assert "Why the second?" in report.text and "Covered" in report.text
    assert learner_client.get(url).url == report_url
    assert Answer.objects.get(session=interview.session).grade == Grade.HARD


def test_htmx_swaps_the_card_and_follows_to_the_report_at_the_end(learner_client, learner):
    question = QuestionFactory(key_points=["Only"])
    interview = services.start_interview(
        user=learner, minutes=30, level="medium", topics=[question.topic]
    )
    step = _step_of(interview)

    card = learner_client.post(
        reverse("interview_reveal", args=[interview.pk]),
        {"position": 0, "step": step.pk, "typed_answer": ""},
        **HTMX,
    )
    assert card.status_code == 200
    assert card.text.lstrip().startswith('<section id="practice-card"')
    assert "Key points you covered" in card.text
    assert f'hx-post="{reverse("interview_grade", args=[interview.pk])}"' in card.text

    done = learner_client.post(
        reverse("interview_grade", args=[interview.pk]),
        {"position": 0, "step": step.pk, "grade": Grade.GOOD},
        **HTMX,
    )

    assert done["HX-Redirect"] == reverse("interview_report", args=[interview.pk])


def test_a_stale_step_is_not_answered_twice(learner_client, learner):
    QuestionFactory.create_batch(2)
    interview = _interview(learner)
    step = _step_of(interview)
    data = {"position": 0, "step": step.pk, "grade": Grade.GOOD}
    learner_client.post(reverse("interview_reveal", args=[interview.pk]), data)
    learner_client.post(reverse("interview_grade", args=[interview.pk]), data)

    replay = learner_client.post(reverse("interview_grade", args=[interview.pk]), data, follow=True)

    assert "already been answered" in replay.text
    assert Answer.objects.count() == 1


def test_bad_input_gets_its_message(learner_client, learner):
    QuestionFactory.create_batch(2)
    interview = _interview(learner)
    step = _step_of(interview)
    learner_client.post(
        reverse("interview_reveal", args=[interview.pk]), {"position": 0, "step": step.pk}
    )

    response = learner_client.post(
        reverse("interview_grade", args=[interview.pk]),
        {"position": 0, "step": step.pk, "grade": "9"},
        **HTMX,
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert learner_client.post(reverse("interview_grade", args=[interview.pk])).status_code == 400


def test_another_learner_gets_404(client, other_learner, learner):
    QuestionFactory.create_batch(2)
    interview = _interview(learner)
    client.force_login(other_learner)

    for name in ("interview_detail", "interview_report"):
        assert client.get(reverse(name, args=[interview.pk])).status_code == 404
    for name in ("interview_reveal", "interview_grade", "interview_follow_up", "interview_end"):
        assert client.post(reverse(name, args=[interview.pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("interview_start"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_practice_card_of_a_running_interview_sends_to_the_interview(learner_client, learner):
    QuestionFactory.create_batch(2)
    interview = _interview(learner)

    response = learner_client.get(reverse("practice_session", args=[interview.session_id]))

    assert response.url == interview.get_absolute_url()


def test_resume_after_the_length_and_margin_shows_the_report_of_what_was_answered(
    learner_client, learner
):
    QuestionFactory.create_batch(5)
    interview = _interview(learner)

    # Started 46 minutes ago: 30 minutes plus the 15-minute margin are over.
    ago = timedelta(minutes=46)
    Interview.objects.filter(pk=interview.pk).update(
        started_at=interview.started_at - ago, deadline=interview.deadline - ago
    )
    interview.steps.filter(shown_at__isnull=False).update(shown_at=interview.started_at - ago)

    response = learner_client.get(interview.get_absolute_url(), follow=True)

    assert "Interview report" in response.text
    assert "ended itself" in response.text
    interview.refresh_from_db()
    assert interview.ended_automatically


def test_practise_these_starts_a_session_of_the_study_next_questions(learner_client, learner):
    question = QuestionFactory(key_points=["A", "B"])
    interview = _interview(learner)
    step = _step_of(interview)
    services.reveal(interview=interview, step=step, typed_answer="")
    services.grade_question(interview=interview, step=step, grade=Grade.AGAIN, key_point_ids=[])

    response = learner_client.post(reverse("interview_practise", args=[interview.pk]))

    session = PracticeSession.objects.exclude(pk=interview.session_id).get()
    assert response.url == session.get_absolute_url()
    assert session.mode == Mode.MISSED
    assert list(session.items.values_list("question_id", flat=True)) == [question.pk]
