"""The planner's pages and what the learner sees of it elsewhere: the profile, the schedule
settings, help me decide, readiness on the dashboard and the data export."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import DailyActivity
from planner import services, simulation
from planner.models import ParameterFit
from planner.tests.factories import make_card, make_history
from planner.tests.helpers import NOW
from quizzes.models import Question
from quizzes.tests.factories import QuestionFactory


@pytest.mark.django_db
def test_the_profile_shows_the_schedule_and_the_health_check(learner, client):
    make_history(learner)
    client.force_login(learner)
    page = client.get(reverse("profile")).content.decode()
    assert "Desired retention" in page and "Optimise my schedule" in page
    assert "until you have 400 answers" in page

    response = client.post(reverse("optimise_schedule"))  # the ImmediateBackend runs it

    assert response.status_code == 302
    fit = ParameterFit.objects.get()
    page = client.get(reverse("profile")).content.decode()
    assert (
        f"Fitted on {fit.reviews} reviews: <strong>your fitted schedule predicts your recall "
        f"{fit.improvement_percent}% better</strong>" in page
    )


@pytest.mark.django_db
def test_schedule_settings_are_saved_and_bad_values_explained(learner, profile, client):
    client.force_login(learner)
    topic = QuestionFactory().topic
    data = {"desired_retention": "0.85", "new_per_day": "7", "max_reviews_per_day": "150",
            "syllabus": [topic.pk]}  # fmt: skip
    assert client.post(reverse("schedule_settings"), data).status_code == 302
    profile.refresh_from_db()
    assert (profile.desired_retention, profile.new_per_day, profile.max_reviews_per_day) == (
        0.85,
        7,
        150,
    )
    assert list(profile.syllabus.all()) == [topic]

    response = client.post(reverse("schedule_settings"), {**data, "desired_retention": "0.99"})
    assert response.status_code == 400
    assert "Choose a desired retention from 0.80 to 0.97." in response.content.decode()


@pytest.mark.django_db
def test_help_me_decide_draws_the_simulation(learner, profile, client):
    QuestionFactory.create_batch(50)
    client.force_login(learner)
    response = client.get(reverse("retention_help"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "0.97" in page and "(yours)" in page
    # Higher retention costs more answers a day in the simulation.
    outcomes = response.context["outcomes"]
    assert outcomes[0].reviews_per_day < outcomes[-1].reviews_per_day
    assert outcomes[0].recall_on_day < outcomes[-1].recall_on_day


@pytest.mark.django_db
def test_the_schedule_pages_need_a_log_in(client):
    for name in ("schedule_settings", "optimise_schedule", "retention_help"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_readiness_projects_the_plan_per_topic(learner, profile, client):
    now = timezone.now()
    profile.interview_date = now.date() + timedelta(days=30)
    profile.save()
    seen, unseen = QuestionFactory.create_batch(2)
    unseen.topic = seen.topic
    unseen.save()
    make_card(learner, seen, stability=5.0, due=now + timedelta(days=2),
              last_review=now - timedelta(days=3))  # fmt: skip
    DailyActivity.objects.create(user=learner, day=now.date() - timedelta(days=3), answers=1)
    client.force_login(learner)

    response = client.get(reverse("dashboard"))

    [row] = response.context["stats"].readiness
    # Stopping now, the seen question is mostly forgotten in 30 days and the unseen one
    # counts as 0; keeping to the plan, both get a review a few days before.
    assert row.projected_recall < 0.45
    assert 0.85 < row.planned_recall <= 1
    page = response.content.decode()
    assert f"<strong>{round(100 * row.planned_recall)}%</strong> keeping to the plan" in page


@pytest.mark.django_db
def test_the_data_export_holds_the_schedule_and_its_fits(learner):
    from accounts.export import export_user_data

    make_history(learner)
    fit = services.optimise(user=learner, now=NOW)

    # A fresh user, as the next request loads it (this one has the profile cached).
    fresh = type(learner).objects.get(pk=learner.pk)
    schedule = export_user_data(fresh)["schedule"]

    assert schedule["desired_retention"] == 0.9
    assert schedule["fsrs_parameters"] == fit.parameters
    [exported] = schedule["parameter_fits"]
    assert exported["reviews"] == fit.reviews and exported["adopted"] is True


@pytest.mark.django_db
def test_help_me_decide_stops_at_half_a_year(learner, profile, client):
    profile.interview_date = timezone.now().date() + timedelta(days=400)
    profile.save()
    QuestionFactory.create_batch(3)
    client.force_login(learner)
    page = client.get(reverse("retention_help")).content.decode()
    assert "over the next 180 days" in page and "the simulation stops at 180 days" in page


@pytest.mark.django_db
def test_help_me_decide_simulates_the_new_questions_the_plan_allows(
    learner, profile, client, monkeypatch
):
    # 60 questions to see in 37 days (a week's margin before the interview): 2 a day, not
    # the learner's 20, as practice allows and the dashboard says.
    profile.interview_date = timezone.localdate() + timedelta(days=37)
    profile.new_per_day = 20
    profile.save()
    QuestionFactory.create_batch(60)
    limits = []
    simulate = simulation.fsrs_rs.simulate

    def recording(parameters, retention, config, seed):
        limits.append(config.learn_limit)
        return simulate(parameters, retention, config, seed)

    monkeypatch.setattr(simulation.fsrs_rs, "simulate", recording)
    client.force_login(learner)

    page = client.get(reverse("retention_help")).content.decode()

    assert "2 new a day (your interview plan's pace, for all of them)" in page
    assert set(limits) == {2}

    # Having seen them all leaves the plan nothing to pace (0 a day today); the simulation,
    # which starts them all afresh, still learns them at that pace.
    for question in Question.objects.all():
        make_card(learner, question)
    limits.clear()
    cache.clear()  # the plan's count of the day and the simulation's outcomes
    client.force_login(learner)  # with Redis, the log-in session went with them
    page = client.get(reverse("retention_help")).content.decode()
    assert "2 new a day (your interview plan's pace, for all of them)" in page
    assert set(limits) == {2}


@pytest.mark.django_db
def test_a_syllabus_id_past_64_bits_is_a_message_not_a_500(learner, profile, client):
    client.force_login(learner)
    data = {"desired_retention": "0.9", "new_per_day": "5", "max_reviews_per_day": "50",
            "syllabus": [str(2**70)]}  # fmt: skip
    response = client.post(reverse("schedule_settings"), data)
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
