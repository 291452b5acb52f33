"""The dashboard's calibration figures and "Points you keep missing"."""

import pytest
from django.urls import reverse

from accounts.calibration import calibration, points_kept_missing
from quizzes import services
from quizzes.models import Grade, Mode, SessionItem
from quizzes.tests.factories import AnswerFactory, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _answers(user, topic, confidence, grades):
    for grade in grades:
        AnswerFactory(
            session__user=user,
            question=QuestionFactory(topic=topic),
            grade=grade,
            confidence=confidence,
        )


def test_calibration_counts_recall_per_confidence_and_flags_overconfidence(learner, other_learner):
    transformers = TopicFactory(name="Transformers")
    cnn = TopicFactory(name="CNNs")
    # Sure on transformers: recalled 1 of 4 -> overconfident. Sure on CNNs: 3 of 3.
    _answers(learner, transformers, "sure", [Grade.AGAIN, Grade.AGAIN, Grade.AGAIN, Grade.GOOD])
    _answers(learner, cnn, "sure", [Grade.GOOD, Grade.EASY, Grade.HARD])
    _answers(learner, cnn, "guessing", [Grade.AGAIN, Grade.GOOD])
    _answers(learner, cnn, "", [Grade.AGAIN])  # said nothing: not counted
    _answers(other_learner, cnn, "unsure", [Grade.AGAIN])  # someone else's
    result = calibration(learner)
    levels = {level.confidence: level for level in result.levels}
    assert (levels["sure"].answers, levels["sure"].recalled, levels["sure"].percent) == (7, 4, 57)
    assert (levels["unsure"].answers, levels["unsure"].percent) == (0, None)
    assert (levels["guessing"].answers, levels["guessing"].percent) == (2, 50)
    assert [(row.topic, row.answers, row.recalled) for row in result.overconfident] == [
        ("Transformers", 4, 1)
    ]


def test_two_sure_misses_are_not_yet_a_flag(learner):
    _answers(learner, TopicFactory(name="RNNs"), "sure", [Grade.AGAIN, Grade.AGAIN])
    assert calibration(learner).overconfident == []


def test_the_dashboard_shows_calibration_and_missed_points(learner_client, learner):
    topic = TopicFactory(name="Transformers")
    _answers(learner, topic, "sure", [Grade.AGAIN, Grade.AGAIN, Grade.GOOD])
    question = QuestionFactory(topic=topic, key_points=["Scale by sqrt(d_k)", "Softmax"])
    for _ in range(2):
        session = services.start_session(
            user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
        ).session
        item = SessionItem.objects.get(session=session)
        services.reveal(item=item, typed_answer="", session=session)
        services.record_grade(
            session=session,
            item=item,
            grade=Grade.HARD,
            key_point_ids=[question.key_points.last().pk],
        )
    html = learner_client.get(reverse("dashboard")).text
    assert "How sure you were" in html
    sure = '<tr data-confidence="sure"><th scope="row">Sure</th>'
    assert sure + '<td class="num">3</td><td class="num">33%</td>' in html
    assert "Transformers: you said Sure 3 times and recalled 1." in html
    assert "Points you keep missing" in html
    assert "<strong>Scale by sqrt(d_k)</strong>" in html and "missed 2 of 2 times" in html
    assert "<strong>Softmax</strong>" not in html
    assert 'name="mode" value="points"' in html


def test_a_point_hit_after_misses_leaves_the_list(learner):
    question = QuestionFactory(key_points=["One", "Two"])
    one, two = question.key_points.all()
    for ticks in ([two.pk], [two.pk], [one.pk, two.pk]):
        session = services.start_session(
            user=learner, mode=Mode.RANDOM, size=1, question_ids=[question.pk]
        ).session
        item = SessionItem.objects.get(session=session)
        assert services.record_grade(
            session=session, item=item, grade=Grade.GOOD, key_point_ids=ticks
        ).recorded
        if ticks == [two.pk]:
            assert [m.key_point_id for m in points_kept_missing(learner)] in ([], [one.pk])
    assert points_kept_missing(learner) == []
