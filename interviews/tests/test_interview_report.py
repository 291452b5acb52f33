"""The interview's report: its figures from known answers."""

from datetime import timedelta

import pytest

from interviews import services
from interviews.scoring import build_report
from interviews.tests.helpers import T0, start
from quizzes.models import FollowUp, Grade
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_report_figures_from_known_answers(learner):
    maths, vision = TopicFactory(name="Maths", slug="maths"), TopicFactory(name="Vision", slug="v")
    easy = QuestionFactory(topic=maths, difficulty="easy", key_points=["A", "B"])
    hard = QuestionFactory(topic=vision, difficulty="hard", key_points=["C", "D", "E", "F"])
    FollowUp.objects.create(question=hard, after_missing=3, prompt="Why E?", answer="Because.")
    interview = start(learner, minutes=12, level="medium")
    assert [s.item.question for s in interview.steps.select_related("item__question")] == [
        easy,
        hard,
    ]
    budget = interview.question_seconds  # 12 minutes, 2 questions: 270 s each
    first = services.current_step(interview)
    services.reveal(
        interview=interview, step=first, typed_answer="", now=T0 + timedelta(seconds=40)
    )
    services.grade_question(
        interview=interview,
        step=first,
        grade=Grade.GOOD,
        key_point_ids=list(easy.key_points.values_list("pk", flat=True)),
        now=T0 + timedelta(seconds=60),
    )
    second = services.current_step(interview)
    services.resume(interview=interview, now=T0 + timedelta(seconds=60 + budget + 1))
    c_and_d = list(hard.key_points.values_list("pk", flat=True))[:2]
    services.grade_question(
        interview=interview,
        step=second,
        grade=Grade.AGAIN,
        key_point_ids=c_and_d,
        now=T0 + timedelta(seconds=60 + budget + 50),
    )
    follow_up = services.current_step(interview)
    services.reveal(
        interview=interview, step=follow_up, typed_answer="", now=T0 + timedelta(seconds=400)
    )
    services.answer_follow_up(
        interview=interview, step=follow_up, covered=False, now=T0 + timedelta(seconds=410)
    )

    interview.refresh_from_db()
    report = build_report(interview)

    assert report.score == 67  # 2 of 2 and 2 of 4: 4 of 6 key points
    assert interview.score_percent == 67
    assert (report.answered, report.asked) == (2, 2)
    assert [(t.name, t.covered, t.points, t.percent) for t in report.topics] == [
        ("Vision", 2, 4, 50),
        ("Maths", 2, 2, 100),
    ]
    assert [(r["label"], r["taken"], r["step"].overtime_seconds) for r in report.steps] == [
        ("1", 60, 0),
        ("2", budget + 50, 50),
        ("Follow-up to 2", 410 - (60 + budget + 50), 0),
    ]
    assert report.steps[1]["step"].auto_revealed
    assert report.total_overtime == 50
    assert [(f["missed_point"], f["result"]) for f in report.follow_ups] == [("E", "Missed")]
    assert [entry["question"] for entry in report.study_next] == [hard]
    assert report.study_next[0]["url"] == f"/practice/{interview.session_id}/questions/1/"
    assert report.study_ids == [hard.pk]
