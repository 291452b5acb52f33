"""Writes of the library: a learner's marks on a question, and forgetting its schedule.

Every function takes the learner explicitly and touches only their own rows. A change
to what practice brings back (a suspension, a reset) tells the scheduler's caches
(scheduling.schedule_changed), as no answer does.
"""

from django.db import transaction

from quizzes.models import Card, Question, UserQuestion
from quizzes.scheduling import schedule_changed


@transaction.atomic
def mark_question(
    *,
    user,
    question: Question,
    bookmarked: bool | None = None,
    suspended: bool | None = None,
    note: str | None = None,
) -> UserQuestion:
    """Set the given marks (None leaves one as it is); idempotent, so a replay is harmless."""
    marks, _ = UserQuestion.objects.select_for_update().get_or_create(user=user, question=question)
    changes = {"bookmarked": bookmarked, "suspended": suspended, "note": note}
    for name, value in changes.items():
        if value is not None:
            setattr(marks, name, value)
    marks.save()
    if suspended is not None:
        transaction.on_commit(lambda: schedule_changed(user.pk))
    return marks


@transaction.atomic
def reset_question(*, user, question: Question) -> bool:
    """Forget the learner's schedule for the question: it comes up as new again.

    The answers stay in their history; only the FSRS card goes."""
    deleted, _ = Card.objects.filter(user=user, question=question).delete()
    if deleted:
        transaction.on_commit(lambda: schedule_changed(user.pk))
    return bool(deleted)
