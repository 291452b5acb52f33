"""Shared by the interview service tests: an interview started at a fixed instant with a
seeded choice, and cards a learner keeps forgetting."""

import random

from django.utils import timezone

from interviews import services
from interviews.models import Interview
from quizzes.models import Card

T0 = timezone.now().replace(microsecond=0)


def start(user, *, minutes=30, level="medium", topics=(), seed=1, **kwargs) -> Interview:
    return services.start_interview(
        user=user,
        minutes=minutes,
        level=level,
        topics=topics,
        now=T0,
        rng=random.Random(seed),
        **kwargs,
    )


def forget(user, questions, *, reviews: int, lapses: int) -> None:
    for question in questions:
        Card.objects.create(
            user=user, question=question, state=2, due=T0, reviews=reviews, lapses=lapses
        )
