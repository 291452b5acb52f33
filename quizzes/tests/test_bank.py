import io
import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.bank import export_bank, load_bank
from quizzes.models import KeyPoint, Question, Status, Topic
from quizzes.models.questions import render_digest
from quizzes.rendering import render_markdown
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _question(key: str, **overrides) -> dict:
    record = {
        "key": key,
        "topic": "optimisation",
        "difficulty": "medium",
        "status": "published",
        "tags": ["optimisers", "adam"],
        "source": "Kingma & Ba (2015)",
        "prompt": f"Why does {key} matter? Use $\\beta_1^t$.\n",
        "answer": "Because $m_0 = 0$.\n\n```python\nm = 0\n```\n",
        "key_points": ["Moments start at zero", "Early estimates are biased"],
    }
    record.update(overrides)
    return record


def _bank(*questions: dict, topics=None) -> dict:
    if topics is None:
        topics = [{"slug": "optimisation", "name": "Optimisation", "order": 50}]
    return {
        "format": "prepsite-question-bank",
        "version": 1,
        "topics": topics,
        "questions": list(questions),
    }


def _write(tmp_path: Path, data: dict, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _counts() -> tuple[int, int, int]:
    return Topic.objects.count(), Question.objects.count(), KeyPoint.objects.count()


def test_load_creates_topics_questions_and_key_points(tmp_path):
    path = _write(tmp_path, _bank(_question("adam-bias"), _question("sgd-momentum")))

    summary = load_bank(path)

    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    assert summary.topics_created == 1
    question = Question.objects.get(key="adam-bias")
    assert question.topic.slug == "optimisation"
    assert question.status == Status.PUBLISHED
    assert question.tags == "optimisers, adam"
    assert question.prompt == "Why does adam-bias matter? Use $\\beta_1^t$."
    assert list(question.key_points.values_list("text", flat=True)) == [
        "Moments start at zero",
        "Early estimates are biased",
    ]
    assert str(summary) == (
        "Questions: 2 new, 0 updated, 0 unchanged; topics: 1 new; "
        "follow-ups: 0 new, 0 updated, 0 removed (from 1 file)."
    )
    # Stored rendered, though the loader writes in bulk (bypassing Question.save).
    assert question.rendered_from == render_digest(question.prompt, question.answer)
    assert question.prompt_rendered == render_markdown(question.prompt)


def test_second_load_is_a_no_op(tmp_path, django_assert_max_num_queries):
    path = _write(tmp_path, _bank(*(_question(f"q-{i}") for i in range(30))))
    load_bank(path)
    before = list(Question.objects.values_list("key", "updated_at"))
    point_ids = set(KeyPoint.objects.values_list("id", flat=True))

    # Savepoint, topic slugs, topic names, topics, questions, key points, release:
    # no write and nothing per question.
    with django_assert_max_num_queries(7):
        summary = load_bank(path)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 30)
    assert summary.topics_created == 0
    assert list(Question.objects.values_list("key", "updated_at")) == before
    assert set(KeyPoint.objects.values_list("id", flat=True)) == point_ids


def test_changes_are_detected_and_key_points_replaced_only_when_changed(tmp_path):
    load_bank(_write(tmp_path, _bank(_question("a"), _question("b"), _question("c"))))
    b_points = set(KeyPoint.objects.filter(question__key="b").values_list("id", flat=True))

    changed = _bank(
        _question("a", answer="A better answer."),
        _question("b"),
        _question("c", key_points=["Only one point now"]),
    )
    summary = load_bank(_write(tmp_path, changed))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 1)
    assert sorted(summary.updated_keys) == ["a", "c"]
    assert Question.objects.get(key="a").answer == "A better answer."
    assert list(KeyPoint.objects.filter(question__key="c").values_list("text", flat=True)) == [
        "Only one point now"
    ]
    assert set(KeyPoint.objects.filter(question__key="b").values_list("id", flat=True)) == b_points


def test_admin_edits_in_crlf_do_not_count_as_changes(tmp_path):
    path = _write(tmp_path, _bank(_question("a", prompt="Line one\nline two")))
    load_bank(path)
    Question.objects.filter(key="a").update(prompt="Line one\r\nline two\r\n")

    assert load_bank(path).unchanged == 1


def test_topic_may_already_exist_in_the_database(tmp_path):
    TopicFactory(slug="cnn", name="CNNs")
    path = _write(tmp_path, _bank(_question("conv", topic="cnn"), topics=[]))

    summary = load_bank(path)

    assert summary.created == 1
    assert Question.objects.get(key="conv").topic.name == "CNNs"


def test_topic_changes_are_updated(tmp_path):
    load_bank(_write(tmp_path, _bank(_question("a"))))
    topics = [{"slug": "optimisation", "name": "Optimisers", "order": 5, "description": "New"}]

    summary = load_bank(_write(tmp_path, _bank(_question("a"), topics=topics)))

    assert summary.topics_updated == 1
    topic = Topic.objects.get(slug="optimisation")
    assert (topic.name, topic.order, topic.description) == ("Optimisers", 5, "New")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            _question("no-answer", answer=None),
            "question 2 (key 'no-answer'): field 'answer' is required",
        ),
        (
            _question("blank-prompt", prompt="   "),
            "question 2 (key 'blank-prompt'): field 'prompt' must not be empty",
        ),
        (
            _question("bad-difficulty", difficulty="brutal"),
            "question 2 (key 'bad-difficulty'): field 'difficulty' must be one of easy, medium, "
            "hard, not 'brutal'",
        ),
        (
            _question("bad-status", status="live"),
            "question 2 (key 'bad-status'): field 'status' must be one of draft, published",
        ),
        (
            _question("long-point", key_points=["ok", "x" * 141]),
            "question 2 (key 'long-point'): field 'key_points' item 2 is 141 characters; "
            "at most 140",
        ),
        (
            _question("no-points", key_points=[]),
            "question 2 (key 'no-points'): field 'key_points' has 0 items; it needs 1 to 10",
        ),
        (
            _question("many-points", key_points=[f"p{i}" for i in range(11)]),
            "question 2 (key 'many-points'): field 'key_points' has 11 items",
        ),
        (
            _question("mapping-point", key_points=[{"Local connectivity": "small window"}]),
            "question 2 (key 'mapping-point'): field 'key_points' item 1 was read as a mapping",
        ),
        (
            _question("ok-again"),
            "question 2 (key 'ok-again'): field 'key': 'ok-again' is also used at bank.yaml: "
            "question 1",
        ),
        (
            _question("lost", topic="astrology"),
            "question 2 (key 'lost'): field 'topic': no topic 'astrology'",
        ),
        (
            _question("Bad Key"),
            "question 2 (key 'Bad Key'): field 'key' must be 1–100 lowercase letters",
        ),
        (
            _question("bad-tags", tags="adam"),
            "question 2 (key 'bad-tags'): field 'tags' must be a list of text",
        ),
        (
            _question("long-source", source="s" * 301),
            "question 2 (key 'long-source'): field 'source' is 301 characters; at most 300",
        ),
        (
            _question("typo", keypoints=["x"]),
            "question 2 (key 'typo'): unknown field 'keypoints'",
        ),
    ],
)
def test_a_bad_record_rejects_the_whole_file(tmp_path, record, expected):
    existing = QuestionFactory(key="existing", prompt="Unchanged")
    # The duplicate-key case needs its twin first; every other case a good record.
    first = _question("ok-again" if record["key"] == "ok-again" else "fine")
    path = _write(tmp_path, _bank(first, record))
    before = _counts()

    with pytest.raises(ValidationError) as caught:
        load_bank(path)

    # Each message starts with the file and the record's line: "bank.yaml:12: question 2".
    without_lines = [re.sub(r"bank\.yaml:\d+: ", "bank.yaml: ", m) for m in caught.value.messages]
    assert any(message.startswith(f"bank.yaml: {expected}") for message in without_lines), (
        caught.value.messages
    )
    assert _counts() == before
    assert not Question.objects.filter(key__in=["fine", "ok-again"]).exists()
    existing.refresh_from_db()
    assert existing.prompt == "Unchanged"


def test_a_bad_file_stops_the_good_files_loaded_with_it(tmp_path):
    good = _write(tmp_path, _bank(_question("good")), "a.yaml")
    bad = _write(tmp_path, _bank(_question("bad", difficulty="x"), topics=[]), "b.yaml")

    with pytest.raises(ValidationError, match="b.yaml:5: question 1 \\(key 'bad'\\)"):
        load_bank([good, bad])

    assert _counts() == (0, 0, 0)


def test_every_problem_in_a_file_is_reported(tmp_path):
    path = _write(
        tmp_path, _bank(_question("a", difficulty="x"), _question("b", key_points=["y" * 200]))
    )

    with pytest.raises(ValidationError) as caught:
        load_bank(path)

    assert len(caught.value.messages) == 2


def test_wrong_format_header_and_broken_yaml(tmp_path):
    wrong = _write(tmp_path, {"format": "something-else", "version": 1, "questions": []})
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions: [unclosed\n", encoding="utf-8")

    with pytest.raises(ValidationError, match="field 'format' must be 'prepsite-question-bank'"):
        load_bank(wrong)
    with pytest.raises(ValidationError, match="broken.yaml: not valid YAML"):
        load_bank(broken)


def test_export_then_import_round_trips(tmp_path):
    draft = QuestionFactory(
        key="draft-one",
        status=Status.DRAFT,
        prompt="Multi-line\n\n$$\\frac{a}{b}$$",
        tags="x, y",
        source="Somewhere",
    )
    QuestionFactory(key="published-one", topic=draft.topic)
    before = {
        q.key: (q.topic.slug, q.prompt, q.answer, q.status, q.tags, q.source)
        for q in Question.objects.select_related("topic")
    }
    points_before = sorted(KeyPoint.objects.values_list("question__key", "order", "text"))

    for name, fmt in [("bank.yaml", "yaml"), ("bank.json", "json")]:
        path = tmp_path / name
        assert export_bank(path, fmt) == 2
        assert load_bank(path).unchanged == 2

    Question.objects.all().delete()
    Topic.objects.all().delete()
    summary = load_bank(tmp_path / "bank.yaml")

    assert (summary.created, summary.topics_created) == (2, 1)
    after = {
        q.key: (q.topic.slug, q.prompt, q.answer, q.status, q.tags, q.source)
        for q in Question.objects.select_related("topic")
    }
    assert after == before
    assert sorted(KeyPoint.objects.values_list("question__key", "order", "text")) == points_before


def test_export_to_a_stream():
    QuestionFactory(key="streamed")
    stream = io.StringIO()

    assert export_bank(stream, "json") == 1

    data = json.loads(stream.getvalue())
    assert data["format"] == "prepsite-question-bank"
    assert data["questions"][0]["key"] == "streamed"
    assert len(data["questions"][0]["key_points"]) == 3


def test_drafts_are_never_selectable_for_practice(tmp_path):
    path = _write(tmp_path, _bank(_question("live"), _question("wip", status="draft")))
    load_bank(path)

    assert list(Question.objects.published().values_list("key", flat=True)) == ["live"]


def test_status_defaults_to_draft(tmp_path):
    record = _question("unsure")
    del record["status"]
    load_bank(_write(tmp_path, _bank(record)))

    assert Question.objects.get(key="unsure").status == Status.DRAFT
    assert not Question.objects.published().exists()


def test_load_command_prints_progress_and_summary(tmp_path):
    path = _write(tmp_path, _bank(*(_question(f"q-{i}") for i in range(250))))
    out = io.StringIO()

    call_command("load_question_bank", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "  100 of 250 questions",
        "  200 of 250 questions",
        "  250 of 250 questions",
    ]
    assert lines[-1] == (
        "Questions: 250 new, 0 updated, 0 unchanged; topics: 1 new; "
        "follow-ups: 0 new, 0 updated, 0 removed (from 1 file)."
    )


def test_load_command_reports_validation_errors(tmp_path):
    path = _write(tmp_path, _bank(_question("bad", difficulty="x")))

    with pytest.raises(CommandError, match="nothing was changed(.|\\n)*field 'difficulty'"):
        call_command("load_question_bank", str(path), stdout=io.StringIO())
    assert Question.objects.count() == 0


def test_export_command_picks_format_from_extension(tmp_path):
    QuestionFactory(key="exported")
    out = io.StringIO()

    call_command("export_question_bank", str(tmp_path / "bank.yml"), stdout=out)
    call_command("export_question_bank", str(tmp_path / "bank.json"), stdout=io.StringIO())

    assert "Exported 1 questions" in out.getvalue()
    assert yaml.safe_load((tmp_path / "bank.yml").read_text())["questions"][0]["key"] == "exported"
    assert json.loads((tmp_path / "bank.json").read_text())["questions"][0]["key"] == "exported"
    with pytest.raises(CommandError, match="use a .yaml, .yml or .json"):
        call_command("export_question_bank", str(tmp_path / "bank.csv"))
