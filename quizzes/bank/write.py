"""
The writes of a bank load, once every file has been checked: topics and questions
matched on slug and key, key points updated in place, follow-ups, and the decision to
update, keep or overwrite each one (see `load` for why).
"""

import difflib
from collections.abc import Callable

from django.db.models import PROTECT
from django.utils import timezone

from quizzes.bank.records import (
    FollowUpRecord,
    QuestionRecord,
    TopicRecord,
    content_hash,
    follow_up_content,
    point_records,
    question_content,
    topic_content,
)
from quizzes.bank.summary import Kept, Summary
from quizzes.models import FollowUp, KeyPoint, Question, Topic
from quizzes.models.questions import RENDERED_FIELDS

# How often `progress` hears about questions being written.
PROGRESS_EVERY = 100
# Stays under every database's limit on query parameters.
CHUNK = 500
# The question columns a load writes; key points are written separately.
QUESTION_COLUMNS = (
    "topic_id", "prompt", "answer", "difficulty", "status", "tags", "source",
    "kind", "expected", "unit", "tolerance",
)  # fmt: skip
RECORD_COLUMNS = ("prompt", "answer", "difficulty", "status", "source", *QUESTION_COLUMNS[7:])


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _as_lines(content: dict) -> list[str]:
    lines = []
    for name, value in content.items():
        if isinstance(value, list):
            lines.append(f"{name}:")
            lines.extend(f"  - {item}" for item in value)
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{name}: |")
            lines.extend(f"  {line}" for line in value.splitlines())
        else:
            lines.append(f"{name}: {value}")
    return lines


def content_diff(database: dict, file: dict) -> str:
    return "\n".join(
        difflib.unified_diff(
            _as_lines(database), _as_lines(file), "database", "file", lineterm="", n=1
        )
    )


def _decide(current: dict, imported_hash: str, record: dict, name: str, overwrite) -> str:
    """'same', 'update', 'overwrite' or 'keep'."""
    if content_hash(current) == content_hash(record):
        return "same"
    if imported_hash and content_hash(current) == imported_hash:
        return "update"
    # Changed since the last load, or never loaded (made in the admin under this key).
    return "overwrite" if name in overwrite else "keep"


def sync_key_points(
    existing: list[KeyPoint],
    texts: list[str],
    question_id: int,
    aliases: list[tuple[str, ...]] | None = None,
):
    """Rows to update, create and delete so that `existing` reads `texts` (each with its
    accepted phrasings from `aliases`, parallel to `texts`; none when not given).

    A point whose text is kept keeps its row wherever it moves; the rest are paired
    by position (a reworded point), so learners' ticks, stored as ids, still resolve.
    """
    alias_texts = ["\n".join(a) for a in aliases] if aliases else [""] * len(texts)
    remaining = list(existing)
    matched: list[KeyPoint | None] = []
    for text in texts:
        same = next((point for point in remaining if point.text == text), None)
        if same is not None:
            remaining.remove(same)
        matched.append(same)
    to_update, to_create = [], []
    for order, (text, point, alias) in enumerate(zip(texts, matched, alias_texts, strict=True)):
        if point is None and remaining:
            point = remaining.pop(0)
        if point is None:
            to_create.append(
                KeyPoint(question_id=question_id, text=text, order=order, aliases=alias)
            )
        elif (point.text, point.order, point.aliases) != (text, order, alias):
            point.text, point.order, point.aliases = text, order, alias
            to_update.append(point)
    return to_update, to_create, remaining


def write_topics(topics: dict[str, TopicRecord], summary: Summary, overwrite, changed_objects):
    existing = {topic.slug: topic for topic in Topic.objects.all()}
    to_update = []
    for record in topics.values():
        topic = existing.get(record.slug)
        wanted = record.content()
        if topic is None:
            existing[record.slug] = Topic.objects.create(
                slug=record.slug, imported_hash=content_hash(wanted), **wanted
            )
            summary.topics_created += 1
            continue
        current = topic_content(topic)
        decision = _decide(current, topic.imported_hash, wanted, record.slug, overwrite)
        if decision == "keep":
            summary.kept.append(
                Kept("topic", record.slug, content_diff(current, wanted), record.as_file_record())
            )
            continue
        if decision == "same" and topic.imported_hash == content_hash(wanted):
            continue
        if decision == "overwrite":
            summary.overwritten.append(f"topic {record.slug}")
        if decision != "same":
            topic.name, topic.description, topic.order = (
                record.name,
                record.description,
                record.order,
            )
            summary.topics_updated += 1
            changed_objects.append(topic)
        topic.imported_hash = content_hash(wanted)
        to_update.append(topic)
    if to_update:
        Topic.objects.bulk_update(to_update, ["name", "description", "order", "imported_hash"])
    return existing


def write_questions(
    records: list[QuestionRecord],
    topics: dict[str, Topic],
    summary: Summary,
    *,
    user,
    overwrite,
    changed_objects: list,
    progress: Callable[[int, int], None] | None,
) -> None:
    slugs = {topic.pk: slug for slug, topic in topics.items()}
    existing: dict[str, Question] = {}
    for chunk in _chunks([record.key for record in records]):
        existing.update((q.key, q) for q in Question.objects.filter(key__in=chunk))
    points: dict[int, list[KeyPoint]] = {q.pk: [] for q in existing.values()}
    for chunk in _chunks(list(points)):
        for point in KeyPoint.objects.filter(question_id__in=chunk).order_by(
            "question_id", "order", "id"
        ):
            points[point.question_id].append(point)

    now = timezone.now()
    new: list[tuple[Question, QuestionRecord]] = []
    changed: list[Question] = []
    adopted: list[Question] = []
    point_updates: list[KeyPoint] = []
    point_creates: list[KeyPoint] = []
    point_deletes: list[int] = []
    for done, record in enumerate(records, start=1):
        wanted = record.content()
        wanted_hash = content_hash(wanted)
        question = existing.get(record.key)
        if question is None:
            question = Question(
                key=record.key,
                topic_id=topics[record.topic].pk,
                prompt=record.prompt,
                answer=record.answer,
                difficulty=record.difficulty,
                status=record.status,
                tags=record.tags_text,
                source=record.source,
                kind=record.kind,
                expected=record.expected,
                unit=record.unit,
                tolerance=record.tolerance,
                imported_hash=wanted_hash,
                created_by=user,
                updated_by=user,
            )
            new.append((question, record))
        else:
            current = question_content(
                question,
                slugs.get(question.topic_id, ""),
                point_records(points[question.pk]),
            )
            decision = _decide(current, question.imported_hash, wanted, record.key, overwrite)
            if decision == "keep":
                summary.kept.append(
                    Kept(
                        "question",
                        record.key,
                        content_diff(current, wanted),
                        record.as_file_record(),
                    )
                )
            elif decision == "same":
                summary.unchanged += 1
                if question.imported_hash != wanted_hash:
                    # Made in the admin, or loaded before hashes: it matches the file now.
                    question.imported_hash = wanted_hash
                    adopted.append(question)
            else:
                if decision == "overwrite":
                    summary.overwritten.append(record.key)
                question.topic_id = topics[record.topic].pk
                for column in RECORD_COLUMNS:
                    setattr(question, column, getattr(record, column))
                question.tags = record.tags_text
                question.imported_hash = wanted_hash
                question.updated_at, question.updated_by = now, user
                changed.append(question)
                summary.updated_keys.append(record.key)
                to_update, to_create, to_delete = sync_key_points(
                    points[question.pk],
                    record.key_point_texts,
                    question.pk,
                    [point.aliases for point in record.key_points],
                )
                point_updates += to_update
                point_creates += to_create
                point_deletes += [point.pk for point in to_delete]
        if progress and (done % PROGRESS_EVERY == 0 or done == len(records)):
            progress(done, len(records))

    # Bulk writes bypass Question.save, which stores each question rendered.
    for question in [*(question for question, _ in new), *changed]:
        question.fill_rendered()
    if new:
        Question.objects.bulk_create([question for question, _ in new], batch_size=CHUNK)
        point_creates += [
            KeyPoint(
                question=question, text=point.text, order=order, aliases="\n".join(point.aliases)
            )
            for question, record in new
            for order, point in enumerate(record.key_points)
        ]
        summary.created = len(new)
        summary.created_keys = [question.key for question, _ in new]
        changed_objects += [question for question, _ in new]
    if changed:
        Question.objects.bulk_update(
            changed,
            [*QUESTION_COLUMNS, *RENDERED_FIELDS, "imported_hash", "updated_at", "updated_by"],
            batch_size=CHUNK,
        )
        summary.updated = len(changed)
        changed_objects += changed
    if adopted:
        Question.objects.bulk_update(adopted, ["imported_hash"], batch_size=CHUNK)
    for chunk in _chunks(point_deletes):
        KeyPoint.objects.filter(pk__in=chunk).delete()
    if point_updates:
        KeyPoint.objects.bulk_update(point_updates, ["text", "order", "aliases"], batch_size=CHUNK)
    if point_creates:
        KeyPoint.objects.bulk_create(point_creates, batch_size=CHUNK)


def write_follow_ups(
    found: dict[str, list[FollowUpRecord]], summary: Summary, changed_questions: set
) -> None:
    """Make each named question's follow-ups read as the files have them, matched by
    their place in the question's list.

    A follow-up whose content no longer has the hash of its last load was edited in the
    admin: it is kept, and so is one an editor added (no hash). Only questions the files
    give follow-ups for are touched, so a file of questions alone removes none.
    """
    ids = dict(Question.objects.filter(key__in=list(found)).values_list("key", "pk"))
    existing: dict[int, list[FollowUp]] = {pk: [] for pk in ids.values()}
    for follow_up in FollowUp.objects.filter(question_id__in=list(existing)).order_by(
        "question_id", "order", "id"
    ):
        existing[follow_up.question_id].append(follow_up)
    to_create, to_update, to_delete = [], [], []
    labels: dict[int, str] = {}
    for key, records in found.items():
        question_id = ids[key]
        rows = existing[question_id]
        for order, record in enumerate(records):
            wanted = record.content()
            wanted_hash = content_hash(wanted)
            row = rows[order] if order < len(rows) else None
            if row is None:
                to_create.append(
                    FollowUp(
                        question_id=question_id, order=order, imported_hash=wanted_hash, **wanted
                    )
                )
                continue
            current_hash = content_hash(follow_up_content(row))
            if current_hash == wanted_hash and row.order == order:
                if row.imported_hash != wanted_hash:
                    row.imported_hash = wanted_hash
                    to_update.append(row)
                continue
            if row.imported_hash != current_hash:
                summary.follow_ups_kept.append(f"{key} follow-up {order + 1}")
                continue
            row.after_missing, row.prompt, row.answer = (
                record.after_missing,
                record.prompt,
                record.answer,
            )
            row.order, row.imported_hash = order, wanted_hash
            to_update.append(row)
            summary.follow_ups_updated += 1
            changed_questions.add(question_id)
        for row in rows[len(records) :]:
            if row.imported_hash and row.imported_hash == content_hash(follow_up_content(row)):
                to_delete.append(row.pk)
                labels[row.pk] = f"{key} follow-up {row.order + 1}"
            else:
                summary.follow_ups_kept.append(f"{key} follow-up {row.order + 1}")
    asked = {pk: labels[pk] for pk in _asked(to_delete)}
    if asked:
        # Learners' interview reports point at them (PROTECT): they stay, listed.
        summary.follow_ups_kept += [f"{asked[pk]} (asked in interviews)" for pk in sorted(asked)]
        to_delete = [pk for pk in to_delete if pk not in asked]
    for chunk in _chunks(to_delete):
        FollowUp.objects.filter(pk__in=chunk).delete()
    if to_update:
        FollowUp.objects.bulk_update(
            to_update,
            ["after_missing", "prompt", "answer", "order", "imported_hash"],
            batch_size=CHUNK,
        )
    if to_create:
        FollowUp.objects.bulk_create(to_create, batch_size=CHUNK)
    summary.follow_ups_created = len(to_create)
    summary.follow_ups_deleted = len(to_delete)
    changed_questions.update(row.question_id for row in to_create)
    if to_delete:
        changed_questions.update(ids[key] for key in found)


def _asked(follow_up_ids: list[int]) -> set[int]:
    """Those of the follow-ups that something protects from deletion (an interview that
    asked them), found through the model's relations so the bank needs no other app."""
    protected: set[int] = set()
    # Hidden too: a relation named "+" (no reverse accessor) protects all the same.
    for relation in FollowUp._meta.get_fields(include_hidden=True):
        if not relation.auto_created or getattr(relation, "on_delete", None) is not PROTECT:
            continue
        column = relation.field.attname
        for chunk in _chunks(follow_up_ids):
            protected.update(
                relation.related_model._default_manager.filter(
                    **{f"{column}__in": chunk}
                ).values_list(column, flat=True)
            )
    return protected
