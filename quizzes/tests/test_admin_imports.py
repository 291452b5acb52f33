"""Importing and exporting the question bank from the admin: the download, an upload that
loads or shows its problems and writes nothing, and who may do either."""

import io

import pytest
import yaml
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import KeyPoint, Question
from quizzes.tests.admin_forms import CHANGELIST
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _bank_file(*questions: dict, name: str = "bank.yaml") -> SimpleUploadedFile:
    data = {
        "format": "prepsite-question-bank",
        "version": 1,
        "topics": [{"slug": "cnn", "name": "CNNs", "order": 1}],
        "questions": list(questions),
    }
    return SimpleUploadedFile(name, yaml.safe_dump(data).encode(), "application/yaml")


def _record(key: str, **overrides) -> dict:
    return {
        "key": key,
        "topic": "cnn",
        "difficulty": "easy",
        "status": "published",
        "prompt": "What is a convolution?",
        "answer": "A sliding dot product.",
        "key_points": ["Weights are shared"],
        **overrides,
    }


def test_the_import_says_what_the_load_command_says(editor_client, tmp_path):
    """One sentence, written once (quizzes.bank.summary): follow-ups counted even when
    none changed, as topics are, and the files it read."""
    upload = _bank_file(_record("conv"))
    data = yaml.safe_load(upload.read())
    data["follow_ups"] = [
        {"question": "conv", "after_missing": 1, "prompt": "And pooling?", "answer": "Smaller."}
    ]
    content = yaml.safe_dump(data).encode()
    path = tmp_path / "bank.yaml"
    path.write_bytes(content)
    url = reverse("admin:quizzes_question_import")
    first = editor_client.post(url, {"file": SimpleUploadedFile("bank.yaml", content)}, follow=True)
    assert "follow-ups: 1 new, 0 updated, 0 removed" in first.text
    out = io.StringIO()

    call_command("load_question_bank", str(path), stdout=out)
    response = editor_client.post(
        url, {"file": SimpleUploadedFile("bank.yaml", content)}, follow=True
    )

    said = out.getvalue().splitlines()[-1]
    assert said == (
        "Questions: 0 new, 0 updated, 1 unchanged; topics: 0 new; "
        "follow-ups: 0 new, 0 updated, 0 removed (from 1 file)."
    )
    assert [str(message) for message in response.context["messages"]] == [said]


def test_export_downloads_the_bank(editor_client):
    QuestionFactory(key="exported")

    response = editor_client.get(reverse("admin:quizzes_question_export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="prepsite-bank-')
    data = yaml.safe_load(io.BytesIO(response.content))
    assert [q["key"] for q in data["questions"]] == ["exported"]


def test_import_loads_a_file_and_logs_each_question(editor_client, editor):
    url = reverse("admin:quizzes_question_import")
    assert editor_client.get(url).status_code == 200

    response = editor_client.post(url, {"file": _bank_file(_record("conv"))}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "Questions: 1 new, 0 updated, 0 unchanged; topics: 1 new; follow-ups: " in response.text
    question = Question.objects.get(key="conv")
    assert question.created_by == editor
    assert LogEntry.objects.get(object_id=str(question.pk)).action_flag == ADDITION


def test_import_shows_problems_and_writes_nothing(editor_client):
    response = editor_client.post(
        reverse("admin:quizzes_question_import"),
        {"file": _bank_file(_record("ok"), _record("bad", key_points=["x" * 141]))},
    )

    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    assert "bank.yaml:11: question 2 (key &#x27;bad&#x27;): field &#x27;key_points&#x27;" in (
        response.text
    )
    assert not Question.objects.exists()
    assert not KeyPoint.objects.exists()


def test_import_refuses_other_file_types(editor_client):
    upload = SimpleUploadedFile("bank.csv", b"key,prompt\n", "text/csv")

    response = editor_client.post(reverse("admin:quizzes_question_import"), {"file": upload})

    assert response.status_code == 400
    assert "Upload a .yaml, .yml or .json file." in response.text


def test_changelist_links_import_and_export(editor_client):
    response = editor_client.get(CHANGELIST)

    assert reverse("admin:quizzes_question_import") in response.text
    assert reverse("admin:quizzes_question_export") in response.text
    assert "History" in response.text


def test_import_needs_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)

    assert client.get(reverse("admin:quizzes_question_import")).status_code == 403
    assert client.get(reverse("admin:quizzes_question_export")).status_code == 403
