"""Deliveries in the admin: an operations page for administrators. Editors curate the bank
and do not see learners' reminder emails (the Editors group's permissions are
quizzes/editors.py's, and the README says so)."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from reminders.models import Delivery

pytestmark = pytest.mark.django_db


def test_deliveries_are_for_administrators_not_editors(editor_client, admin_client, learner):
    Delivery.objects.create(
        user=learner,
        kind=Delivery.Kind.DAILY,
        day=datetime.date(2026, 3, 1),
        state=Delivery.State.FAILED,
        last_error="550 mailbox unavailable",
    )
    url = reverse("admin:reminders_delivery_changelist")

    assert editor_client.get(url).status_code == 403
    assert url not in editor_client.get(reverse("admin:index")).text
    page = admin_client.get(url)
    assert page.status_code == 200 and "Failed" in page.text


def test_the_readme_says_who_sees_deliveries():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    paragraph = next(p for p in readme.split("\n\n") if 'under "Deliveries"' in p)
    assert "for administrators" in paragraph
    assert not re.search(r"\ban editor\b", paragraph)
