"""
Questions last written by `load_question_bank` (no person recorded as their last
editor) are marked as loaded with their current content, so the next load keeps
updating them from the files. Questions a person last changed, and every topic, get
no mark: a load keeps them whenever they differ from the file, so an edit made
before this migration is never overwritten. It prints what it did.
"""

import hashlib
import json

from django.db import migrations


def _hash(content: dict) -> str:
    # A frozen copy of quizzes.bank.records.content_hash as of this migration.
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def mark_loaded(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    KeyPoint = apps.get_model("quizzes", "KeyPoint")
    loaded = Question.objects.filter(updated_by__isnull=True, imported_hash="").select_related(
        "topic"
    )
    marked = []
    for question in loaded.iterator(chunk_size=500):
        points = KeyPoint.objects.filter(question_id=question.pk).order_by("order", "id")
        content = {
            "topic": question.topic.slug,
            "difficulty": question.difficulty,
            "status": question.status,
            "tags": ", ".join(tag.strip() for tag in question.tags.split(",") if tag.strip()),
            "source": question.source.strip(),
            "prompt": _normalise(question.prompt),
            "answer": _normalise(question.answer),
            "key_points": [text.strip() for text in points.values_list("text", flat=True)],
        }
        question.imported_hash = _hash(content)
        marked.append(question)
    Question.objects.bulk_update(marked, ["imported_hash"], batch_size=500)
    kept = Question.objects.filter(imported_hash="").count()
    print(
        f"\n  quizzes 0005: {len(marked)} questions marked as loaded from the bank files; "
        f"{kept} changed by an editor are kept by the next load unless they match the file."
    )


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0004_retire_abandon_import_hash")]

    operations = [migrations.RunPython(mark_loaded, migrations.RunPython.noop, elidable=True)]
