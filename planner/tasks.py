"""Background work of the planner, run by the task worker (`manage.py db_worker`)."""

from django.tasks import task

from planner import services


@task
def optimise_schedule(user_id: int) -> str:
    """ "Optimise my schedule" on the profile: fit now, however few new reviews."""
    return services.optimise_by_id(user_id=user_id, force=True)


@task
def refit_if_due(user_id: int) -> str:
    """After each session: fit again once REFIT_EVERY answers have come in since the last
    fit (counted from its fitted_at, so the check is cheap however long the history)."""
    return services.optimise_by_id(user_id=user_id, force=False)
