"""Writes of the planner: fitting a learner's schedule, their schedule settings,
and moving reviews in front of a new interview date."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from accounts.services import get_profile
from planner import optimiser
from planner.models import ParameterFit
from quizzes import scheduling
from quizzes.models import Answer, Card


def optimise(*, user, now: datetime | None = None, force: bool = True) -> ParameterFit | None:
    """Fit the learner's parameters to their history and put them in use if they
    predict better than the defaults. None when there are too few reviews, or (with
    `force` off) too few new ones since the last fit.

    The fit runs outside any transaction (it reads a snapshot and takes up to a
    second for a heavy learner); only the writes are atomic. Deciding not to fit, as
    after most sessions, reads at most REFIT_EVERY answers, however long the history.
    """
    now = now or timezone.now()
    profile = get_profile(user)
    answers = Answer.objects.filter(user=user)
    if not force:
        last = ParameterFit.objects.for_user(user).latest_first().first()
        if last and not _at_least(
            answers.filter(answered_at__gt=last.fitted_at), optimiser.REFIT_EVERY
        ):
            return None
    if not _at_least(answers, optimiser.MIN_REVIEWS):
        return None
    by_question = optimiser.learner_histories(user, profile.zone)
    result = optimiser.fit(list(by_question.values()))
    states = optimiser.memory_states(by_question, result.parameters) if result.adopted else {}
    return _save_fit(user=user, result=result, now=now, states=states)


def _at_least(queryset, count: int) -> bool:
    """Whether `queryset` has `count` rows, counting no further (COUNT over a LIMIT)."""
    return queryset[:count].count() == count


@transaction.atomic
def _save_fit(
    *, user, result: optimiser.FitResult, now: datetime, states: dict[int, tuple]
) -> ParameterFit:
    fit = ParameterFit.objects.create(
        user=user,
        fitted_at=now,
        reviews=result.reviews,
        parameters=result.parameters,
        adopted=result.adopted,
        seconds=result.seconds,
        log_loss_default=result.log_loss_default,
        log_loss_fitted=result.log_loss_fitted,
        rmse_default=result.rmse_default,
        rmse_fitted=result.rmse_fitted,
        retention_table=result.retention_table,
    )
    if result.adopted:
        # Checked once more the way every grade will load them.
        scheduling.fsrs_parameters(result.parameters)
        Profile.objects.filter(user=user).update(fsrs_parameters=result.parameters)
        # The cards' memory as the new parameters see it; their due dates stay as they
        # are (no surprise pile of reviews), and the next grade builds on these states.
        cards = list(
            Card.objects.filter(user=user, question_id__in=states).only("pk", "question_id")
        )
        for card in cards:
            card.stability, card.difficulty = states[card.question_id]
        Card.objects.bulk_update(cards, ["stability", "difficulty"], batch_size=500)
    transaction.on_commit(lambda: scheduling.schedule_changed(user.pk))
    return fit


def optimise_by_id(*, user_id: int, force: bool) -> str:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "no such learner"
    fit = optimise(user=user, force=force)
    if fit is None:
        return "not enough reviews"
    return f"fitted on {fit.reviews} reviews" + ("" if fit.adopted else " (defaults kept)")


@transaction.atomic
def update_schedule(
    *,
    user,
    desired_retention: float,
    new_per_day: int,
    max_reviews_per_day: int,
    syllabus,
    now: datetime | None = None,
) -> Profile:
    get_profile(user)
    profile = Profile.objects.select_for_update().get(user=user)
    profile.desired_retention = desired_retention
    profile.new_per_day = new_per_day
    profile.max_reviews_per_day = max_reviews_per_day
    profile.full_clean(exclude=["user"])
    profile.save(update_fields=["desired_retention", "new_per_day", "max_reviews_per_day"])
    profile.syllabus.set(syllabus)
    transaction.on_commit(lambda: scheduling.schedule_changed(user.pk))
    return profile


def apply_plan(*, profile: Profile, now: datetime | None = None) -> int:
    """Bring every review that now falls on or after the interview day into the days
    before it, as a grade would (scheduling.planned_due). Returns how many moved.

    Called when the interview date is set or changed; cards graded since follow the
    plan as they are graded.
    """
    now = now or timezone.now()
    interview_at = scheduling.interview_start(profile)
    if interview_at is None or now >= interview_at:
        return 0
    cards = list(Card.objects.filter(user_id=profile.user_id, due__gte=interview_at))
    for card in cards:
        card.due = scheduling.planned_due(
            card.due, question_id=card.question_id, now=now, interview_at=interview_at
        )
    Card.objects.bulk_update(cards, ["due"], batch_size=500)
    return len(cards)
