"""The importer refuses hostile and malformed files quickly, says where, and writes nothing."""

import json
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.bank import fields as bank_fields
from quizzes.bank import load_bank
from quizzes.bank import validate as bank_validate
from quizzes.models import MAX_TEXT_LENGTH, KeyPoint, Question, Topic
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

HEADER = "format: prepsite-question-bank\nversion: 1\n"
TOPICS = "topics:\n  - slug: cnn\n    name: CNNs\n"
QUESTION = """  - key: {key}
    topic: cnn
    difficulty: easy
    prompt: What is a convolution?
    answer: A sliding dot product.
    key_points: [Weights are shared]
"""

# The classic "billion laughs" in YAML: 671 bytes that expand to 9^9 strings.
ALIAS_BOMB = """format: prepsite-question-bank
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
questions: *i
"""


ORDER_RANGE = "field 'order' must be a whole number from 0 to 2147483647"


def _questions(count: int) -> str:
    return (
        HEADER
        + TOPICS
        + "questions:\n"
        + "".join(QUESTION.format(key=f"q{i}") for i in range(count))
    )


def _file(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_bank(path)
    return caught.value.messages


def _nothing_written():
    return not (Topic.objects.exists() or Question.objects.exists() or KeyPoint.objects.exists())


def test_the_alias_bomb_is_refused_in_under_a_second_with_memory_bounded(tmp_path):
    path = _file(tmp_path, ALIAS_BOMB)
    assert len(ALIAS_BOMB.encode()) < 700

    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = _problems(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert elapsed < 1.0
    # Expanded, the bomb would be 9^9 strings: gigabytes. Refused, a few megabytes at most.
    assert peak < 20 * 1024 * 1024, f"peak {peak} bytes"
    assert "bank.yaml:3: YAML anchors (&a) are not allowed; write the value out." in problems
    assert "bank.yaml:4: YAML aliases (*a) are not allowed; write the value out." in problems
    assert _nothing_written()


def test_the_alias_bomb_through_the_command_exits_2_with_the_list(tmp_path):
    path = _file(tmp_path, ALIAS_BOMB)

    with pytest.raises(CommandError) as caught:
        call_command("load_question_bank", str(path))

    assert caught.value.returncode == 2
    message = str(caught.value)
    assert message.startswith("The question bank was not loaded; nothing was changed.")
    assert "YAML aliases (*a) are not allowed" in message
    assert "Traceback" not in message


def test_a_single_harmless_anchor_is_refused_too(tmp_path):
    text = (
        HEADER
        + TOPICS
        + "questions:\n"
        + QUESTION.format(key="a").replace("difficulty: easy", "difficulty: &level easy")
    )
    problems = _problems(_file(tmp_path, text))
    assert problems == ["bank.yaml:9: YAML anchors (&level) are not allowed; write the value out."]
    assert _nothing_written()


def test_duplicate_keys_in_a_record_are_refused_with_their_lines(tmp_path):
    record = QUESTION.format(key="twice") + "    prompt: Which prompt wins?\n"
    problems = _problems(_file(tmp_path, HEADER + TOPICS + "questions:\n" + record))
    assert problems == [
        "bank.yaml:13: key 'prompt' appears twice in one record (first on line 10); give it once."
    ]
    assert _nothing_written()


def test_duplicate_keys_in_a_json_object_are_refused(tmp_path):
    text = '{"format": "prepsite-question-bank", "version": 1, "version": 1, "questions": []}'
    problems = _problems(_file(tmp_path, text, "bank.json"))
    assert problems == ["bank.json: key 'version' appears twice in one object; give it once."]


def test_duplicate_question_keys_topic_slugs_and_names_give_file_and_line(tmp_path):
    topics = (
        "topics:\n  - slug: cnn\n    name: CNNs\n  - slug: cnn\n    name: Again\n"
        "  - slug: other\n    name: CNNs\n"
    )
    text = HEADER + topics + "questions:\n" + QUESTION.format(key="a") + QUESTION.format(key="a")
    problems = _problems(_file(tmp_path, text))
    assert problems == [
        "bank.yaml:6: topic 2: field 'slug': 'cnn' is also defined at bank.yaml:4: topic 1.",
        "bank.yaml:8: topic 3: field 'name': 'CNNs' is also the name at bank.yaml:4: topic 1.",
        "bank.yaml:17: question 2 (key 'a'): field 'key': 'a' is also used at "
        "bank.yaml:11: question 1 (key 'a').",
    ]
    assert _nothing_written()


def test_a_duplicate_key_across_two_files_names_both(tmp_path):
    first = _file(tmp_path, HEADER + TOPICS + "questions:\n" + QUESTION.format(key="a"), "a.yaml")
    second = _file(tmp_path, HEADER + "questions:\n" + QUESTION.format(key="a"), "b.yaml")
    with pytest.raises(ValidationError) as caught:
        load_bank([first, second])
    assert caught.value.messages == [
        "b.yaml:4: question 1 (key 'a'): field 'key': 'a' is also used at "
        "a.yaml:7: question 1 (key 'a')."
    ]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (
            "order: 99999999999999999999",
            "field 'order' must be a whole number from 0 to 2147483647",
        ),
        ("order: -1", "field 'order' must be a whole number from 0 to 2147483647"),
        ("order: 1.5", "field 'order' must be a whole number from 0 to 2147483647"),
        ("order: true", "field 'order' must be a whole number from 0 to 2147483647"),
        ("name: " + "n" * 101, "field 'name' is 101 characters; at most 100"),
        ("colour: red", "unknown field 'colour'"),
    ],
)
def test_topic_fields_are_checked_against_the_model(tmp_path, topic, expected):
    text = HEADER + f"topics:\n  - slug: cnn\n    name: CNNs\n    {topic}\n" + "questions: []\n"
    text = text.replace("    name: CNNs\n    name:", "    name:")
    problems = _problems(_file(tmp_path, text))
    assert any(expected in problem for problem in problems), problems
    assert _nothing_written()


def test_limits_come_from_the_model_fields():
    assert Question._meta.get_field("prompt").max_length == bank_fields.TEXT_LENGTH
    assert KeyPoint._meta.get_field("text").max_length == bank_fields.KEY_POINT_LENGTH
    assert Question._meta.get_field("tags").max_length == bank_fields.TAGS_LENGTH
    assert Topic._meta.get_field("name").max_length == bank_fields.TOPIC_NAME_LENGTH
    assert "retired" in bank_fields.STATUSES


def test_an_over_long_prompt_is_refused(tmp_path):
    record = QUESTION.format(key="long").replace(
        "prompt: What is a convolution?", "prompt: " + "p" * (MAX_TEXT_LENGTH + 1)
    )
    problems = _problems(_file(tmp_path, HEADER + TOPICS + "questions:\n" + record))
    assert problems == [
        f"bank.yaml:7: question 1 (key 'long'): field 'prompt' is {MAX_TEXT_LENGTH + 1} "
        f"characters; at most {MAX_TEXT_LENGTH}."
    ]


def test_wrong_types_are_refused_not_crashed_on(tmp_path):
    record = {
        "key": "typed",
        "topic": ["cnn"],
        "difficulty": {"level": "easy"},
        "status": 3,
        "prompt": 42,
        "answer": "fine",
        "tags": "one",
        "source": None,
        "key_points": "just one",
    }
    data = {"format": "prepsite-question-bank", "version": 1, "questions": [record]}
    problems = _problems(_file(tmp_path, json.dumps(data), "bank.json"))
    assert problems == [
        "bank.json: question 1 (key 'typed'): field 'topic' must be text, not list.",
        "bank.json: question 1 (key 'typed'): field 'prompt' must be text, not int.",
        "bank.json: question 1 (key 'typed'): field 'difficulty' must be one of easy, medium, "
        "hard, not {'level': 'easy'}.",
        "bank.json: question 1 (key 'typed'): field 'status' must be one of draft, published, "
        "retired, not 3.",
        "bank.json: question 1 (key 'typed'): field 'tags' must be a list of text.",
        "bank.json: question 1 (key 'typed'): field 'key_points' must be a list of text.",
    ]


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr("quizzes.bank.files.MAX_FILE_BYTES", 1024)
    problems = _problems(_file(tmp_path, _questions(20)))
    assert problems == ["bank.yaml: the file is larger than 1,024 bytes (0.000976562 MB)."]


def test_the_real_size_cap_is_five_megabytes(tmp_path):
    path = _file(tmp_path, HEADER + "# " + "x" * (5 * 1024 * 1024) + "\n")
    assert _problems(path) == ["bank.yaml: the file is larger than 5,242,880 bytes (5 MB)."]


def test_more_questions_than_the_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bank_validate, "MAX_QUESTIONS", 3)
    text = (
        HEADER + TOPICS + "questions:\n" + "".join(QUESTION.format(key=f"q{i}") for i in range(4))
    )
    assert _problems(_file(tmp_path, text)) == ["The files: hold 4 questions; at most 3."]
    assert _nothing_written()


def test_deep_nesting_is_refused_before_it_is_built(tmp_path):
    text = HEADER + "questions: " + "[" * 20 + "]" * 20 + "\n"
    problems = _problems(_file(tmp_path, text))
    assert problems == ["bank.yaml:3: nested more than 8 levels deep; this is not a bank file."]
    # Far deeper, libyaml's own limit may speak first; either way it is one message.
    text = HEADER + "questions: " + "[" * 5000 + "]" * 5000 + "\n"
    problems = _problems(_file(tmp_path, text))
    assert len(problems) == 1
    assert "nesting depth" in problems[0] or "nested more than 8 levels" in problems[0]


def test_deep_json_is_refused(tmp_path):
    text = '{"format": "prepsite-question-bank", "version": 1, "questions": ' + "[" * 100_000
    text += "]" * 100_000 + "}"
    problems = _problems(_file(tmp_path, text, "bank.json"))
    assert problems == ["bank.json: the JSON is nested too deeply to be a bank file."]


def test_python_tags_are_not_constructed(tmp_path):
    text = HEADER + "questions: !!python/object/apply:os.system ['true']\n"
    problems = _problems(_file(tmp_path, text))
    assert len(problems) == 1 and problems[0].startswith("bank.yaml: not valid YAML:")


def test_problems_in_several_files_are_listed_together_and_nothing_is_written(tmp_path):
    QuestionFactory(key="existing", prompt="Unchanged")
    good = _file(tmp_path, HEADER + TOPICS + "questions:\n" + QUESTION.format(key="ok"), "a.yaml")
    bomb = _file(tmp_path, ALIAS_BOMB, "b.yaml")
    broken = _file(tmp_path, "questions: [unclosed\n", "c.yaml")
    bad = _file(
        tmp_path,
        HEADER + "questions:\n" + QUESTION.format(key="x").replace("easy", "brutal"),
        "d.yaml",
    )

    with pytest.raises(ValidationError) as caught:
        load_bank([good, bomb, broken, bad])

    messages = caught.value.messages
    assert any(m.startswith("b.yaml:3: YAML anchors") for m in messages)
    assert any(m.startswith("c.yaml: not valid YAML") for m in messages)
    assert any(m.startswith("d.yaml:4: question 1 (key 'x'): field 'difficulty'") for m in messages)
    assert list(Question.objects.values_list("key", flat=True)) == ["existing"]
    assert Question.objects.get().prompt == "Unchanged"


def test_a_missing_path_is_a_problem_in_the_list(tmp_path):
    assert _problems(tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder."
    ]


def test_the_format_stays_backward_compatible(tmp_path):
    # A file written before this change (no status field, or draft/published) loads as before.
    text = HEADER + TOPICS + "questions:\n" + QUESTION.format(key="old")
    summary = load_bank(_file(tmp_path, text))
    assert summary.created == 1
    assert Question.objects.get().status == "draft"
    retired = yaml.safe_load(text)
    retired["questions"][0]["status"] = "retired"
    load_bank(_file(tmp_path, yaml.safe_dump(retired), "retired.yaml"))
    assert Question.objects.get().status == "retired"


def test_export_to_an_unwritable_path_is_one_line_and_exit_2(tmp_path):
    for target in [tmp_path / "missing" / "bank.yaml", tmp_path]:
        path = target if target.suffix else tmp_path / "folder.yaml"
        if not target.suffix:
            path.mkdir()
        with pytest.raises(CommandError) as caught:
            call_command("export_question_bank", str(path))
        assert caught.value.returncode == 2
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith(f"{path}: cannot write:")
