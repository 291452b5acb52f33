"""Migration 0010 stores every question's prompt and answer rendered, and says so."""

import pytest

from quizzes.models import Question
from quizzes.models.questions import render_digest
from quizzes.rendering import render_markdown
from quizzes.tests.migrations import migrate_to, migrated_back_to

BEFORE = [("quizzes", "0009_answer_user_question_index")]
AFTER = [("quizzes", "0010_question_rendered")]


@pytest.mark.django_db(transaction=True)
def test_existing_questions_are_stored_rendered(capsys):
    with migrated_back_to(BEFORE) as apps:
        Topic = apps.get_model("quizzes", "Topic")
        OldQuestion = apps.get_model("quizzes", "Question")
        topic = Topic.objects.create(slug="cnn", name="CNNs")
        OldQuestion.objects.create(key="conv", topic=topic, prompt="Why *3×3*?", answer="$x$")
        capsys.readouterr()

        migrate_to(AFTER)
        printed = capsys.readouterr().out

    assert "quizzes 0010: stored the rendered prompt and answer of 1 questions." in printed
    question = Question.objects.get(key="conv")
    assert question.prompt == "Why *3×3*?"  # the text is untouched
    assert question.prompt_rendered == render_markdown("Why *3×3*?")
    assert question.answer_rendered == render_markdown("$x$")
    assert question.rendered_from == render_digest(question.prompt, question.answer)
