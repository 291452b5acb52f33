"""What some of the benchmark's endpoints need in the database before they can be asked for:
a practice session open at its first question, a running and a finished mock interview, a
learner with daily limits and an interview plan, and reminder settings for every learner.

Run in process (bench.inprocess) against the run's copy of the data, never the seed: every
run starts from the seed's rows and makes these again. Everything goes through the app's
own services, so the rows are what a learner's clicks would leave.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from quizzes.library.queries import question_url
from quizzes.models import Difficulty, Mode, Question, Topic

# What a learner types before revealing: words of the generated answers, so the key point
# matcher has something to compare (bench.data.generator writes "reason N ... correct it").
TYPED_ANSWER = "The estimate is biased early on because the moments start at zero; we correct it."
# A mock interview's question clock, long enough that no question reveals itself by time
# during the run (the pages would then show a revealed card, a different page).
INTERVIEW_QUESTION_SECONDS = 3000


def user(username: str):
    return get_user_model().objects.get(username=username)


def practice_session_path(username: str) -> str:
    """A new 20-question session of the learner's, at its first question."""
    from quizzes import services

    started = services.start_session(user=user(username), mode=Mode.RANDOM, size=20)
    return started.session.get_absolute_url()


def running_interview_path(username: str) -> str:
    """A 60-minute mock interview of the learner's, at its first question."""
    from interviews import services

    interview = services.start_interview(
        user=user(username),
        minutes=60,
        level=Difficulty.MEDIUM,
        rng=random.Random(username),
        question_seconds=INTERVIEW_QUESTION_SECONDS,
    )
    return interview.get_absolute_url()


def finished_interview_path(username: str) -> str:
    """The report of a 30-minute mock interview the learner answered in full."""
    from interviews import services

    interview = services.start_interview(
        user=user(username), minutes=30, level=Difficulty.MEDIUM, rng=random.Random(username)
    )
    grades = [3, 1, 4, 2, 3]
    for number in range(20):  # five questions; follow-ups would come on top
        step = services.current_step(interview)
        if step is None:
            break
        services.reveal(interview=interview, step=step, typed_answer=TYPED_ANSWER)
        step.refresh_from_db()
        if step.is_follow_up:
            services.answer_follow_up(interview=interview, step=step, covered=number % 2 == 0)
            continue
        grade = grades[number % len(grades)]
        points = list(step.item.question.key_points.values_list("pk", flat=True))
        services.grade_question(
            interview=interview, step=step, grade=grade, key_point_ids=points[: grade - 1]
        )
    services.end_interview(interview=interview)
    return reverse("interview_report", args=[interview.pk])


def set_plan(username: str, *, planned: bool) -> None:
    """The learner's daily limits and interview plan (#16): set, or back to nothing chosen.

    Planned: an interview in 60 days over four topics, 15 new questions and 150 reviews a day.
    Not planned: no interview date, no syllabus, the default limits.
    """
    profile = Profile.objects.get(user__username=username)
    defaults = {f.name: f.get_default() for f in Profile._meta.fields}
    if planned:
        profile.interview_date = timezone.localdate() + timedelta(days=60)
        profile.new_per_day = 15
        profile.max_reviews_per_day = 150
        profile.save(update_fields=["interview_date", "new_per_day", "max_reviews_per_day"])
        profile.syllabus.set(Topic.objects.order_by("order")[:4])
    else:
        profile.interview_date = None
        profile.new_per_day = defaults["new_per_day"]
        profile.max_reviews_per_day = defaults["max_reviews_per_day"]
        profile.save(update_fields=["interview_date", "new_per_day", "max_reviews_per_day"])
        profile.syllabus.clear()


def library_question_paths(count: int = 40) -> list[str]:
    """Question pages spread over the bank, as readers arriving from search would ask."""
    questions = Question.objects.published().select_related("topic").order_by("pk")
    total = questions.count()
    step = max(1, total // count)
    return [question_url(q) for q in questions[: step * count : step]]


def remind_everyone(now) -> int:
    """Daily and weekly emails on for every learner, each at the hour `now` is in their zone,
    so that every one of them is a candidate: the selection's heaviest case."""
    from reminders.models import ReminderSettings

    rows = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .values_list("pk", "profile__time_zone")
    )
    ReminderSettings.objects.filter(user_id__in=[pk for pk, _ in rows]).delete()
    settings = [
        ReminderSettings(
            user_id=pk,
            daily=True,
            weekly=True,
            hour=timezone.localtime(now, _zone(zone)).hour,
        )
        for pk, zone in rows
    ]
    ReminderSettings.objects.bulk_create(settings, batch_size=500)
    return len(settings)


def _zone(name: str | None):
    import zoneinfo

    return zoneinfo.ZoneInfo(name or "UTC")
