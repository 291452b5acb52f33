from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from fsrs import Scheduler

from accounts.models import DailyActivity, Profile
from accounts.services import update_profile
from planner import optimiser, services
from planner.models import ParameterFit
from planner.plan import allowance
from planner.tests.factories import make_card, make_history
from quizzes import scheduling
from quizzes import services as practice
from quizzes.models import LEECH_LAPSES, Answer, Card, Grade, Mode
from quizzes.tests.factories import AnswerFactory, QuestionFactory

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def profile(learner):
    return Profile.objects.create(user=learner)


def grade_all(started, grade: int, now: datetime):
    session = started.session
    for item in session.items.order_by("position"):
        practice.record_grade(session=session, item=item, grade=grade, key_point_ids=[], now=now)
        session.refresh_from_db()


# Fitting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_optimiser_fits_a_learners_own_reviews(learner):
    reviews = make_history(learner)
    assert reviews >= optimiser.MIN_REVIEWS

    fit = services.optimise(user=learner, now=NOW)

    assert fit.reviews == reviews and fit.adopted
    assert fit.parameters != list(scheduling.DEFAULT_PARAMETERS)
    # The fit predicts this learner better than the defaults, on both measures.
    assert fit.log_loss_fitted < fit.log_loss_default
    assert fit.rmse_fitted < fit.rmse_default
    assert fit.improvement_percent > 0
    profile = Profile.objects.get(user=learner)
    assert profile.fsrs_parameters == fit.parameters
    # They load in the `fsrs` scheduler that every grade uses.
    assert Scheduler(parameters=profile.fsrs_parameters).parameters == tuple(fit.parameters)
    # The true-retention table counts every review after a gap of a day or more.
    spaced = sum(row["reviews"] for row in fit.retention_table)
    assert spaced == reviews - 80  # all but each question's first answer
    assert all(
        0 <= row["observed"] <= 1 and 0 < row["predicted"] <= 1 for row in fit.retention_table
    )


@pytest.mark.django_db
def test_below_the_minimum_the_defaults_stay(learner, profile):
    QuestionFactory.create_batch(5)
    grade_all(practice.start_session(user=learner, mode=Mode.RANDOM, size=5), Grade.GOOD, NOW)

    assert services.optimise(user=learner, now=NOW) is None
    assert Profile.objects.get(user=learner).fsrs_parameters is None
    assert not ParameterFit.objects.exists()


@pytest.mark.django_db
def test_an_automatic_refit_waits_for_enough_new_reviews(learner):
    make_history(learner)
    assert services.optimise(user=learner, now=NOW, force=False) is not None
    # No new reviews since: the automatic re-fit does nothing, the button still fits.
    assert services.optimise(user=learner, now=NOW, force=False) is None
    assert services.optimise(user=learner, now=NOW, force=True) is not None


def test_parameters_out_of_the_fsrs_bounds_are_clipped_and_the_wrong_length_refused():
    too_high = list(scheduling.DEFAULT_PARAMETERS)
    too_high[0] = 500.0
    assert scheduling.fsrs_parameters(too_high)[0] == 100.0
    with pytest.raises(ValueError):
        scheduling.fsrs_parameters([0.1] * 19)


# Every scheduling decision uses them ---------------------------------------------------


@pytest.mark.django_db
def test_the_next_grade_uses_the_fitted_parameters(learner, profile, other_learner):
    Profile.objects.create(user=other_learner)
    fitted = list(scheduling.DEFAULT_PARAMETERS)
    fitted[2] = 40.0  # initial stability after a first Good
    profile.fsrs_parameters = fitted
    profile.save()
    question = QuestionFactory()

    for user in (learner, other_learner):
        started = practice.start_session(
            user=user, mode=Mode.RANDOM, size=1, question_ids=[question.pk], now=NOW
        )
        grade_all(started, Grade.GOOD, NOW)

    assert Card.objects.get(user=learner).stability == pytest.approx(40.0)
    assert Card.objects.get(user=other_learner).stability == pytest.approx(
        scheduling.DEFAULT_PARAMETERS[2]
    )


@pytest.mark.django_db
def test_desired_retention_changes_the_intervals(learner, profile):
    question = QuestionFactory()
    card = make_card(learner, question, stability=20.0, due=NOW, last_review=NOW - timedelta(20))
    intervals = {}
    for retention in (0.8, 0.9, 0.97):
        profile.desired_retention = retention
        scheduler = scheduling.scheduler_for(profile, fuzz=False)
        intervals[retention] = scheduling.preview_intervals(
            card, question_id=question.pk, now=NOW, scheduler=scheduler
        )[Grade.GOOD]
    assert intervals[0.8] > intervals[0.9] > intervals[0.97]


# Daily limits ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_questions_stop_at_the_daily_limit(learner, profile):
    profile.new_per_day = 3
    profile.save()
    QuestionFactory.create_batch(10)

    first = practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)
    assert first.session.size == 3
    assert "today’s 3 new questions" in first.notes[0]
    grade_all(first, Grade.GOOD, NOW)

    with pytest.raises(ValidationError, match="today’s 3 new questions"):
        practice.start_session(user=learner, mode=Mode.NEW, size=5, now=NOW + timedelta(hours=1))
    # The next day the allowance is back.
    assert practice.start_session(user=learner, mode=Mode.NEW, size=5, now=NOW + timedelta(1))


@pytest.mark.django_db
def test_a_backlog_over_the_review_limit_brings_the_most_forgotten_first(learner, profile):
    profile.max_reviews_per_day = 2
    profile.new_per_day = 0
    profile.save()
    stabilities = {30.0: None, 1.0: None, 100.0: None, 3.0: None}
    for stability in stabilities:
        stabilities[stability] = QuestionFactory().pk
        card = make_card(
            learner,
            Question_pk(stabilities[stability]),
            stability=stability,
            due=NOW - timedelta(days=1),
            last_review=NOW - timedelta(days=10),
        )
        # Seen before: today's answers to it are reviews, not new questions.
        AnswerFactory(user=learner, session__user=learner, question=card.question,
                      answered_at=NOW - timedelta(days=10))  # fmt: skip

    started = practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)

    chosen = list(started.session.items.values_list("question_id", flat=True))
    assert chosen == [stabilities[1.0], stabilities[3.0]]
    assert "limit of 2 reviews" in started.notes[0]
    grade_all(started, Grade.GOOD, NOW)
    # Exactly at the limit: nothing more today.
    with pytest.raises(ValidationError, match="limit of 2 reviews"):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)


def Question_pk(pk):
    from quizzes.models import Question

    return Question.objects.get(pk=pk)


@pytest.mark.django_db
def test_starting_a_session_takes_the_same_queries_with_limits_and_a_plan(
    learner, profile, django_assert_max_num_queries
):
    profile.interview_date = date(2026, 5, 1)
    profile.save()
    QuestionFactory.create_batch(30)
    # profile, today's answers, syllabus, the plan's counts, due cards, new questions,
    # then the session, its items (and the savepoint pair of the transaction).
    with django_assert_max_num_queries(10):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)
    make_history(learner, questions=40)
    with django_assert_max_num_queries(10):
        practice.start_session(user=learner, mode=Mode.DUE, size=10, now=NOW)


# The interview plan ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_thirty_days_ahead(learner, profile, client):
    # The dashboard and the profile form work from the real clock.
    now = timezone.now()
    today = now.date()
    interview = today + timedelta(days=30)
    QuestionFactory.create_batch(100)
    far = QuestionFactory()
    make_card(learner, far, due=now + timedelta(days=90), last_review=now - timedelta(days=5))
    update_profile(user=learner, email=learner.email, display_name="", time_zone="UTC",
                   interview_date=interview, daily_goal=10)  # fmt: skip
    interview_at = datetime.combine(interview, datetime.min.time(), tzinfo=UTC)

    # Setting the date brought the review already scheduled after it into the last days.
    moved = Card.objects.get(question=far).due
    assert interview_at - timedelta(days=3) <= moved < interview_at

    # 100 unseen questions, to be seen a week before the date: 23 days, 5 a day.
    allowance_today = allowance(user=learner, profile=Profile.objects.get(user=learner), now=now)
    assert (
        allowance_today.pace.unseen,
        allowance_today.pace.seen_by,
        allowance_today.pace.per_day,
    ) == (
        100,
        interview - timedelta(days=7),
        5,
    )
    started = practice.start_session(user=learner, mode=Mode.DUE, size=20, now=now)
    assert started.session.size == 5
    grade_all(started, Grade.EASY, now)

    # Every seen question is due before the interview, even after an Easy.
    assert Card.objects.filter(user=learner).count() == 6
    assert not Card.objects.filter(user=learner, due__gte=interview_at).exists()

    client.force_login(learner)
    page = client.get(reverse("dashboard")).content.decode()
    seen_by = interview - timedelta(days=7)
    assert f"To see all 101 questions by {seen_by.day} {seen_by:%B}: 5 new a day" in page


@pytest.mark.django_db
def test_after_the_interview_normal_scheduling_resumes(learner, profile):
    profile.interview_date = (NOW - timedelta(days=1)).date()
    profile.save()
    question = QuestionFactory()
    make_card(learner, question, stability=50.0, due=NOW, last_review=NOW - timedelta(50))
    started = practice.start_session(
        user=learner, mode=Mode.DUE, size=1, question_ids=[question.pk], now=NOW
    )
    grade_all(started, Grade.GOOD, NOW)
    assert Card.objects.get(question=question).due > NOW + timedelta(days=30)


# Leeches --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_question_failed_often_becomes_a_leech(learner, profile, client):
    question = QuestionFactory(prompt="Why does the leech never stick?")
    make_card(learner, question, lapses=LEECH_LAPSES - 1, reviews=8, due=NOW)
    assert not Card.objects.get().is_leech and not Card.objects.leeches().exists()

    started = practice.start_session(
        user=learner, mode=Mode.DUE, size=1, question_ids=[question.pk], now=NOW
    )
    grade_all(started, Grade.AGAIN, NOW)

    card = Card.objects.get()
    assert card.lapses == LEECH_LAPSES and card.is_leech
    assert list(Card.objects.leeches()) == [card]
    client.force_login(learner)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Leeches" in page and "Why does the leech never stick?" in page

    # On the card, once revealed.
    again = practice.start_session(
        user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
    )
    item = again.session.items.get()
    practice.reveal(item=item, typed_answer="")
    page = client.get(again.session.get_absolute_url()).content.decode()
    assert "A leech:" in page and f"missed this question {LEECH_LAPSES} times" in page


# Pages ----------------------------------------------------------------------------------


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
def test_a_fit_replays_the_cards_memory_with_the_new_parameters(learner):
    make_history(learner)
    answered = Answer.objects.filter(user=learner).order_by("answered_at").first().question
    card = make_card(learner, answered, stability=1234.0, difficulty=9.9)
    due = card.due

    fit = services.optimise(user=learner, now=NOW)

    card.refresh_from_db()
    history = optimiser.learner_histories(learner, UTC)[answered.pk]
    expected = optimiser.memory_states({answered.pk: history}, fit.parameters)[answered.pk]
    assert (card.stability, card.difficulty) == pytest.approx(expected)
    assert card.stability != 1234.0 and card.due == due


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
def test_a_session_says_when_a_limit_was_reached(learner, profile, client):
    profile.new_per_day = 2
    profile.save()
    QuestionFactory.create_batch(5)
    client.force_login(learner)

    response = client.post(reverse("practice_start"), {"mode": "due", "size": 5}, follow=True)

    page = response.content.decode()
    assert "Question 1 of 2" in page
    assert "You have reached today’s 2 new questions; more tomorrow." in page


@pytest.mark.django_db
def test_help_me_decide_stops_at_half_a_year(learner, profile, client):
    profile.interview_date = timezone.now().date() + timedelta(days=400)
    profile.save()
    QuestionFactory.create_batch(3)
    client.force_login(learner)
    page = client.get(reverse("retention_help")).content.decode()
    assert "over the next 180 days" in page and "the simulation stops at 180 days" in page


@pytest.mark.django_db
def test_a_syllabus_id_past_64_bits_is_a_message_not_a_500(learner, profile, client):
    client.force_login(learner)
    data = {"desired_retention": "0.9", "new_per_day": "5", "max_reviews_per_day": "50",
            "syllabus": [str(2**70)]}  # fmt: skip
    response = client.post(reverse("schedule_settings"), data)
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
