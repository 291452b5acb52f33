"""Which questions a mock interview asks: weak topics more often, the level's difficulty
first, a calculation when the topics have one, never drafts or other topics."""

import random
from collections import Counter

import pytest

from interviews import selection
from interviews.tests.helpers import forget
from quizzes.models import Kind
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_weak_topics_come_up_more_often(learner):
    weak, strong = TopicFactory(slug="weak"), TopicFactory(slug="strong")
    weak_questions = QuestionFactory.create_batch(30, topic=weak)
    strong_questions = QuestionFactory.create_batch(30, topic=strong)
    forget(learner, weak_questions, reviews=4, lapses=4)
    forget(learner, strong_questions, reviews=4, lapses=0)
    weights = selection.topic_weights(user=learner, topic_ids=[weak.pk, strong.pk])
    # Over the topic: 120 reviews, 120 lapses against 120 reviews, none forgotten.
    assert weights[weak.pk] == pytest.approx(0.5 + 2 * 121 / 122)
    assert weights[strong.pk] == pytest.approx(0.5 + 2 * 1 / 122)

    counts = Counter()
    rng = random.Random(7)
    for _ in range(200):
        ids = selection.choose(user=learner, topics=[], level="medium", size=5, rng=rng)
        counts.update("weak" if pk in {q.pk for q in weak_questions} else "strong" for pk in ids)

    # Weights 2.48 against 0.52: the weak topic takes most picks, the strong one some.
    assert counts["weak"] > 2 * counts["strong"] > 0


def test_the_level_favours_its_difficulty_and_orders_easiest_first(learner):
    topic = TopicFactory()
    for difficulty in ("easy", "medium", "hard"):
        QuestionFactory.create_batch(20, topic=topic, difficulty=difficulty)
    counts = Counter()
    rng = random.Random(3)
    for _ in range(100):
        ids = selection.choose(user=learner, topics=[topic], level="hard", size=6, rng=rng)
        difficulties = [
            dict(QuestionFactory._meta.model.objects.values_list("pk", "difficulty"))[pk]
            for pk in ids
        ]
        order = {"easy": 0, "medium": 1, "hard": 2}
        assert difficulties == sorted(difficulties, key=order.get)
        counts.update(difficulties)

    assert counts["hard"] > 2 * counts["medium"] > 2 * counts["easy"] > 0


def test_a_calculation_question_is_included_when_the_topics_have_one(learner):
    topic = TopicFactory()
    QuestionFactory.create_batch(40, topic=topic, tags="theory")
    # Only the kind makes a calculation: a recall question tagged so is not one.
    QuestionFactory(topic=topic, tags="calculation")
    calculation = QuestionFactory(
        topic=topic, kind=Kind.CALCULATION, expected=112, unit="GB", tolerance=0.05
    )
    for seed in range(20):
        ids = selection.choose(
            user=learner, topics=[topic], level="medium", size=5, rng=random.Random(seed)
        )
        assert calculation.pk in ids
        assert len(ids) == 5


def test_drafts_and_other_topics_are_never_chosen(learner):
    topic, other = TopicFactory(), TopicFactory()
    published = QuestionFactory.create_batch(3, topic=topic)
    QuestionFactory(topic=topic, status="draft")
    QuestionFactory(topic=other)

    ids = selection.choose(
        user=learner, topics=[topic], level="easy", size=10, rng=random.Random(1)
    )

    assert sorted(ids) == sorted(q.pk for q in published)
