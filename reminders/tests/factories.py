import factory

from accounts.models import Profile
from accounts.tests.factories import UserFactory
from quizzes.models import Card
from quizzes.tests.factories import QuestionFactory
from reminders.models import ReminderSettings


def make_learner(*, time_zone="UTC", hour=18, daily=True, weekly=False, goal=10, **user):
    """A learner with a profile in `time_zone` and reminders set as given."""
    learner = UserFactory(**user)
    Profile.objects.update_or_create(
        user=learner, defaults={"time_zone": time_zone, "daily_goal": goal}
    )
    ReminderSettings.objects.create(user=learner, daily=daily, weekly=weekly, hour=hour)
    return learner


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    user = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)
    state = 2
    stability = 10.0
    difficulty = 5.0
    reviews = 1
