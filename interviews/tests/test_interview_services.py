"""The interview's selection, server-side clock, follow-ups, report figures and end."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews import selection, services
from interviews.models import AUTO_END_MARGIN, Interview
from interviews.scoring import build_report
from quizzes import services as practice_services
from quizzes.models import Answer, Card, FollowUp, Grade, Kind, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def _start(user, *, minutes=30, level="medium", topics=(), seed=1, **kwargs) -> Interview:
    return services.start_interview(
        user=user,
        minutes=minutes,
        level=level,
        topics=topics,
        now=T0,
        rng=random.Random(seed),
        **kwargs,
    )


def _forget(user, questions, *, reviews: int, lapses: int) -> None:
    for question in questions:
        Card.objects.create(
            user=user, question=question, state=2, due=T0, reviews=reviews, lapses=lapses
        )


# Selection -------------------------------------------------------------------------------


def test_weak_topics_come_up_more_often(learner):
    weak, strong = TopicFactory(slug="weak"), TopicFactory(slug="strong")
    weak_questions = QuestionFactory.create_batch(30, topic=weak)
    strong_questions = QuestionFactory.create_batch(30, topic=strong)
    _forget(learner, weak_questions, reviews=4, lapses=4)
    _forget(learner, strong_questions, reviews=4, lapses=0)
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


# Start and the clock ---------------------------------------------------------------------


def test_start_makes_an_interview_session_with_a_budget_per_question(learner):
    QuestionFactory.create_batch(12)

    interview = _start(learner, minutes=30)

    assert services.plan(30) == (5, 270, 120)
    assert interview.session.mode == Mode.INTERVIEW
    assert interview.session.size == 5
    assert interview.deadline == T0 + timedelta(minutes=30)
    steps = list(interview.steps.all())
    assert [step.budget_seconds for step in steps] == [270] * 5
    assert steps[0].shown_at == T0 and all(step.shown_at is None for step in steps[1:])


def test_resuming_shows_the_time_left_on_the_server_clock(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)

    step = services.resume(interview=interview, now=T0 + timedelta(seconds=100))

    assert step.seconds_left(T0 + timedelta(seconds=100)) == 170
    assert step.revealed_at is None
    assert interview.seconds_left(T0 + timedelta(seconds=100)) == 30 * 60 - 100


def test_past_the_budget_the_server_reveals_at_the_budgets_end(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)

    step = services.resume(interview=interview, now=T0 + timedelta(seconds=400))

    assert step.auto_revealed
    assert step.revealed_at == T0 + timedelta(seconds=270)
    step.item.refresh_from_db()
    assert step.item.revealed_at == T0 + timedelta(seconds=270)


def test_a_reveal_after_the_budget_is_time_is_up_and_keeps_what_was_typed(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)
    step = services.current_step(interview)

    services.reveal(
        interview=interview, step=step, typed_answer="Late", now=T0 + timedelta(seconds=300)
    )

    step.refresh_from_db()
    assert (step.auto_revealed, step.typed_answer) == (True, "Late")
    assert step.revealed_at == T0 + timedelta(seconds=270)


def test_a_grade_after_the_budget_records_the_overtime_and_feeds_fsrs(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0 + timedelta(seconds=60))
    points = list(step.item.question.key_points.values_list("pk", flat=True))

    graded = services.grade_question(
        interview=interview,
        step=step,
        grade=Grade.GOOD,
        key_point_ids=points,
        now=T0 + timedelta(seconds=300),
    )

    assert graded
    step.refresh_from_db()
    assert step.overtime_seconds == 30
    answer = Answer.objects.get(session=interview.session)
    assert (answer.grade, answer.seconds_to_reveal) == (Grade.GOOD, 60)
    assert Card.objects.get(user=learner, question=step.item.question).reviews == 1
    following = services.current_step(interview)
    assert (following.position, following.shown_at) == (1, T0 + timedelta(seconds=300))


def test_a_grade_within_the_budget_has_no_overtime(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0 + timedelta(seconds=10))

    services.grade_question(
        interview=interview,
        step=step,
        grade=Grade.GOOD,
        key_point_ids=[],
        now=T0 + timedelta(seconds=20),
    )

    step.refresh_from_db()
    assert step.overtime_seconds == 0


# Follow-ups ------------------------------------------------------------------------------


def _one_question_interview(learner, *follow_ups):
    question = QuestionFactory(key_points=["First", "Second", "Third"])
    for order, (after, prompt) in enumerate(follow_ups):
        FollowUp.objects.create(
            question=question, after_missing=after, prompt=prompt, answer="Ref.", order=order
        )
    interview = _start(learner)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0 + timedelta(seconds=5))
    return interview, step, list(question.key_points.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        ([0, 1, 2], ["Always?"]),
        ([0, 2], ["After second?", "Always?"]),
        ([1, 2], ["Always?"]),
        ([], ["After second?", "Always?"]),
    ],
    ids=["all-ticked", "second-missed", "first-missed", "none-ticked"],
)
def test_follow_ups_come_only_for_their_missed_point(learner, ticked, expected):
    interview, step, points = _one_question_interview(
        learner, (2, "After second?"), (None, "Always?")
    )

    services.grade_question(
        interview=interview,
        step=step,
        grade=Grade.HARD,
        key_point_ids=[points[i] for i in ticked],
        now=T0 + timedelta(seconds=30),
    )

    asked = list(interview.steps.filter(sub__gt=0).select_related("follow_up"))
    assert [s.follow_up.prompt for s in asked] == expected
    following = services.current_step(interview)
    assert following.follow_up.prompt == expected[0]
    assert following.shown_at == T0 + timedelta(seconds=30)
    assert following.budget_seconds == interview.follow_up_seconds


def test_at_most_two_follow_ups_per_question(learner):
    interview, step, _ = _one_question_interview(learner, (1, "One?"), (2, "Two?"), (3, "Three?"))

    services.grade_question(
        interview=interview, step=step, grade=Grade.AGAIN, key_point_ids=[], now=T0
    )

    assert interview.steps.filter(sub__gt=0).count() == services.MAX_FOLLOW_UPS


def test_answering_the_last_follow_up_ends_the_interview(learner):
    interview, step, points = _one_question_interview(learner, (1, "One?"))
    services.grade_question(
        interview=interview, step=step, grade=Grade.HARD, key_point_ids=points[1:], now=T0
    )
    follow_up = services.current_step(interview)
    services.reveal(interview=interview, step=follow_up, typed_answer="Hm", now=T0)

    services.answer_follow_up(
        interview=interview, step=follow_up, covered=False, now=T0 + timedelta(seconds=200)
    )

    interview.refresh_from_db()
    follow_up.refresh_from_db()
    assert interview.is_finished and not interview.ended_automatically
    assert (follow_up.covered, follow_up.overtime_seconds) == (False, 200 - 120)
    assert interview.score_percent == 67


def test_a_second_grade_of_the_same_step_changes_nothing(learner):
    interview, step, _ = _one_question_interview(learner)
    services.grade_question(interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[])

    again = services.grade_question(
        interview=interview, step=step, grade=Grade.AGAIN, key_point_ids=[]
    )

    assert not again
    assert Answer.objects.get().grade == Grade.GOOD


# The report ------------------------------------------------------------------------------


def test_the_report_figures_from_known_answers(learner):
    maths, vision = TopicFactory(name="Maths", slug="maths"), TopicFactory(name="Vision", slug="v")
    easy = QuestionFactory(topic=maths, difficulty="easy", key_points=["A", "B"])
    hard = QuestionFactory(topic=vision, difficulty="hard", key_points=["C", "D", "E", "F"])
    FollowUp.objects.create(question=hard, after_missing=3, prompt="Why E?", answer="Because.")
    interview = _start(learner, minutes=12, level="medium")
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


# Ending ----------------------------------------------------------------------------------


def test_an_interview_left_past_its_length_and_margin_ends_itself(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner, minutes=30)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0)
    services.grade_question(
        interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[], now=T0
    )
    just_in_time = T0 + timedelta(minutes=30) + AUTO_END_MARGIN

    assert services.end_overdue(user=learner, now=just_in_time) == 0
    assert services.end_overdue(user=learner, now=just_in_time + timedelta(seconds=1)) == 1

    interview.refresh_from_db()
    assert interview.ended_automatically
    assert interview.finished_at == just_in_time
    assert interview.score_percent == 0
    session = PracticeSession.objects.get(pk=interview.session_id)
    assert session.finished_at == just_in_time and session.answered == 1


def test_no_next_question_once_the_interview_time_is_over(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner, minutes=30)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0)

    services.grade_question(
        interview=interview,
        step=step,
        grade=Grade.GOOD,
        key_point_ids=[],
        now=T0 + timedelta(minutes=31),
    )

    interview.refresh_from_db()
    assert interview.is_finished and not interview.ended_automatically


def test_abandoning_its_practice_session_ends_the_interview(learner):
    QuestionFactory.create_batch(5)
    interview = _start(learner)
    step = services.current_step(interview)
    services.reveal(interview=interview, step=step, typed_answer="", now=T0)
    services.grade_question(
        interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[], now=T0
    )
    practice_services.abandon_session(session=interview.session)

    assert services.resume(interview=interview, now=T0 + timedelta(seconds=5)) is None

    interview.refresh_from_db()
    assert interview.is_finished and not interview.ended_automatically


def test_the_learners_data_export_holds_their_interviews_and_nobody_elses(learner, other_learner):
    from accounts.export import export_user_data

    interview, step, _ = _one_question_interview(learner, (None, "Always?"))
    services.grade_question(
        interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[], now=T0
    )
    follow_up = services.current_step(interview)
    services.reveal(interview=interview, step=follow_up, typed_answer="My follow-up answer")
    _start(other_learner)

    data = export_user_data(learner)["mock_interviews"]

    assert len(data) == 1
    assert [s["follow_up"] for s in data[0]["steps"]] == [None, "Always?"]
    assert data[0]["steps"][1]["typed_answer"] == "My follow-up answer"
    assert data[0]["session"] == str(interview.session_id)
