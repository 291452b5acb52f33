"""Follow-up questions in bank files: loading, keeping editors' edits, exporting."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from reversion.models import Version

from interviews import services as interviews
from quizzes.bank import export_bank, load_bank
from quizzes.models import FollowUp, Question

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "follow-ups.yaml"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "bank"
QUESTION = {
    "key": "adam-bias",
    "topic": "optimisation",
    "difficulty": "medium",
    "status": "published",
    "prompt": "Why does Adam need bias correction?",
    "answer": "Its moments start at zero.",
    "key_points": ["Moments start at zero", "Early estimates are biased", "Divide by 1 - beta^t"],
}
TOPIC = {"slug": "optimisation", "name": "Optimisation"}


def _file(tmp_path, *, follow_ups, questions=(QUESTION,), name="bank.yaml") -> Path:
    data = {"format": "prepsite-question-bank", "version": 1, "follow_ups": list(follow_ups)}
    if questions:
        data["topics"] = [TOPIC]
        data["questions"] = list(questions)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _follow_up(**overrides) -> dict:
    record = {
        "question": "adam-bias",
        "after_missing": 3,
        "prompt": "What is the correction factor after ten steps?",
        "answer": "1 - beta^10.",
    }
    record.update(overrides)
    return record


def test_the_fixture_loads_onto_the_shipped_bank_and_a_second_load_changes_nothing():
    # The shipped questions without the shipped follow-ups, which the fixture would replace.
    load_bank(sorted(path for path in SHIPPED.glob("*.yaml") if path.name != "follow-ups.yaml"))

    summary = load_bank(FIXTURE)

    assert summary.follow_ups_created == 3
    scaled = FollowUp.objects.get(question__key="transformers-scaled-dot-product")
    assert scaled.after_missing == 5
    assert "sqrt{d_k}" in scaled.prompt
    assert (
        FollowUp.objects.get(question__key="optimisation-adam-bias-correction").after_missing
        is None
    )
    again = load_bank(FIXTURE)
    assert (again.follow_ups_created, again.follow_ups_updated, again.follow_ups_deleted) == (
        0,
        0,
        0,
    )
    assert FollowUp.objects.count() == 3


def test_follow_ups_may_sit_next_to_their_question_and_keep_the_file_order(tmp_path):
    path = _file(tmp_path, follow_ups=[_follow_up(), _follow_up(after_missing=None, prompt="Why?")])

    load_bank(path)

    rows = list(FollowUp.objects.filter(question__key="adam-bias"))
    assert [(row.order, row.after_missing) for row in rows] == [(0, 3), (1, None)]
    # The question's revision holds its follow-ups (reversion follows them).
    version = Version.objects.get_for_object(Question.objects.get(key="adam-bias")).first()
    assert {v.object_id for v in version.revision.version_set.get_for_model(FollowUp)} == {
        str(row.pk) for row in rows
    }


def test_an_edited_follow_up_is_kept_and_an_unedited_one_updated(tmp_path):
    load_bank(_file(tmp_path, follow_ups=[_follow_up(), _follow_up(prompt="Second?")]))
    first, second = FollowUp.objects.all()
    first.prompt = "An editor's better wording?"
    first.save()

    summary = load_bank(
        _file(tmp_path, follow_ups=[_follow_up(prompt="File v2?"), _follow_up(prompt="Second v2?")])
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.prompt == "An editor's better wording?"
    assert second.prompt == "Second v2?"
    assert summary.follow_ups_kept == ["adam-bias follow-up 1"]
    assert summary.follow_ups_updated == 1
    assert "follow-ups kept: edited in the admin: adam-bias follow-up 1" in str(summary)


def test_a_follow_up_dropped_from_the_file_goes_unless_an_editor_made_or_changed_it(tmp_path):
    load_bank(_file(tmp_path, follow_ups=[_follow_up(), _follow_up(prompt="Second?")]))
    question = Question.objects.get(key="adam-bias")
    FollowUp.objects.create(question=question, order=5, prompt="Editor's own?", answer="Yes.")

    summary = load_bank(_file(tmp_path, follow_ups=[_follow_up()]))

    assert summary.follow_ups_deleted == 1
    assert sorted(FollowUp.objects.values_list("prompt", flat=True)) == [
        "Editor's own?",
        "What is the correction factor after ten steps?",
    ]


def test_a_questions_only_file_leaves_follow_ups_alone(tmp_path):
    load_bank(_file(tmp_path, follow_ups=[_follow_up()]))

    load_bank(_file(tmp_path, follow_ups=[]))

    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (_follow_up(question="no-such-question"), "no question 'no-such-question'"),
        (_follow_up(after_missing=4), "has 3 key points, so there is no key point 4"),
        (_follow_up(after_missing=0), "field 'after_missing' must be a key point's number"),
        (_follow_up(after_missing="two"), "field 'after_missing' must be a key point's number"),
        (_follow_up(prompt=""), "field 'prompt' must not be empty"),
        (_follow_up(answer="x" * 20_001), "field 'answer' is 20001 characters; at most 20000"),
        ({**_follow_up(), "trigger": 2}, "unknown field 'trigger'"),
        ("just text", "must be a mapping with question, prompt and answer"),
    ],
)
def test_a_bad_follow_up_rejects_the_whole_load_naming_file_and_line(tmp_path, record, message):
    path = _file(tmp_path, follow_ups=[record])

    with pytest.raises(ValidationError) as caught:
        load_bank(path)

    text = " ".join(caught.value.messages)
    assert message in text
    assert "bank.yaml:" in text and "follow-up 1" in text
    assert not Question.objects.exists()


def test_the_key_point_number_is_checked_against_the_database_when_the_question_is_not_loaded(
    tmp_path,
):
    load_bank(_file(tmp_path, follow_ups=[]))
    path = _file(tmp_path, follow_ups=[_follow_up(after_missing=4)], questions=(), name="f.yaml")

    with pytest.raises(ValidationError, match="has 3 key points"):
        load_bank(path)


def test_export_writes_follow_ups_that_load_back_unchanged(tmp_path):
    load_bank(_file(tmp_path, follow_ups=[_follow_up(), _follow_up(after_missing=None)]))
    stream = io.StringIO()

    export_bank(stream, "yaml")

    data = yaml.safe_load(stream.getvalue())
    assert [record.get("after_missing") for record in data["follow_ups"]] == [3, None]
    assert "after_missing" not in data["follow_ups"][1]
    exported = tmp_path / "exported.yaml"
    exported.write_text(stream.getvalue(), encoding="utf-8")
    summary = load_bank(exported)
    assert (summary.follow_ups_created, summary.follow_ups_updated) == (0, 0)
    assert not summary.follow_ups_kept


def test_a_follow_up_asked_in_an_interview_is_kept_when_the_file_drops_it(tmp_path, learner):
    first, asked = _follow_up(), _follow_up(after_missing=None, prompt="Always asked?")
    load_bank(_file(tmp_path, follow_ups=[first, asked]))
    interview = interviews.start_interview(user=learner, minutes=30, level="medium")
    step = interviews.current_step(interview)
    interviews.reveal(interview=interview, step=step, typed_answer="")
    every_point = list(step.item.question.key_points.values_list("pk", flat=True))
    interviews.grade_question(interview=interview, step=step, grade=3, key_point_ids=every_point)
    assert [s.follow_up.prompt for s in interview.steps.filter(sub__gt=0)] == ["Always asked?"]

    summary = load_bank(_file(tmp_path, follow_ups=[first]))

    assert summary.follow_ups_deleted == 0
    assert summary.follow_ups_kept == ["adam-bias follow-up 2 (asked in interviews)"]
    assert FollowUp.objects.count() == 2
