"""The optimiser through the real task backend and worker."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Profile
from planner.models import ParameterFit
from planner.tests.factories import make_history

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_optimise_my_schedule_runs_in_the_worker(settings, learner, client):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    make_history(learner)
    client.force_login(learner)

    client.post(reverse("optimise_schedule"))

    # Queued, not yet run: that is the worker's job.
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert Profile.objects.get(user=learner).fsrs_parameters is None
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    fit = ParameterFit.objects.get()
    assert fit.adopted
    assert Profile.objects.get(user=learner).fsrs_parameters == fit.parameters
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
