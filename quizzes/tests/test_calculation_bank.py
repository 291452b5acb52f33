"""Calculation questions and key point aliases in the bank files, the hash and the admin."""

import io

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.bank import export_bank, load_bank
from quizzes.bank.records import question_content
from quizzes.models import Kind, Question
from quizzes.tests.test_bank import _bank, _question, _write

pytestmark = pytest.mark.django_db

CALCULATION = {
    "kind": "calculation",
    "expected": 112,
    "unit": "GB",
    "tolerance": 0.05,
    "key_points": [
        "16 bytes per parameter with mixed-precision Adam",
        {"text": "7e9 x 16 bytes = 112 GB", "aliases": ["112 gigabytes"]},
    ],
}


def test_a_calculation_and_its_aliases_load(tmp_path):
    load_bank(_write(tmp_path, _bank(_question("adam-memory", **CALCULATION))))
    question = Question.objects.get(key="adam-memory")
    assert (question.kind, question.expected, question.unit, question.tolerance) == (
        Kind.CALCULATION,
        112,
        "GB",
        0.05,
    )
    first, second = question.key_points.all()
    assert (first.alias_list, second.alias_list) == ([], ["112 gigabytes"])


def test_export_writes_them_back_and_the_load_is_a_no_op(tmp_path):
    path = _write(tmp_path, _bank(_question("adam-memory", **CALCULATION), _question("plain")))
    load_bank(path)
    stream = io.StringIO()
    export_bank(stream, "yaml")
    exported = yaml.safe_load(stream.getvalue())
    record = next(q for q in exported["questions"] if q["key"] == "adam-memory")
    assert record["kind"] == "calculation"
    assert (record["expected"], record["unit"], record["tolerance"]) == (112, "GB", 0.05)
    assert record["key_points"][1] == {
        "text": "7e9 x 16 bytes = 112 GB",
        "aliases": ["112 gigabytes"],
    }
    plain = next(q for q in exported["questions"] if q["key"] == "plain")
    # A recall question's record (and so its content hash) is what it was before #17.
    assert "kind" not in plain and all(isinstance(p, str) for p in plain["key_points"])
    again = tmp_path / "again.yaml"
    again.write_text(stream.getvalue())
    summary = load_bank(again)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)


def test_an_alias_changed_in_the_admin_is_kept_by_the_next_load(tmp_path):
    path = _write(tmp_path, _bank(_question("adam-memory", **CALCULATION)))
    load_bank(path)
    point = Question.objects.get().key_points.last()
    point.aliases = "one hundred and twelve GB"
    point.save()
    summary = load_bank(path)
    assert [kept.key for kept in summary.kept] == ["adam-memory"]
    point.refresh_from_db()
    assert point.aliases == "one hundred and twelve GB"


def test_an_alias_changed_in_the_file_updates_the_point_in_place(tmp_path):
    load_bank(_write(tmp_path, _bank(_question("adam-memory", **CALCULATION))))
    before = list(Question.objects.get().key_points.values_list("pk", flat=True))
    changed = {
        **CALCULATION,
        "key_points": [
            CALCULATION["key_points"][0],
            {"text": "7e9 x 16 bytes = 112 GB", "aliases": ["112e9 bytes"]},
        ],
    }
    summary = load_bank(_write(tmp_path, _bank(_question("adam-memory", **changed))))
    assert summary.updated == 1
    points = list(Question.objects.get().key_points.all())
    assert [p.pk for p in points] == before
    assert points[1].alias_list == ["112e9 bytes"]


def test_the_content_of_a_recall_question_did_not_change():
    # What #13 hashed, before kinds and aliases: banks loaded then are not "edited" now.
    question = Question(
        difficulty="easy", status="published", tags="", source="", prompt="P", answer="A"
    )
    content = question_content(question, "cnn", ["one", "two"])
    assert content == {
        "topic": "cnn", "difficulty": "easy", "status": "published", "tags": "",
        "source": "", "prompt": "P", "answer": "A", "key_points": ["one", "two"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "calculation", "tolerance": 0.05}, "field 'expected': A calculation needs"),
        ({"kind": "calculation", "expected": 1, "tolerance": 0}, "field 'tolerance'"),
        ({"kind": "calculation", "expected": 1, "tolerance": 0.6}, "field 'tolerance'"),
        ({"kind": "calculation", "expected": "112", "tolerance": 0.1}, "must be a number"),
        ({"expected": 112}, "field 'expected' is only for 'kind: calculation'"),
        ({"kind": "estimate"}, "field 'kind' must be one of recall, calculation"),
        ({"key_points": [{"text": "x", "aliases": "y"}]}, "'aliases' must be a list of text"),
        ({"key_points": [{"text": "x", "extra": 1}]}, "unknown field 'extra'"),
        ({"key_points": [{"Local connectivity": "each"}]}, "was read as a mapping"),
    ],
)
def test_bad_calculation_or_alias_records_are_refused(tmp_path, overrides, message):
    with pytest.raises(ValidationError) as raised:
        load_bank(_write(tmp_path, _bank(_question("bad", **overrides))))
    assert message in str(raised.value)
    assert not Question.objects.exists()


def test_the_admin_refuses_a_calculation_without_a_tolerance(editor_client):
    from quizzes.tests.admin_forms import question_form
    from quizzes.tests.factories import TopicFactory

    data = question_form(TopicFactory(), kind="calculation", expected="112", unit="GB")
    response = editor_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 200
    assert "A calculation needs a tolerance" in response.text
    assert not Question.objects.exists()
    data.update(tolerance="0.05", **{"key_points-0-aliases": "moments are zero\nzero init"})
    response = editor_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.kind, question.expected, question.tolerance) == ("calculation", 112, 0.05)
    assert question.key_points.get().alias_list == ["moments are zero", "zero init"]
