import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from quizzes.models import (
    Answer,
    Difficulty,
    Grade,
    KeyPoint,
    Mode,
    PracticeSession,
    Question,
    Status,
    Topic,
)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    order = factory.Sequence(lambda n: n)


class KeyPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyPoint

    question = factory.SubFactory("quizzes.tests.factories.QuestionFactory", key_points=0)
    text = factory.Sequence(lambda n: f"Key point {n}")
    order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published question with three key points (`key_points=0` for none, or a list of texts)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"question-{n}")
    topic = factory.SubFactory(TopicFactory)
    prompt = factory.Sequence(lambda n: f"What is question {n} about?")
    answer = factory.Sequence(lambda n: f"Question {n} is about *something*.")
    difficulty = Difficulty.MEDIUM
    status = Status.PUBLISHED

    @factory.post_generation
    def key_points(obj, create, extracted, **kwargs):
        if not create:
            return
        texts = extracted if isinstance(extracted, list | tuple) else None
        if texts is None:
            count = 3 if extracted is None else int(extracted)
            texts = [f"Point {i + 1} of {obj.key}" for i in range(count)]
        KeyPoint.objects.bulk_create(
            KeyPoint(question=obj, text=text, order=i) for i, text in enumerate(texts)
        )


class PracticeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeSession
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    mode = Mode.RANDOM
    size = 10


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    session = factory.SubFactory(PracticeSessionFactory)
    user = factory.SelfAttribute("session.user")
    question = factory.SubFactory(QuestionFactory)
    grade = Grade.GOOD
    seconds_to_reveal = 30
    seconds_to_grade = 5
    answered_at = factory.LazyFunction(timezone.now)
