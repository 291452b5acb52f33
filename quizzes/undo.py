"""Undoing a practice session's last grade: everything the grade changed put back exactly,
from what it kept on the Answer (`before`, written by quizzes.grading)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts import activity
from quizzes import scheduling
from quizzes.grading import CARD_TIME_FIELDS, POINT_FIELDS, POINT_TIME_FIELDS, locked_card
from quizzes.models import CARD_STATE_FIELDS, Answer, Card, KeyPointMemory, Mode, PracticeSession

UNDO_NOTHING = "There is no grade to undo: only the last grade of a session can be undone, once."
UNDO_STALE = "That question has been graded or reset since, so this grade can no longer be undone."
UNDO_INTERVIEW = (
    "A mock interview's grades cannot be undone: they are its record, and its report and score "
    "were made from them when it ended."
)


def undoable(session: PracticeSession) -> bool:
    """Whether the session's grades can be undone at all (the pages offer the button only
    then). Not a mock interview's: while it runs its card offers no undo (its steps, clock
    and follow-ups follow from each grade), and once it has ended its score and report were
    made from them; undoing one reopened the interview's session after the end."""
    return session.mode != Mode.INTERVIEW


@transaction.atomic
def undo_last_grade(*, session: PracticeSession) -> Answer:
    """Take back the session's last grade: the answer, the card's previous FSRS state, the
    key-point memory, the session's counters and the daily roll-up, exactly as before it.
    Once: the session forgets its last answer, and only the latest grade of the session can
    be undone. Refused when the question was graded again elsewhere or reset since, and
    for a mock interview's questions (`undoable`)."""
    # The learner's profile first, as every grade takes it: whatever order the rows after it
    # are locked in (here the session, then the card; a grade the card, then the session),
    # two writers of one learner's rows never hold any of them while waiting for the other.
    profile = activity.lock_profile(session.user_id)
    locked = PracticeSession.objects.select_for_update().get(pk=session.pk)
    if not undoable(locked):
        raise ValidationError(UNDO_INTERVIEW, code="interview")
    answer = Answer.objects.filter(pk=locked.last_answer_id).first()
    # An abandoned session keeps what was graded in it (issue 13).
    if answer is None or answer.before is None or locked.abandoned_at is not None:
        raise ValidationError(UNDO_NOTHING, code="nothing_to_undo")
    card = locked_card(user_id=answer.user_id, question_id=answer.question_id)
    if card is None or card.last_review != answer.answered_at:
        raise ValidationError(UNDO_STALE, code="stale")
    previous = answer.before["card"]
    if previous is None:
        card.delete()
    else:
        Card.objects.filter(pk=card.pk).update(**_card_fields(previous))
    # Answers recorded before the memory was kept in `before` have no "points".
    if points := answer.before.get("points"):
        _restore_points(user_id=answer.user_id, before=points)
    activity.uncount_answer(
        user_id=answer.user_id,
        profile=profile,
        recalled=answer.recalled,
        answered_at=answer.answered_at,
    )
    shown_at = answer.before["shown_at"]
    PracticeSession.objects.filter(pk=locked.pk).update(
        answered=F("answered") - 1,
        recalled=F("recalled") - int(answer.recalled),
        finished_at=None,
        current_shown_at=datetime.fromisoformat(shown_at) if shown_at else None,
        last_answer=None,
    )
    answer.delete()
    transaction.on_commit(lambda: scheduling.schedule_changed(answer.user_id))
    session.refresh_from_db()
    return answer


def _restore_points(*, user_id: int, before: dict) -> None:
    """Put the key-point memories back as the grade found them (`_remember_points`, or
    grade_sql's CTEs on PostgreSQL, which keep them in the same form)."""
    if before["created"]:
        KeyPointMemory.objects.filter(user_id=user_id, key_point_id__in=before["created"]).delete()
    memories = []
    for snapshot in before["updated"]:
        fields = {name: snapshot[name] for name in POINT_FIELDS}
        for name in POINT_TIME_FIELDS:
            fields[name] = datetime.fromisoformat(fields[name])
        memories.append(KeyPointMemory(pk=snapshot["id"], user_id=user_id, **fields))
    # A memory deleted since (its key point was) is simply not updated.
    KeyPointMemory.objects.bulk_update(memories, POINT_FIELDS)


def _card_fields(snapshot: dict) -> dict:
    fields = {name: snapshot[name] for name in CARD_STATE_FIELDS}
    for name in CARD_TIME_FIELDS:
        fields[name] = datetime.fromisoformat(fields[name]) if fields[name] else None
    return fields
