"""The admin's question change form as an editor's browser posts it, shared by the admin
tests (test_admin.py, test_admin_reports.py, test_calculation_bank.py)."""

from django.urls import reverse

from quizzes.models import Status, Topic

CHANGELIST = reverse("admin:quizzes_question_changelist")


def inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }


def question_form(topic: Topic, **overrides) -> dict:
    data = {
        "key": "adam-bias-correction",
        "topic": str(topic.pk),
        "status": Status.DRAFT,
        "difficulty": "medium",
        "tags": "optimisers, adam",
        "source": "",
        "prompt": "Why does Adam need bias correction?",
        "answer": "Because $m_0 = 0$.",
        **inline_management("key_points", 1),
        "key_points-0-order": "0",
        "key_points-0-text": "Moments start at zero",
        **inline_management("follow_ups", 0),
        **inline_management("reports", 0),
    }
    data.update(overrides)
    return data
