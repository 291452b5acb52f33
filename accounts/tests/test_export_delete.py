import datetime
import json
from importlib import import_module

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.export import export_user_data
from accounts.models import DailyActivity, LoginSession, Profile
from accounts.services import delete_account, get_profile
from accounts.tests.factories import PASSWORD
from quizzes.library.services import mark_question
from quizzes.models import Answer, Card, Grade, Mode, PracticeSession, Report, SessionItem
from quizzes.tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    QuestionFactory,
    TopicFactory,
)
from reminders.models import Delivery, ReminderSettings

pytestmark = pytest.mark.django_db

User = get_user_model()
WHEN = datetime.datetime(2030, 3, 4, 10, 30, tzinfo=datetime.UTC)


def practise(user, *, answers=1, topic_slug="optimisation", when=WHEN):
    """A finished session for `user` with `answers` graded questions and all that follows."""
    topic = TopicFactory(slug=topic_slug, name=topic_slug.title())
    session = PracticeSessionFactory(
        user=user, mode=Mode.NEW, size=answers, finished_at=when, answered=answers, recalled=answers
    )
    session.topics.add(topic)
    for position in range(answers):
        question = QuestionFactory(topic=topic)
        points = list(question.key_points.all())
        SessionItem.objects.create(
            session=session,
            question=question,
            position=position,
            revealed_at=when,
            typed_answer=f"my answer {position}",
        )
        AnswerFactory(
            session=session,
            question=question,
            grade=Grade.HARD,
            key_points_ticked=[points[0].pk, points[2].pk],
            typed_answer=f"my answer {position}",
            seconds_to_reveal=40,
            seconds_to_grade=6,
            answered_at=when,
        )
        Card.objects.create(
            user=user,
            question=question,
            state=2,
            step=None,
            stability=3.5,
            difficulty=5.25,
            due=when + datetime.timedelta(days=3),
            last_review=when,
            reviews=1,
            lapses=0,
        )
    DailyActivity.objects.create(user=user, day=when.date(), answers=answers, recalled=answers)
    Report.objects.create(
        question=question, user=user, reason=Report.Reason.UNCLEAR, note="Which beta?"
    )
    return session


class TestExportUserData:
    def test_holds_everything_about_the_learner(self, learner):
        profile = get_profile(learner)
        profile.display_name = "Ada L."
        profile.time_zone = "Europe/London"
        profile.save()
        session = practise(learner)
        answer = Answer.objects.get(user=learner)
        question = answer.question

        data = export_user_data(learner)

        assert data["user"] == {
            "username": "ada",
            "email": "ada@example.com",
            "date_joined": learner.date_joined.isoformat(),
        }
        assert data["profile"] == {
            "display_name": "Ada L.",
            "time_zone": "Europe/London",
            "interview_date": None,
            "daily_goal": 10,
        }
        [exported_session] = data["practice_sessions"]
        assert exported_session["id"] == str(session.pk)
        assert exported_session["mode"] == "new"
        assert exported_session["topics"] == ["optimisation"]
        assert exported_session["size"] == 1
        assert exported_session["started_at"] == session.started_at.isoformat()
        assert exported_session["finished_at"] == WHEN.isoformat()
        assert exported_session["score"] == 100
        assert exported_session["items"][0]["question"] == question.key
        assert exported_session["items"][0]["typed_answer"] == "my answer 0"
        assert data["answers"] == [
            {
                "question": question.key,
                "session": str(session.pk),
                "grade": "Hard",
                "grade_number": 2,
                "key_points_ticked": [f"Point 1 of {question.key}", f"Point 3 of {question.key}"],
                "key_points_suggested": [],
                "typed_answer": "my answer 0",
                "confidence": "",
                "number_correct": None,
                "seconds_to_reveal": 40,
                "seconds_to_grade": 6,
                "answered_at": WHEN.isoformat(),
                "card_before": None,
                "shown_at": None,
            }
        ]
        assert data["cards"] == [
            {
                "question": question.key,
                "state": 2,
                "step": None,
                "stability": 3.5,
                "difficulty": 5.25,
                "due": (WHEN + datetime.timedelta(days=3)).isoformat(),
                "last_review": WHEN.isoformat(),
                "reviews": 1,
                "lapses": 0,
            }
        ]
        assert data["daily_activity"] == [{"day": "2030-03-04", "answers": 1, "recalled": 1}]
        [report] = data["reports"]
        assert report["question"] == question.key
        assert (report["reason"], report["note"], report["resolved_at"]) == (
            "unclear",
            "Which beta?",
            None,
        )
        json.dumps(data)  # ready for the file as it is

    def test_holds_nothing_of_anyone_else(self, learner, other_learner):
        practise(other_learner, topic_slug="transformers")
        question = Answer.objects.get(user=other_learner).question
        mark_question(user=other_learner, question=question, bookmarked=True, note="Grace's")
        data = export_user_data(learner)
        sections = ("practice_sessions", "answers", "cards", "daily_activity", "reports")
        for section in (*sections, "question_marks"):
            assert data[section] == []

    def test_holds_the_learners_bookmarks_and_notes(self, learner):
        practise(learner)
        question = Answer.objects.get(user=learner).question
        mark_question(user=learner, question=question, suspended=True, note="Mine, *mine*")
        [marks] = export_user_data(learner)["question_marks"]
        assert marks["question"] == question.key
        assert (marks["bookmarked"], marks["suspended"], marks["note"]) == (
            False,
            True,
            "Mine, *mine*",
        )

    def test_holds_the_learners_reminder_settings_but_not_the_feed_token(
        self, learner, other_learner
    ):
        ReminderSettings.objects.create(user=learner, daily=True, hour=7, weekly=False)
        ReminderSettings.objects.create(user=other_learner, daily=False, hour=21, weekly=True)
        data = export_user_data(learner)
        assert data["reminders"] == {"daily": True, "hour": 7, "weekly": False}

    def test_reminders_are_none_for_a_learner_who_never_set_them(self, learner):
        assert export_user_data(learner)["reminders"] is None

    def test_holds_the_learners_reminder_emails(self, learner, other_learner):
        day = datetime.date(2026, 11, 30)
        Delivery.objects.create(
            user=learner,
            kind="weekly",
            day=day,
            state="failed",
            attempts=3,
            last_error="SMTP relay refused",
        )
        Delivery.objects.create(
            user=learner, kind="daily", day=day, state="sent", attempts=1, sent_at=WHEN
        )
        Delivery.objects.create(user=other_learner, kind="daily", day=day, state="sent")

        emails = export_user_data(learner)["reminder_emails"]

        assert [(e["kind"], e["day"], e["state"], e["attempts"]) for e in emails] == [
            ("daily", "2026-11-30", "sent", 1),
            ("weekly", "2026-11-30", "failed", 3),
        ]
        assert emails[0]["sent_at"] == WHEN.isoformat()
        assert "SMTP" not in json.dumps(emails)

    def test_holds_when_each_log_in_began_but_not_the_session_key(self, learner, other_learner):
        mine = LoginSession.objects.create(user=learner, session_key="k" * 40)
        LoginSession.objects.create(user=other_learner, session_key="o" * 40)

        data = export_user_data(learner)

        assert data["logged_in_since"] == [mine.created_at.isoformat()]
        assert "k" * 40 not in json.dumps(data)

    def test_a_key_point_deleted_since_is_left_out(self, learner):
        practise(learner)
        answer = Answer.objects.get(user=learner)
        answer.question.key_points.order_by("order").first().delete()
        [exported] = export_user_data(learner)["answers"]
        assert exported["key_points_ticked"] == [f"Point 3 of {answer.question.key}"]

    @pytest.mark.parametrize("answers", [1, 20])
    def test_queries_do_not_grow_with_the_answers(
        self, learner, answers, django_assert_max_num_queries
    ):
        practise(learner, answers=answers)
        practise(
            learner,
            answers=answers,
            topic_slug="transformers",
            when=WHEN + datetime.timedelta(days=1),
        )
        get_profile(learner)  # made at sign-up
        fresh = User.objects.get(pk=learner.pk)
        # profile, sessions, their topics, their items with questions, answers with
        # questions, ticked and suggested key points, key point records with their
        # questions, cards with questions, daily activity, reports, the schedule's
        # syllabus and parameter fits, mock interviews and their steps (none here),
        # bookmarks, suspensions and notes with questions, reminder settings and emails,
        # log-in sessions.
        with django_assert_max_num_queries(18):
            data = export_user_data(fresh)
        assert len(data["answers"]) == 2 * answers
        assert len(data["cards"]) == 2 * answers


class TestExportView:
    def test_downloads_a_json_file(self, learner_client, learner):
        practise(learner)
        response = learner_client.get(reverse("export_data"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="prepsite-export-ada.json"'
        assert "no-cache" in response["Cache-Control"]
        data = json.loads(response.content)
        assert data["user"]["username"] == "ada"
        assert len(data["answers"]) == 1

    def test_post_is_refused(self, learner_client):
        assert learner_client.post(reverse("export_data")).status_code == 405

    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.get(reverse("export_data"))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse('export_data')}"


class TestDeleteAccount:
    def test_removes_the_user_and_all_their_data_and_nobody_elses(self, learner, other_learner):
        practise(learner)
        practise(other_learner, topic_slug="transformers")
        get_profile(learner)
        AccessLog.objects.create(username="ada", ip_address="127.0.0.1", user_agent="x")
        AccessAttempt.objects.create(
            username="ada", ip_address="127.0.0.1", user_agent="x", failures_since_start=1
        )

        delete_account(user=learner)

        assert not User.objects.filter(username="ada").exists()
        for model in (PracticeSession, Answer, Card, DailyActivity, Report, Profile):
            assert not model.objects.filter(user_id=learner.pk).exists(), model
            assert model.objects.filter(user=other_learner).exists() or model is Profile
        assert not SessionItem.objects.filter(session__user_id=learner.pk).exists()
        assert not AccessLog.objects.filter(username="ada").exists()
        assert not AccessAttempt.objects.filter(username="ada").exists()


class TestDeleteView:
    def test_asks_for_the_password(self, learner_client):
        response = learner_client.get(reverse("delete_account"))
        assert response.status_code == 200
        html = response.content.decode()
        assert ">Password</label>" in html
        assert 'class="button button-danger">Delete my account</button>' in html
        assert html.count("<h1") == 1

    def test_right_password_deletes_logs_out_and_says_so(self, learner_client, learner):
        practise(learner)
        response = learner_client.post(
            reverse("delete_account"), {"password": PASSWORD}, follow=True
        )
        assert response.redirect_chain == [(reverse("home"), 302)]
        assert b"Your account and all your data have been deleted." in response.content
        assert SESSION_KEY not in learner_client.session
        assert not User.objects.filter(pk=learner.pk).exists()
        assert not Answer.objects.exists()
        assert not Card.objects.exists()

    @pytest.mark.parametrize("password", ["wrong password", ""])
    def test_wrong_password_deletes_nothing(self, learner_client, learner, password):
        practise(learner)
        response = learner_client.post(reverse("delete_account"), {"password": password})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Your account was not deleted." in html
        assert ("That password is not right." in html) or ("This field is required." in html)
        assert User.objects.filter(pk=learner.pk).exists()
        assert Answer.objects.filter(user=learner).count() == 1
        assert SESSION_KEY in learner_client.session

    def test_anonymous_is_sent_to_log_in(self, client, learner):
        response = client.post(reverse("delete_account"), {"password": PASSWORD})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert User.objects.filter(pk=learner.pk).exists()

    def test_other_methods_are_refused(self, learner_client):
        assert learner_client.put(reverse("delete_account")).status_code == 405

    def test_removes_the_lockout_records_of_any_case(self, client, learner, other_learner):
        learner.username = "Ada"
        learner.save()
        for typed in ("ADA", "Ada@Example.com", "grace"):
            client.post(reverse("login"), {"username": typed, "password": "guess"})
        # django-axes stores the lower-cased username, AccessLog what was typed.
        assert AccessAttempt.objects.filter(username="ada").exists()
        client.force_login(learner)
        assert client.post(reverse("delete_account"), {"password": PASSWORD}).status_code == 302
        assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["grace"]
        assert not AccessLog.objects.filter(username__iexact="ada").exists()

    def test_ends_the_sessions_on_every_device(self, client, learner, other_learner):
        phone, laptop, grace = Client(), Client(), Client()
        phone.post(reverse("login"), {"username": "ada", "password": PASSWORD})
        laptop.force_login(learner)
        grace.force_login(other_learner)
        client.force_login(learner)
        assert phone.get(reverse("dashboard")).status_code == 200
        store = import_module(settings.SESSION_ENGINE).SessionStore
        keys = [c.session.session_key for c in (phone, laptop, client)]
        assert all(store().exists(key) for key in keys)

        client.post(reverse("delete_account"), {"password": PASSWORD})

        assert not any(store().exists(key) for key in keys)
        assert phone.get(reverse("dashboard")).status_code == 302
        assert laptop.get(reverse("dashboard")).status_code == 302
        assert grace.get(reverse("dashboard")).status_code == 200
        assert store().exists(grace.session.session_key)
        assert not LoginSession.objects.filter(user_id=learner.pk).exists()

    def test_logging_out_forgets_the_session(self, client, learner):
        client.force_login(learner)
        assert LoginSession.objects.filter(user=learner).count() == 1
        client.post(reverse("logout"))
        assert not LoginSession.objects.exists()

    def test_a_changed_password_keeps_the_new_session_key_known(self, client, learner):
        client.force_login(learner)
        new = "a brand new passphrase"
        client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        key = client.session.session_key
        assert LoginSession.objects.filter(user=learner, session_key=key).exists()
        client.post(reverse("delete_account"), {"password": new})
        store = import_module(settings.SESSION_ENGINE).SessionStore
        assert not store().exists(key)

    def test_deleted_learner_cannot_log_in_again(self, client, learner):
        client.force_login(learner)
        client.post(reverse("delete_account"), {"password": PASSWORD})
        response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
        assert response.status_code == 200
        assert SESSION_KEY not in client.session


def test_export_handles_a_learner_who_never_practised(learner):
    data = export_user_data(learner)
    assert data["practice_sessions"] == []
    assert data["profile"]["time_zone"] == "UTC"
    assert timezone.is_aware(datetime.datetime.fromisoformat(data["user"]["date_joined"]))
