"""A learner's review history, made with the project's factories."""

import random
from datetime import UTC, datetime, timedelta

from accounts.models import Profile
from quizzes.models import Answer, Card, PracticeSession
from quizzes.tests.factories import QuestionFactory

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GAPS = [1, 3, 7, 14, 30, 60]


def make_history(user, *, questions: int = 80, seed: int = 7, start: datetime = START) -> int:
    """Answers to `questions` questions spread over days, as a forgetful learner gives them:
    recalled more often after short gaps than long ones. Returns how many answers."""
    rng = random.Random(seed)
    Profile.objects.get_or_create(user=user)
    bank = QuestionFactory.create_batch(questions, key_points=0)
    sessions: dict[int, PracticeSession] = {}
    answers = []
    for index, question in enumerate(bank):
        day = index % 15
        for gap in [0, *GAPS]:
            day += gap
            # Recall falls with the gap; a weaker learner than FSRS's defaults assume.
            recalled = rng.random() < (0.55 if gap == 0 else 0.97**gap)
            grade = rng.choice([2, 3, 3, 4]) if recalled else 1
            if day not in sessions:
                sessions[day] = PracticeSession.objects.create(user=user, mode="due", size=1)
            answers.append(
                Answer(
                    user=user,
                    session=sessions[day],
                    question=question,
                    grade=grade,
                    answered_at=start + timedelta(days=day, minutes=index),
                )
            )
    Answer.objects.bulk_create(answers)
    return len(answers)


def make_card(user, question, **fields) -> Card:
    values = {
        "state": 2,
        "step": None,
        "stability": 10.0,
        "difficulty": 5.0,
        "due": datetime(2026, 3, 1, tzinfo=UTC),
        "last_review": datetime(2026, 2, 19, tzinfo=UTC),
        "reviews": 1,
    }
    values.update(fields)
    return Card.objects.create(user=user, question=question, **values)
