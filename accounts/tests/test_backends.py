"""The backend that reads the logged-in user on every request (UsernameOrEmailBackend.get_user)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import UsernameOrEmailBackend, _user_by_id

pytestmark = pytest.mark.django_db


def test_reads_the_user_as_the_orm_does(learner):
    learner.is_staff = True
    learner.save()
    with CaptureQueriesContext(connection) as captured:
        user = UsernameOrEmailBackend().get_user(learner.pk)
    # The statement written once, not one the ORM compiled.
    assert [query["sql"] for query in captured] == [
        _user_by_id(connection.vendor)[1].replace("%s", str(learner.pk))
    ]
    expected = get_user_model().objects.get(pk=learner.pk)
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(user, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert user._state.adding is False and user._state.db == "default"


def test_no_user_for_an_unknown_or_inactive_account(learner):
    backend = UsernameOrEmailBackend()
    assert backend.get_user(learner.pk + 1000) is None
    learner.is_active = False
    learner.save()
    assert backend.get_user(learner.pk) is None


def test_a_deactivated_learner_is_logged_out_on_their_next_request(learner_client, learner):
    dashboard = reverse("dashboard")
    assert learner_client.get(dashboard).status_code == 200
    get_user_model().objects.filter(pk=learner.pk).update(is_active=False)
    response = learner_client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
