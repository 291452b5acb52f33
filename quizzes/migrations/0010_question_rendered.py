"""Store each question's prompt and answer rendered to HTML with its row (issue #22).

Pages read the HTML with the question instead of asking the cache for it; a row whose
text changes without Question.save is rendered through the caches as before. This
migration renders every existing question once and prints how many it stored. It
changes no text: reversing it drops the three columns.
"""

from django.db import migrations, models

CHUNK = 500


def render_all(apps, schema_editor):
    # The renderer and digest of today's code: the stored HTML is checked against
    # render_digest on every read, so a later renderer never serves this HTML as its own.
    from quizzes.models.questions import render_digest
    from quizzes.rendering import render_markdown

    Question = apps.get_model("quizzes", "Question")
    done = 0
    batch = []
    for question in Question.objects.only("pk", "prompt", "answer").iterator(chunk_size=CHUNK):
        question.prompt_rendered = str(render_markdown(question.prompt))
        question.answer_rendered = str(render_markdown(question.answer))
        question.rendered_from = render_digest(question.prompt, question.answer)
        batch.append(question)
        if len(batch) == CHUNK:
            done += _store(Question, batch)
    done += _store(Question, batch)
    if done:
        print(f"\n  quizzes 0010: stored the rendered prompt and answer of {done} questions.")


def _store(Question, batch) -> int:
    Question.objects.bulk_update(batch, ["prompt_rendered", "answer_rendered", "rendered_from"])
    stored = len(batch)
    batch.clear()
    return stored


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0009_answer_user_question_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="answer_rendered",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="prompt_rendered",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="rendered_from",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(render_all, migrations.RunPython.noop, elidable=True),
    ]
