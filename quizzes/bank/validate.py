"""
Checking parsed bank files as a whole: the file's own fields, keys and slugs defined
once, every question's topic and every follow-up's question known (in the files or the
database), and the totals one load may hold. Each record's fields are parsed by
quizzes.bank.fields.
"""

from typing import Any

from django.db.models import Count

from quizzes.bank.errors import Errors
from quizzes.bank.fields import (
    parse_follow_up,
    parse_question,
    parse_topic,
    unknown_fields,
)
from quizzes.bank.files import Document
from quizzes.bank.records import (
    FORMAT,
    VERSION,
    FollowUpRecord,
    QuestionRecord,
    TopicRecord,
)
from quizzes.models import Question, Topic

# One load may hold the whole shipped bank many times over; past this it is a mistake
# or an attack, and a single transaction of it would hold the database for too long.
MAX_QUESTIONS = 5_000
MAX_TOPICS = 500

FILE_FIELDS = {"format", "version", "topics", "questions", "follow_ups"}


def _question_where(document: Document, index: int, record: Any) -> str:
    key = record.get("key") if isinstance(record, dict) else None
    label = f" (key {key!r})" if isinstance(key, str) and key else ""
    return f"{document.where('questions', index)}: question {index}{label}"


def _section(document: Document, name: str, errors: Errors) -> list:
    value = document.data.get(name) or []
    if not isinstance(value, list):
        errors.add(document.name, f"field {name!r} must be a list.")
        return []
    return value


def validate(documents: list[Document], errors: Errors):
    """Every topic and question record of the documents; problems go to `errors`."""
    topics: dict[str, TopicRecord] = {}
    topic_names: dict[str, str] = {}
    questions: dict[str, QuestionRecord] = {}
    for document in documents:
        data = document.data
        if not isinstance(data, dict):
            errors.add(
                document.name, f"expected a mapping with 'format: {FORMAT}' and 'questions'."
            )
            continue
        unknown_fields(data, FILE_FIELDS, document.name, errors)
        if data.get("format") != FORMAT:
            errors.add(document.name, f"field 'format' must be {FORMAT!r}.")
        if data.get("version") != VERSION:
            errors.add(
                document.name, f"field 'version' must be {VERSION}; this PrepSite reads only that."
            )
        for index, raw in enumerate(_section(document, "topics", errors), start=1):
            where = f"{document.where('topics', index)}: topic {index}"
            topic = parse_topic(raw, where, errors)
            if topic is None or not topic.slug:
                continue
            if topic.slug in topics:
                other = topics[topic.slug].where
                errors.add(where, f"field 'slug': {topic.slug!r} is also defined at {other}.")
                continue
            if topic.name and topic.name in topic_names:
                other = topic_names[topic.name]
                errors.add(where, f"field 'name': {topic.name!r} is also the name at {other}.")
            topic_names.setdefault(topic.name, where)
            topics[topic.slug] = topic
        for index, raw in enumerate(_section(document, "questions", errors), start=1):
            where = _question_where(document, index, raw)
            question = parse_question(raw, where, errors)
            if question is None or not question.key:
                continue
            if question.key in questions:
                other = questions[question.key].where
                errors.add(where, f"field 'key': {question.key!r} is also used at {other}.")
                continue
            questions[question.key] = question

    if len(questions) > MAX_QUESTIONS:
        errors.add("The files", f"hold {len(questions)} questions; at most {MAX_QUESTIONS}.")
    if len(topics) > MAX_TOPICS:
        errors.add("The files", f"hold {len(topics)} topics; at most {MAX_TOPICS}.")
    known = set(Topic.objects.values_list("slug", flat=True)) | set(topics)
    for question in questions.values():
        if question.topic and question.topic not in known:
            errors.add(
                question.where,
                f"field 'topic': no topic {question.topic!r} in these files or the database.",
            )
    # A topic keeps its slug; its name may move only to a name no other topic holds.
    names_in_use = dict(Topic.objects.values_list("name", "slug"))
    for topic in topics.values():
        other = names_in_use.get(topic.name)
        if other is not None and other != topic.slug:
            errors.add(topic.where, f"field 'name': {topic.name!r} is already topic {other!r}.")
    return topics, list(questions.values())


def validate_follow_ups(
    documents: list[Document], questions: list[QuestionRecord], errors: Errors
) -> dict[str, list[FollowUpRecord]]:
    """The follow-ups of the documents by question key, in file order.

    Each names a question of these files or of the database, and a key point that
    question has (the files' key points when the question is loaded too).
    """
    found: dict[str, list[FollowUpRecord]] = {}
    for document in documents:
        if not isinstance(document.data, dict):
            continue
        for index, raw in enumerate(_section(document, "follow_ups", errors), start=1):
            key = raw.get("question") if isinstance(raw, dict) else None
            label = f" (question {key!r})" if isinstance(key, str) and key else ""
            where = f"{document.where('follow_ups', index)}: follow-up {index}{label}"
            record = parse_follow_up(raw, where, errors)
            if record is not None and record.question:
                found.setdefault(record.question, []).append(record)
    if not found:
        return found
    points = {question.key: len(question.key_points) for question in questions}
    missing = [key for key in found if key not in points]
    for key, count in _database_point_counts(missing).items():
        points[key] = count
    for key, records in found.items():
        for record in records:
            if key not in points:
                message = f"field 'question': no question {key!r} in these files or the database."
                errors.add(record.where, message)
            elif record.after_missing is not None and record.after_missing > points[key]:
                errors.add(
                    record.where,
                    f"field 'after_missing': question {key!r} has {points[key]} key points, "
                    f"so there is no key point {record.after_missing}.",
                )
    return found


def _database_point_counts(keys: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        rows = Question.objects.filter(key__in=keys[start : start + 500]).annotate(
            points=Count("key_points")
        )
        counts.update(rows.values_list("key", "points"))
    return counts
