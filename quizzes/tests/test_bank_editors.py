"""Loading the bank never overwrites an editor, and key points keep their ids."""

import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from accounts.export import export_user_data
from quizzes.bank import content_hash, load_bank, sync_key_points
from quizzes.bank.records import question_content
from quizzes.models import KeyPoint, Question, Status, Topic
from quizzes.tests.factories import AnswerFactory

pytestmark = pytest.mark.django_db


def _record(key: str, **overrides) -> dict:
    return {
        "key": key,
        "topic": "cnn",
        "difficulty": "easy",
        "status": "published",
        "prompt": "What is a convolution?",
        "answer": "A sliding dot product.",
        "key_points": ["Weights are shared", "Local connectivity", "Translation equivariance"],
        **overrides,
    }


def _bank(*records: dict, topic_name: str = "CNNs") -> dict:
    return {
        "format": "prepsite-question-bank",
        "version": 1,
        "topics": [{"slug": "cnn", "name": topic_name, "order": 1}],
        "questions": list(records),
    }


def _write(tmp_path: Path, data: dict, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _load(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("load_question_bank", str(path), *args, stdout=out)
    return out.getvalue()


def _admin_form(question: Question, **overrides) -> dict:
    points = list(question.key_points.all())
    data = {
        "key": question.key,
        "topic": str(question.topic_id),
        "status": question.status,
        "difficulty": question.difficulty,
        "tags": question.tags,
        "source": question.source,
        "prompt": question.prompt,
        "answer": question.answer,
        "key_points-TOTAL_FORMS": str(len(points)),
        "key_points-INITIAL_FORMS": str(len(points)),
        "key_points-MIN_NUM_FORMS": "1",
        "key_points-MAX_NUM_FORMS": "10",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "reports-TOTAL_FORMS": "0",
        "reports-INITIAL_FORMS": "0",
        "reports-MIN_NUM_FORMS": "0",
        "reports-MAX_NUM_FORMS": "1000",
    }
    for index, point in enumerate(points):
        data[f"key_points-{index}-id"] = str(point.pk)
        data[f"key_points-{index}-question"] = str(question.pk)
        data[f"key_points-{index}-order"] = str(point.order)
        data[f"key_points-{index}-text"] = point.text
    data.update(overrides)
    return data


def _edit_in_admin(client, question: Question, **overrides) -> None:
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = client.post(url, _admin_form(question, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_admin_edit_survives_two_loads_and_is_listed(tmp_path, editor_client):
    path = _write(tmp_path, _bank(_record("conv"), _record("pool")))
    _load(path)
    conv = Question.objects.get(key="conv")
    _edit_in_admin(editor_client, conv, prompt="What is a convolution, really?")

    first = _load(path)
    second = _load(path)

    conv.refresh_from_db()
    assert conv.prompt == "What is a convolution, really?"
    for output in (first, second):
        assert "Questions: 0 new, 0 updated, 1 unchanged; topics: 0 new; " in output
        assert "kept: edited in the admin: conv" in output
        assert "--overwrite conv replaces it" in output
    # With -v 2, the command shows what the file would change.
    detailed = _load(path, "-v", "2").splitlines()
    assert "-prompt: What is a convolution, really?" in detailed
    assert "+prompt: What is a convolution?" in detailed


def test_an_untouched_question_is_updated_from_the_file(tmp_path):
    _load(_write(tmp_path, _bank(_record("conv"))))

    summary = load_bank(_write(tmp_path, _bank(_record("conv", answer="A dot product."))))

    assert (summary.updated, summary.kept) == (1, [])
    assert Question.objects.get().answer == "A dot product."


def test_overwrite_replaces_an_edit_on_purpose(tmp_path, editor_client):
    path = _write(tmp_path, _bank(_record("conv")))
    _load(path)
    _edit_in_admin(editor_client, Question.objects.get(), answer="Edited.")

    output = _load(path, "--overwrite", "conv")

    assert "overwritten on purpose: conv" in output
    assert Question.objects.get().answer == "A sliding dot product."
    # Now it matches its import again: the next load updates it from the file as usual.
    summary = load_bank(_write(tmp_path, _bank(_record("conv", answer="Newer."))))
    assert summary.updated == 1 and not summary.kept


def test_overwrite_of_a_key_not_in_the_files_is_a_problem(tmp_path):
    path = _write(tmp_path, _bank(_record("conv")))
    with pytest.raises(Exception, match="no question key or topic slug 'typo'"):
        _load(path, "--overwrite", "typo")
    assert not Question.objects.exists()


def test_a_status_change_in_the_admin_is_an_edit_too(tmp_path, editor_client):
    path = _write(tmp_path, _bank(_record("conv")))
    _load(path)
    response = editor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "retire", "_selected_action": [Question.objects.get().pk]},
    )
    assert response.status_code == 302

    summary = load_bank(path)

    assert [kept.key for kept in summary.kept] == ["conv"]
    assert Question.objects.get().status == Status.RETIRED


def test_a_topic_renamed_in_the_admin_is_kept(tmp_path, editor_client):
    path = _write(tmp_path, _bank(_record("conv")))
    _load(path)
    topic = Topic.objects.get()
    url = reverse("admin:quizzes_topic_change", args=[topic.pk])
    data = {"name": "Convolutional networks", "slug": "cnn", "description": "", "order": "1"}
    assert editor_client.post(url, data).status_code == 302

    summary = load_bank(path)

    assert [kept.label for kept in summary.kept] == ["topic cnn"]
    assert Topic.objects.get().name == "Convolutional networks"


def test_a_question_made_in_the_admin_under_a_shipped_key_is_kept(tmp_path, editor_client):
    _load(_write(tmp_path, _bank(_record("other"))))
    Question.objects.create(key="conv", topic=Topic.objects.get(), prompt="Mine", answer="Mine")

    summary = load_bank(_write(tmp_path, _bank(_record("other"), _record("conv"))))

    assert [kept.key for kept in summary.kept] == ["conv"]
    diff = summary.kept[0].diff.splitlines()
    assert "-prompt: Mine" in diff and "+prompt: What is a convolution?" in diff
    assert Question.objects.get(key="conv").prompt == "Mine"


def test_make_run_twice_changes_nothing(tmp_path):
    path = _write(tmp_path, _bank(_record("conv"), _record("pool")))
    _load(path)
    before = list(Question.objects.values_list("key", "updated_at", "imported_hash"))

    assert "0 new, 0 updated, 2 unchanged" in _load(path)
    assert list(Question.objects.values_list("key", "updated_at", "imported_hash")) == before


def test_the_hash_is_the_same_from_the_file_and_from_the_database(tmp_path):
    _load(_write(tmp_path, _bank(_record("conv", tags=["a", "b"], source="Book"))))
    question = Question.objects.get()
    points = list(question.key_points.values_list("text", flat=True))
    assert content_hash(question_content(question, "cnn", points)) == question.imported_hash


# Key points keep their identity ----------------------------------------------


def test_reworded_key_points_keep_their_ids(tmp_path):
    _load(_write(tmp_path, _bank(_record("conv"))))
    before = list(KeyPoint.objects.order_by("order").values_list("pk", flat=True))

    reworded = ["Weights are shared across positions", "Local connectivity", "Equivariance"]
    summary = load_bank(_write(tmp_path, _bank(_record("conv", key_points=reworded))))

    assert summary.updated == 1
    after = list(KeyPoint.objects.order_by("order").values_list("pk", "text"))
    assert [pk for pk, _ in after] == before
    assert [text for _, text in after] == reworded


def test_reordered_key_points_move_with_their_text(tmp_path):
    _load(_write(tmp_path, _bank(_record("conv"))))
    ids = dict(KeyPoint.objects.values_list("text", "pk"))

    texts = ["Translation equivariance", "Weights are shared", "A new point", "Local connectivity"]
    load_bank(_write(tmp_path, _bank(_record("conv", key_points=texts))))

    after = dict(KeyPoint.objects.values_list("text", "pk"))
    for text in ["Translation equivariance", "Weights are shared", "Local connectivity"]:
        assert after[text] == ids[text]
    assert after["A new point"] not in ids.values()
    assert list(KeyPoint.objects.order_by("order").values_list("text", flat=True)) == texts


def test_sync_key_points_drops_only_the_removed_ones():
    points = [KeyPoint(pk=i, question_id=1, text=t, order=i) for i, t in enumerate("abc")]
    update, create, delete = sync_key_points(points, ["c", "a"], 1)
    assert [(p.pk, p.text, p.order) for p in update] == [(2, "c", 0), (0, "a", 1)]
    assert create == []
    assert [p.pk for p in delete] == [1]


def test_a_learners_ticks_survive_a_bank_update_in_their_export(tmp_path, learner):
    _load(_write(tmp_path, _bank(_record("conv"))))
    question = Question.objects.get()
    ticked = list(question.key_points.order_by("order").values_list("pk", flat=True)[:2])
    AnswerFactory(session__user=learner, question=question, key_points_ticked=ticked)

    reworded = ["Weights are shared everywhere", "Local connectivity (small windows)", "Third"]
    load_bank(_write(tmp_path, _bank(_record("conv", key_points=reworded))))

    exported = json.loads(json.dumps(export_user_data(learner)))
    assert exported["answers"][0]["key_points_ticked"] == reworded[:2]


def test_an_admin_rewording_keeps_the_key_point_id(editor_client):
    topic = Topic.objects.create(slug="cnn", name="CNNs")
    question = Question.objects.create(key="conv", topic=topic, prompt="P", answer="A")
    point = KeyPoint.objects.create(question=question, text="Old wording", order=0)

    _edit_in_admin(editor_client, question, **{"key_points-0-text": "New wording"})

    assert list(KeyPoint.objects.values_list("pk", "text")) == [(point.pk, "New wording")]


# The admin import ---------------------------------------------------------------


def _upload(data: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("bank.yaml", yaml.safe_dump(data).encode(), "application/yaml")


def test_admin_import_lists_kept_questions_with_a_diff_and_overwrites_the_ticked(
    tmp_path, editor_client, editor
):
    _load(_write(tmp_path, _bank(_record("conv"), _record("pool"))))
    for key in ("conv", "pool"):
        _edit_in_admin(editor_client, Question.objects.get(key=key), answer=f"Edited {key}.")
    url = reverse("admin:quizzes_question_import")
    data = _bank(_record("conv"), _record("pool"), _record("fresh"))

    page = editor_client.post(url, {"file": _upload(data)})

    assert page.status_code == 200
    text = page.text
    assert (
        "Questions: 1 new, 0 updated, 0 unchanged; topics: 0 new; "
        "follow-ups: 0 new, 0 updated, 0 removed; kept: edited in the admin"
    ) in text
    assert "<del>-answer: Edited conv.</del>" in text
    assert "<ins>+answer: A sliding dot product.</ins>" in text
    assert 'name="overwrite" value="conv"' in text and 'name="overwrite" value="pool"' in text
    assert Question.objects.get(key="fresh").created_by == editor

    content = page.context["overwrite_form"]["content"].value()
    # Only the kept records go back and forth, as the file had them.
    assert [q["key"] for q in yaml.safe_load(content)["questions"]] == ["conv", "pool"]
    done = editor_client.post(
        url, {"filename": "bank.yaml", "content": content, "overwrite": ["conv"]}
    )

    assert done.status_code == 302
    assert Question.objects.get(key="conv").answer == "A sliding dot product."
    assert Question.objects.get(key="pool").answer == "Edited pool."
    revision = Version.objects.get_for_object(Question.objects.get(key="conv")).first().revision
    assert (revision.user, revision.comment) == (editor, "Imported from bank.yaml.")


def test_admin_overwrite_step_with_a_broken_file_shows_the_problems(editor_client):
    url = reverse("admin:quizzes_question_import")
    response = editor_client.post(
        url, {"filename": "bank.yaml", "content": "a: &x 1\nb: *x\n", "overwrite": ["conv"]}
    )
    assert response.status_code == 400
    assert "YAML anchors (&amp;x) are not allowed" in response.text
    assert not Question.objects.exists()


def test_admin_overwrite_step_with_nothing_ticked_keeps_everything(tmp_path, editor_client):
    _load(_write(tmp_path, _bank(_record("conv"))))
    _edit_in_admin(editor_client, Question.objects.get(), answer="Edited.")
    content = yaml.safe_dump(_bank(_record("conv")))

    response = editor_client.post(
        reverse("admin:quizzes_question_import"),
        {"filename": "bank.yaml", "content": content},
        follow=True,
    )

    assert "Nothing overwritten: the edits were kept." in response.text
    assert Question.objects.get().answer == "Edited."
