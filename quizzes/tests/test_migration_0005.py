"""Migration 0005 marks questions last written by the loader, leaves editors' ones, says so."""

import pytest

from quizzes.bank import content_hash
from quizzes.bank.records import question_content
from quizzes.models import Question
from quizzes.tests.migrations import migrate_to, migrated_back_to

BEFORE = [("quizzes", "0004_retire_abandon_import_hash")]
AFTER = [("quizzes", "0005_imported_hash_for_loaded_questions")]


@pytest.mark.django_db(transaction=True)
def test_loaded_questions_are_marked_and_edited_ones_are_not(capsys):
    with migrated_back_to(BEFORE) as apps:
        User = apps.get_model("auth", "User")
        Topic = apps.get_model("quizzes", "Topic")
        OldQuestion = apps.get_model("quizzes", "Question")
        KeyPoint = apps.get_model("quizzes", "KeyPoint")
        editor = User.objects.create(username="editor", password="!")
        topic = Topic.objects.create(slug="cnn", name="CNNs")
        loaded = OldQuestion.objects.create(
            key="loaded", topic=topic, prompt="P\r\n", answer="A", tags="a,b", status="published"
        )
        for order, text in enumerate(["First", "Second"]):
            KeyPoint.objects.create(question=loaded, text=text, order=order)
        OldQuestion.objects.create(
            key="edited", topic=topic, prompt="P", answer="A", updated_by=editor
        )
        capsys.readouterr()

        migrate_to(AFTER)
        printed = capsys.readouterr().out

    assert (
        "quizzes 0005: 1 questions marked as loaded from the bank files; 1 changed by an "
        "editor are kept by the next load unless they match the file." in printed
    )
    loaded = Question.objects.get(key="loaded")
    points = list(loaded.key_points.values_list("text", flat=True))
    # The migration's frozen copy of the hash agrees with the loader's.
    assert loaded.imported_hash == content_hash(question_content(loaded, "cnn", points))
    assert Question.objects.get(key="edited").imported_hash == ""
