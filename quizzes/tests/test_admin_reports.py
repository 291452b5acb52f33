"""Learners' reports in the admin: the editors' list, its filters and resolve action, and
resolving and reopening them from the report and the question pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Report
from quizzes.tests.admin_forms import inline_management, question_form
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_reports_list_filters_and_resolve_action(editor_client, editor, learner):
    question = QuestionFactory()
    wrong = Report.objects.create(question=question, user=learner, reason="wrong")
    unclear = Report.objects.create(question=question, user=learner, reason="unclear")
    url = reverse("admin:quizzes_report_changelist")

    response = editor_client.post(
        url, {"action": "mark_resolved", "_selected_action": [str(wrong.pk)]}, follow=True
    )

    assert "Marked 1 report resolved." in response.text
    wrong.refresh_from_db()
    assert wrong.resolved_by == editor and wrong.resolved_at is not None
    open_reports = editor_client.get(url, {"status": "open"}).context["cl"].result_list
    resolved = editor_client.get(url, {"status": "resolved"}).context["cl"].result_list
    assert list(open_reports) == [unclear]
    assert list(resolved) == [wrong]
    by_reason = editor_client.get(url, {"reason__exact": "wrong"}).context["cl"].result_list
    assert list(by_reason) == [wrong]
    assert editor_client.get(reverse("admin:quizzes_report_add")).status_code == 403


def test_open_reports_are_resolved_from_the_question_page(editor_client, editor, learner):
    question = QuestionFactory(key="reported", key_points=["Only point"])
    point = question.key_points.get()
    report = Report.objects.create(
        question=question, user=learner, reason="wrong", note="The sign is flipped"
    )
    Report.objects.create(
        question=question,
        user=learner,
        reason="other",
        note="Already handled",
        resolved_at=timezone.now(),
    )
    url = reverse("admin:quizzes_question_change", args=[question.pk])

    page = editor_client.get(url)
    assert "The sign is flipped" in page.text
    assert "Already handled" not in page.text

    data = question_form(
        question.topic,
        key="reported",
        **inline_management("key_points", 1, initial=1),
        **{"key_points-0-id": str(point.pk), "key_points-0-question": str(question.pk)},
        **inline_management("reports", 1, initial=1),
        **{
            "reports-0-id": str(report.pk),
            "reports-0-question": str(question.pk),
            "reports-0-resolved": "on",
        },
    )
    response = editor_client.post(url, data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved_by == editor
    assert report.resolved_at is not None


def test_report_page_resolves_and_reopens(editor_client, editor, learner):
    report = Report.objects.create(question=QuestionFactory(), user=learner, reason="wrong")
    url = reverse("admin:quizzes_report_change", args=[report.pk])

    assert editor_client.post(url, {"resolved": "on"}).status_code == 302
    report.refresh_from_db()
    assert report.resolved_by == editor and not report.is_open

    assert editor_client.post(url, {}).status_code == 302
    report.refresh_from_db()
    assert report.is_open and report.resolved_by is None
