"""Revision history (django-reversion) and the preview of unsaved changes in the admin."""

import pytest
from django.urls import reverse
from reversion.models import Version

from quizzes.models import FollowUp, KeyPoint, Question, Topic
from quizzes.tests.factories import QuestionFactory
from quizzes.tests.test_bank_editors import _admin_form, _edit_in_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(editor_client):
    """A question made in the admin, so it has a first version."""
    topic = Topic.objects.create(slug="cnn", name="CNNs")
    data = {
        "key": "conv",
        "topic": str(topic.pk),
        "status": "published",
        "difficulty": "easy",
        "tags": "",
        "source": "",
        "prompt": "What is $x$?",
        "answer": "A dot product.",
        "key_points-TOTAL_FORMS": "1",
        "key_points-INITIAL_FORMS": "0",
        "key_points-MIN_NUM_FORMS": "1",
        "key_points-MAX_NUM_FORMS": "10",
        "key_points-0-order": "0",
        "key_points-0-text": "Weights are shared",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "reports-TOTAL_FORMS": "0",
        "reports-INITIAL_FORMS": "0",
        "reports-MIN_NUM_FORMS": "0",
        "reports-MAX_NUM_FORMS": "1000",
    }
    response = editor_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302, response.text[:2000]
    return Question.objects.get(key="conv")


def test_each_save_is_a_version_with_its_author_and_key_points(editor_client, editor, question):
    _edit_in_admin(
        editor_client, question, prompt="What is $y$?", **{"key_points-0-text": "Shared weights"}
    )

    versions = Version.objects.get_for_object(question)
    assert versions.count() == 2
    newest = versions.first()
    assert newest.revision.user == editor
    assert newest.field_dict["prompt"] == "What is $y$?"
    points = newest.revision.version_set.get_for_model(KeyPoint)
    assert [point.field_dict["text"] for point in points] == ["Shared weights"]


def test_history_lists_who_and_when_and_links_a_diff(editor_client, editor, question):
    _edit_in_admin(editor_client, question, answer="A sliding dot product.")

    page = editor_client.get(reverse("admin:quizzes_question_history", args=[question.pk]))

    assert page.status_code == 200
    assert page.text.count(f"<td>{editor.get_username()}</td>") == 2
    assert "First version" in page.text
    assert page.text.count(">Changes</a>") == 1


def test_the_diff_shows_changed_fields_and_key_points(editor_client, question):
    _edit_in_admin(
        editor_client,
        question,
        answer="A sliding dot product.",
        **{"key_points-0-text": "Shared weights"},
    )
    older, newer = reversed(Version.objects.get_for_object(question))
    url = reverse("admin:quizzes_question_compare", args=[question.pk])

    page = editor_client.get(url, {"from": older.pk, "to": newer.pk})

    assert page.status_code == 200
    assert "<del>- answer: A dot product.</del>" in page.text
    assert "<ins>+ answer: A sliding dot product.</ins>" in page.text
    assert "<del>-   - Weights are shared</del>" in page.text
    assert "<ins>+   - Shared weights</ins>" in page.text
    assert "- prompt" not in page.text and "+ prompt" not in page.text


def test_the_diff_refuses_versions_of_another_object(editor_client, question):
    other = QuestionFactory()
    url = reverse("admin:quizzes_question_compare", args=[other.pk])
    version = Version.objects.get_for_object(question).first()
    assert editor_client.get(url, {"from": version.pk, "to": version.pk}).status_code == 404
    for bad in ["x", "²", "9" * 30, ""]:
        assert editor_client.get(url, {"from": bad, "to": version.pk}).status_code == 404


def test_revert_restores_the_text_and_the_key_points_with_their_ids(editor_client, question):
    point_id = question.key_points.get().pk
    _edit_in_admin(
        editor_client, question, prompt="Changed", **{"key_points-0-text": "Changed point"}
    )
    first = Version.objects.get_for_object(question).last()
    url = reverse("admin:quizzes_question_revision", args=[question.pk, first.pk])

    form = editor_client.get(url)
    assert form.status_code == 200
    question.refresh_from_db()
    assert question.prompt == "Changed"  # looking at a version changes nothing
    response = editor_client.post(url, _admin_form_from(form))

    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms],
        response.context["inline_admin_formsets"][0].formset.non_form_errors(),
    )
    question.refresh_from_db()
    assert question.prompt == "What is $x$?"
    assert list(question.key_points.values_list("pk", "text")) == [(point_id, "Weights are shared")]
    assert (
        "Reverted to previous version"
        in Version.objects.get_for_object(question).first().revision.get_comment()
    )


def _admin_form_from(response) -> dict:
    """The revision form's fields as the browser would post them."""
    adminform = response.context["adminform"].form
    data = {name: adminform[name].value() or "" for name in adminform.fields}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False:
                    data[f"{form.prefix}-{name}"] = value
    return data


def test_a_topic_has_history_and_a_diff(editor_client):
    url = reverse("admin:quizzes_topic_add")
    editor_client.post(url, {"name": "CNNs", "slug": "cnn", "description": "", "order": "1"})
    topic = Topic.objects.get()
    change = reverse("admin:quizzes_topic_change", args=[topic.pk])
    editor_client.post(change, {"name": "Convnets", "slug": "cnn", "description": "", "order": "1"})
    older, newer = reversed(Version.objects.get_for_object(topic))

    page = editor_client.get(
        reverse("admin:quizzes_topic_compare", args=[topic.pk]), {"from": older.pk, "to": newer.pk}
    )

    assert "<del>- name: CNNs</del>" in page.text and "<ins>+ name: Convnets</ins>" in page.text


def test_a_bank_load_is_a_revision_too(tmp_path):
    from quizzes.tests.test_bank_editors import _bank, _load, _record, _write

    _load(_write(tmp_path, _bank(_record("conv"))))

    version = Version.objects.get_for_object(Question.objects.get()).get()
    assert version.revision.get_comment() == "Loaded from the question bank files."
    assert len(version.revision.version_set.get_for_model(KeyPoint)) == 3


def test_a_bulk_action_is_a_revision(editor_client, editor, question):
    editor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "retire", "_selected_action": [question.pk]},
    )
    newest = Version.objects.get_for_object(question).first()
    assert newest.field_dict["status"] == "retired"
    assert (newest.revision.user, newest.revision.get_comment()) == (
        editor,
        "Retired (bulk action).",
    )


# Preview of unsaved changes ------------------------------------------------------


def test_the_change_form_has_a_preview_button_that_needs_no_javascript(editor_client, question):
    page = editor_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    preview = reverse("admin:quizzes_question_preview")
    assert f'formaction="{preview}" formtarget="_blank"' in page.text


def test_preview_renders_the_unsaved_prompt_answer_code_maths_and_points(editor_client, question):
    data = _admin_form(
        question,
        prompt="Unsaved **bold** and $\\alpha$",
        answer="```python\nx = 1\n```\n\n$$\\frac{a}{b}$$",
        **{"key_points-0-text": "An unsaved point"},
    )

    page = editor_client.post(reverse("admin:quizzes_question_preview"), data)

    assert page.status_code == 200
    assert "<strong>bold</strong>" in page.text
    assert 'class="math' in page.text and "\\alpha" in page.text
    assert 'class="highlight' in page.text or "language-python" in page.text
    assert "<li>An unsaved point</li>" in page.text
    assert "katex" in page.text  # the same KaTeX loader as the learners' pages
    question.refresh_from_db()
    assert question.prompt == "What is $x$?"
    assert question.key_points.get().text == "Weights are shared"


def test_preview_leaves_out_deleted_key_points(editor_client, question):
    data = _admin_form(question, **{"key_points-0-DELETE": "on"})
    page = editor_client.post(reverse("admin:quizzes_question_preview"), data)
    assert "Weights are shared" not in page.text
    assert "No key points." in page.text


def test_preview_of_a_bad_form_says_what_is_wrong(editor_client):
    page = editor_client.post(reverse("admin:quizzes_question_preview"), {"prompt": "x"})
    assert page.status_code == 400
    assert "answer: This field is required." in page.text


def test_preview_is_post_only_and_for_editors(client, editor_client, django_user_model):
    url = reverse("admin:quizzes_question_preview")
    assert editor_client.get(url).status_code == 405
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.post(url, {"prompt": "p", "answer": "a"}).status_code == 403


def test_follow_ups_are_in_the_questions_versions_and_diff(editor_client, question):
    _edit_in_admin(
        editor_client,
        question,
        **{
            "follow_ups-TOTAL_FORMS": "1",
            "follow_ups-0-order": "0",
            "follow_ups-0-after_missing": "1",
            "follow_ups-0-prompt": "Why share   the weights?",
            "follow_ups-0-answer": "Translation equivariance.",
        },
    )
    older, newer = reversed(Version.objects.get_for_object(question))
    assert [v.field_dict["prompt"] for v in newer.revision.version_set.get_for_model(FollowUp)] == [
        "Why share   the weights?"
    ]

    page = editor_client.get(
        reverse("admin:quizzes_question_compare", args=[question.pk]),
        {"from": older.pk, "to": newer.pk},
    )

    assert "<ins>+ follow-ups:</ins>" in page.text
    assert "<ins>+   - after missing 1: Why share the weights?</ins>" in page.text
