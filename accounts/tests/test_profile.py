import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from accounts.services import get_profile, update_profile
from quizzes import services
from quizzes.models import Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


INTERVIEW_DAY = datetime.date.today() + datetime.timedelta(days=100)


def profile_data(**overrides):
    data = {
        "display_name": "Ada L.",
        "email": "ada.l@example.com",
        "time_zone": "Europe/London",
        "interview_date": INTERVIEW_DAY.isoformat(),
        "daily_goal": "25",
    }
    data.update(overrides)
    return data


def _days(user) -> list[tuple]:
    return list(DailyActivity.objects.filter(user=user).values_list("day", "answers", "recalled"))


class TestGetProfile:
    def test_makes_a_profile_with_defaults_for_a_user_without_one(self, editor):
        assert not Profile.objects.filter(user=editor).exists()
        profile = get_profile(editor)
        assert profile.pk is not None
        assert (profile.time_zone, profile.daily_goal, profile.interview_date) == ("UTC", 10, None)

    def test_returns_the_existing_profile(self, learner):
        first = get_profile(learner)
        first.daily_goal = 42
        first.save()
        fresh = User.objects.get(pk=learner.pk)
        assert get_profile(fresh).pk == first.pk
        assert get_profile(fresh).daily_goal == 42
        assert Profile.objects.filter(user=learner).count() == 1


class TestUpdateProfile:
    def test_saves_user_and_profile(self, learner):
        update_profile(
            user=learner,
            email="new@example.com",
            display_name="Ada",
            time_zone="Asia/Tokyo",
            interview_date=datetime.date(2999, 1, 1),
            daily_goal=50,
        )
        learner.refresh_from_db()
        profile = Profile.objects.get(user=learner)
        assert learner.email == "new@example.com"
        assert (profile.display_name, profile.time_zone, profile.daily_goal) == (
            "Ada",
            "Asia/Tokyo",
            50,
        )

    def test_a_new_time_zone_moves_past_answers_to_its_days(self, learner):
        QuestionFactory.create_batch(3)
        session = services.start_session(user=learner, mode=Mode.NEW, size=3).session
        late_evening = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)
        for position, (grade, hours) in enumerate([(3, 0), (1, 1), (4, 30)]):
            services.record_grade(
                session=session,
                item=session.items.get(position=position),
                grade=grade,
                key_point_ids=[],
                now=late_evening + datetime.timedelta(hours=hours),
            )
        march = datetime.date(2026, 3, 1)
        assert _days(learner) == [(march, 2, 1), (march.replace(day=3), 1, 1)]
        update_profile(
            user=learner,
            email=learner.email,
            display_name="",
            time_zone="Asia/Tokyo",  # UTC+9: 22:30 and 23:30 are the next morning there
            interview_date=None,
            daily_goal=10,
        )
        assert _days(learner) == [(march.replace(day=2), 2, 1), (march.replace(day=3), 1, 1)]

    def test_refuses_bad_values(self, learner):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            update_profile(
                user=learner,
                email="ada@example.com",
                display_name="",
                time_zone="Mars/Base",
                interview_date=None,
                daily_goal=10,
            )
        assert get_profile(User.objects.get(pk=learner.pk)).time_zone == "UTC"


class TestProfileView:
    def test_shows_the_form_with_current_values_and_account_links(self, learner_client):
        response = learner_client.get(reverse("profile"))
        assert response.status_code == 200
        html = response.content.decode()
        for label in ("Display name", "Email", "Time zone", "Interview date", "Daily goal"):
            assert f">{label}</label>" in html
        assert 'value="ada@example.com"' in html
        assert '<option value="UTC" selected>' in html
        assert 'type="date"' in html
        for name in ("password_change", "export_data", "delete_account"):
            assert f'href="{reverse(name)}"' in html

    def test_saving_updates_everything_and_says_so(self, learner_client, learner):
        response = learner_client.post(reverse("profile"), profile_data(), follow=True)
        assert response.redirect_chain == [(reverse("profile"), 302)]
        assert b"Your profile has been saved." in response.content
        learner.refresh_from_db()
        profile = learner.profile
        assert learner.email == "ada.l@example.com"
        assert profile.display_name == "Ada L."
        assert profile.time_zone == "Europe/London"
        assert profile.interview_date == INTERVIEW_DAY
        assert profile.daily_goal == 25

    def test_interview_date_can_be_cleared(self, learner_client, learner):
        learner_client.post(reverse("profile"), profile_data())
        learner_client.post(reverse("profile"), profile_data(interview_date=""))
        assert Profile.objects.get(user=learner).interview_date is None

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"display_name": "x" * 81}, "at most 80 characters"),
            ({"daily_goal": "0"}, "Choose a daily goal from 1 to 500 questions."),
            ({"daily_goal": "501"}, "Choose a daily goal from 1 to 500 questions."),
            ({"daily_goal": ""}, "Choose a daily goal from 1 to 500 questions."),
            ({"daily_goal": "ten"}, "Choose a daily goal from 1 to 500 questions."),
            ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
            ({"interview_date": "2001-01-01"}, "The interview date cannot be in the past."),
            ({"interview_date": "14/13/2030"}, "Enter a valid date."),
            ({"interview_date": "9999-12-31"}, "Choose an interview date in the next three years."),
            ({"email": "GRACE@example.com"}, "An account with this email address already exists."),
            ({"email": "x" * 250 + "@example.com"}, "at most 254 characters"),
        ],
    )
    def test_bad_input_comes_back_with_the_message_and_saves_nothing(
        self, learner_client, learner, other_learner, overrides, message
    ):
        response = learner_client.post(reverse("profile"), profile_data(**overrides))
        assert response.status_code == 200
        assert message in response.content.decode()
        learner.refresh_from_db()
        assert learner.email == "ada@example.com"
        assert Profile.objects.get(user=learner).display_name == ""

    def test_editor_without_a_profile_can_open_it(self, editor_client, editor):
        assert editor_client.get(reverse("profile")).status_code == 200
        assert Profile.objects.filter(user=editor).exists()

    def test_today_is_a_fine_interview_date(self, learner_client, learner):
        today = timezone.now().astimezone(datetime.UTC).date()
        response = learner_client.post(
            reverse("profile"), profile_data(time_zone="UTC", interview_date=today.isoformat())
        )
        assert response.status_code == 302
        assert Profile.objects.get(user=learner).interview_date == today

    def test_other_methods_are_refused(self, learner_client):
        assert learner_client.delete(reverse("profile")).status_code == 405

    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.post(reverse("profile"), profile_data())
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestProfileAdmin:
    def test_superuser_can_look_but_not_change(self, client, learner):
        admin = User.objects.create_superuser("root", "root@example.com", "x-long-password-1")
        get_profile(learner)
        client.force_login(admin)
        listing = client.get(reverse("admin:accounts_profile_changelist"))
        assert listing.status_code == 200
        assert b"ada" in listing.content
        profile = Profile.objects.get(user=learner)
        page = client.get(reverse("admin:accounts_profile_change", args=[profile.pk]))
        assert page.status_code == 200
        assert b'name="daily_goal"' not in page.content  # read-only
        assert client.get(reverse("admin:accounts_profile_add")).status_code == 403

    def test_editors_cannot_see_learners_profiles(self, editor_client, learner):
        get_profile(learner)
        response = editor_client.get(reverse("admin:accounts_profile_changelist"))
        assert response.status_code == 403
        assert b"Profiles" not in editor_client.get(reverse("admin:index")).content
