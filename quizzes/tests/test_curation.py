"""The editors' writes behind the admin's actions (quizzes.curation)."""

import datetime

import pytest
import reversion
from django.utils import timezone
from reversion.models import Version

from quizzes.curation import resolve_reports, set_question_status, set_report_resolved
from quizzes.models import Question, Report, Status
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_set_question_status_changes_only_the_others_and_joins_the_revision(editor):
    draft = QuestionFactory(status=Status.DRAFT)
    published = QuestionFactory(status=Status.PUBLISHED)
    with reversion.create_revision():
        ids, unchanged = set_question_status(
            questions=Question.objects.filter(pk__in=[draft.pk, published.pk]),
            status=Status.PUBLISHED,
            by=editor,
        )
    assert (ids, unchanged) == ([draft.pk], 1)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.updated_by == editor
    assert Version.objects.get_for_object(draft).count() == 1
    assert not Version.objects.get_for_object(published).exists()


def test_set_question_status_outside_a_revision_still_writes(editor):
    question = QuestionFactory(status=Status.PUBLISHED)
    set_question_status(
        questions=Question.objects.filter(pk=question.pk), status=Status.RETIRED, by=editor
    )
    question.refresh_from_db()
    assert question.status == Status.RETIRED


def test_resolve_reports_leaves_resolved_ones_as_they_were(editor, learner, other_learner):
    question = QuestionFactory()
    earlier = timezone.now() - datetime.timedelta(days=3)
    done = Report.objects.create(
        question=question,
        user=other_learner,
        reason="wrong",
        resolved_at=earlier,
        resolved_by=other_learner,
    )
    open_ = Report.objects.create(question=question, user=learner, reason="unclear")
    assert resolve_reports(reports=Report.objects.all(), by=editor) == [open_.pk]
    done.refresh_from_db()
    open_.refresh_from_db()
    assert (done.resolved_at, done.resolved_by) == (earlier, other_learner)
    assert open_.resolved_by == editor and not open_.is_open


def test_set_report_resolved_resolves_and_reopens(editor, learner):
    report = Report.objects.create(question=QuestionFactory(), user=learner, reason="wrong")
    set_report_resolved(report=report, resolved=True, by=editor)
    report.refresh_from_db()
    assert report.resolved_by == editor and not report.is_open
    set_report_resolved(report=report, resolved=False, by=editor)
    report.refresh_from_db()
    assert report.is_open and report.resolved_by is None
