"""Background work, run by the task worker (`manage.py db_worker`)."""

from django.tasks import task

from reminders import services


@task
def send_delivery(delivery_id: int) -> str:
    return services.send_delivery(delivery_id=delivery_id)
