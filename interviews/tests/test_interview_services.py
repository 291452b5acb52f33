"""The interview's services: starting it and its server-side clock, follow-ups for missed key
points, how it ends, and the learner's data export."""

from datetime import timedelta

import pytest

from interviews import services
from interviews.models import AUTO_END_MARGIN
from interviews.tests.helpers import T0, start
from quizzes import services as practice_services
from quizzes.models import Answer, Card, FollowUp, Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_start_makes_an_interview_session_with_a_budget_per_question(learner):
    QuestionFactory.create_batch(12)

    interview = start(learner, minutes=30)

    assert services.plan(30) == (5, 270, 120)
    assert interview.session.mode == Mode.INTERVIEW
    assert interview.session.size == 5
    assert interview.deadline == T0 + timedelta(minutes=30)
    steps = list(interview.steps.all())
    assert [step.budget_seconds for step in steps] == [270] * 5
    assert steps[0].shown_at == T0 and all(step.shown_at is None for step in steps[1:])


def test_resuming_shows_the_time_left_on_the_server_clock(learner):
    QuestionFactory.create_batch(5)
    interview = start(learner)

    step = services.resume(interview=interview, now=T0 + timedelta(seconds=100))

    assert step.seconds_left(T0 + timedelta(seconds=100)) == 170
    assert step.revealed_at is None
    assert interview.seconds_left(T0 + timedelta(seconds=100)) == 30 * 60 - 100


def test_past_the_budget_the_server_reveals_at_the_budgets_end(learner):
    QuestionFactory.create_batch(5)
    interview = start(learner)

    step = services.resume(interview=interview, now=T0 + timedelta(seconds=400))

    assert step.auto_revealed
    assert step.revealed_at == T0 + timedelta(seconds=270)
    step.item.refresh_from_db()
    assert step.item.revealed_at == T0 + timedelta(seconds=270)


def test_a_reveal_after_the_budget_is_time_is_up_and_keeps_what_was_typed(learner):
    QuestionFactory.create_batch(5)
    interview = start(learner)
    step = services.current_step(interview)

    services.reveal(
        interview=interview, step=step, typed_answer="Late", now=T0 + timedelta(seconds=300)
    )

    step.refresh_from_db()
    assert (step.auto_revealed, step.typed_answer) == (True, "Late")
    assert step.revealed_at == T0 + timedelta(seconds=270)


def test_a_grade_after_the_budget_records_the_overtime_and_feeds_fsrs(learner):
    QuestionFactory.create_batch(5)
    interview = start(learner)
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
    interview = start(learner)
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
    interview = start(learner)
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


def test_an_interview_left_past_its_length_and_margin_ends_itself(learner):
    QuestionFactory.create_batch(5)
    interview = start(learner, minutes=30)
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
    interview = start(learner, minutes=30)
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
    interview = start(learner)
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
    start(other_learner)

    data = export_user_data(learner)["mock_interviews"]

    assert len(data) == 1
    assert [s["follow_up"] for s in data[0]["steps"]] == [None, "Always?"]
    assert data[0]["steps"][1]["typed_answer"] == "My follow-up answer"
    assert data[0]["session"] == str(interview.session_id)
