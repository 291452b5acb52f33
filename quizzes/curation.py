"""The editors' writes to the bank that the admin's actions make: a question's status
(publish, unpublish, retire) and learners' reports (resolve, reopen)."""

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from quizzes.models import Question, Report, Status


@transaction.atomic
def set_question_status(
    *, questions: QuerySet[Question], status: Status, by: AbstractBaseUser
) -> tuple[list[int], int]:
    """Give `questions` the status; (ids of those changed, how many already had it).

    update() sends no signals, so within a revision (the admin's bulk actions run in
    one) each changed question is added to it by hand, for its History.
    """
    ids = list(questions.exclude(status=status).values_list("pk", flat=True))
    unchanged = questions.count() - len(ids)
    changed = Question.objects.filter(pk__in=ids)
    changed.update(status=status, updated_at=timezone.now(), updated_by=by)
    if reversion.is_active():
        for question in changed:
            reversion.add_to_revision(question)
    return ids, unchanged


@transaction.atomic
def resolve_reports(*, reports: QuerySet[Report], by: AbstractBaseUser) -> list[int]:
    """Mark the open ones among `reports` resolved by `by`; returns their ids."""
    ids = list(reports.filter(resolved_at__isnull=True).values_list("pk", flat=True))
    Report.objects.filter(pk__in=ids).update(resolved_at=timezone.now(), resolved_by=by)
    return ids


def set_report_resolved(*, report: Report, resolved: bool, by: AbstractBaseUser) -> None:
    """Resolve an open report, or reopen a resolved one; nothing if it is already so."""
    if resolved and report.is_open:
        report.resolved_at, report.resolved_by = timezone.now(), by
    elif not resolved and not report.is_open:
        report.resolved_at, report.resolved_by = None, None
    else:
        return
    report.save(update_fields=["resolved_at", "resolved_by"])
