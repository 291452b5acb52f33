"""
Checking parsed bank files record by record. Every limit is read from the model's own
fields (max_length, choices, the integer type's range), so the admin form, the database
and the importer cannot disagree.
"""

import re
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Count

from quizzes.bank.errors import Errors
from quizzes.bank.files import Document
from quizzes.bank.records import (
    FORMAT,
    VERSION,
    FollowUpRecord,
    PointRecord,
    QuestionRecord,
    TopicRecord,
    normalise,
)
from quizzes.models import (
    ALIAS_LENGTH,
    MAX_ALIASES,
    MAX_KEY_POINTS,
    FollowUp,
    KeyPoint,
    Kind,
    Question,
    Status,
    Topic,
    calculation_errors,
)

# One load may hold the whole shipped bank many times over; past this it is a mistake
# or an attack, and a single transaction of it would hold the database for too long.
MAX_QUESTIONS = 5_000
MAX_TOPICS = 500

FILE_FIELDS = {"format", "version", "topics", "questions", "follow_ups"}
TOPIC_FIELDS = {"slug", "name", "description", "order"}
QUESTION_FIELDS = {
    "key", "topic", "prompt", "answer", "key_points", "difficulty", "status", "tags", "source",
    "kind", "expected", "unit", "tolerance",
}  # fmt: skip
FOLLOW_UP_FIELDS = {"question", "after_missing", "prompt", "answer"}
CALCULATION_FIELDS = ("expected", "unit", "tolerance")
KEY_POINT_FIELDS = {"text", "aliases"}


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _int_range(model, name: str) -> tuple[int, int]:
    # The portable range of the column's type: what every supported database accepts.
    internal = model._meta.get_field(name).get_internal_type()
    return BaseDatabaseOperations.integer_field_ranges[internal]


KEY_LENGTH = _max_length(Question, "key")
KEY_RE = re.compile(rf"^[a-z0-9-]{{1,{KEY_LENGTH}}}\Z")
SLUG_LENGTH = _max_length(Topic, "slug")
SLUG_RE = re.compile(rf"^[a-z0-9-]{{1,{SLUG_LENGTH}}}\Z")
TOPIC_NAME_LENGTH = _max_length(Topic, "name")
ORDER_RANGE = _int_range(Topic, "order")
TEXT_LENGTH = _max_length(Question, "prompt")
ANSWER_LENGTH = _max_length(Question, "answer")
TAGS_LENGTH = _max_length(Question, "tags")
SOURCE_LENGTH = _max_length(Question, "source")
KEY_POINT_LENGTH = _max_length(KeyPoint, "text")
FOLLOW_UP_PROMPT_LENGTH = _max_length(FollowUp, "prompt")
FOLLOW_UP_ANSWER_LENGTH = _max_length(FollowUp, "answer")
DIFFICULTIES = [value for value, _ in Question._meta.get_field("difficulty").choices]
STATUSES = [value for value, _ in Question._meta.get_field("status").choices]
KINDS = [value for value, _ in Question._meta.get_field("kind").choices]
UNIT_LENGTH = _max_length(Question, "unit")


# Fields ---------------------------------------------------------------------


def _text(record: dict, name: str, where: str, errors: Errors, *, required: bool, max_length):
    value = record.get(name)
    if value is None:
        if required:
            errors.add(where, f"field {name!r} is required.")
        return ""
    if not isinstance(value, str):
        errors.add(where, f"field {name!r} must be text, not {type(value).__name__}.")
        return ""
    value = normalise(value)
    if required and not value:
        errors.add(where, f"field {name!r} must not be empty.")
    if max_length is not None and len(value) > max_length:
        errors.add(where, f"field {name!r} is {len(value)} characters; at most {max_length}.")
    return value


def _unknown_fields(record: dict, allowed: set[str], where: str, errors: Errors) -> None:
    for name in sorted(set(record) - allowed, key=str):
        errors.add(where, f"unknown field {name!r} (allowed: {', '.join(sorted(allowed))}).")


def _choice(record: dict, name: str, choices: list[str], default, where: str, errors: Errors):
    value = record.get(name, default)
    if value not in choices:
        errors.add(where, f"field {name!r} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _topic(record: Any, where: str, errors: Errors) -> TopicRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with slug and name.")
        return None
    _unknown_fields(record, TOPIC_FIELDS, where, errors)
    slug = _text(record, "slug", where, errors, required=True, max_length=SLUG_LENGTH)
    if slug and not SLUG_RE.match(slug):
        errors.add(where, "field 'slug' may use only lowercase letters, digits and hyphens.")
    name = _text(record, "name", where, errors, required=True, max_length=TOPIC_NAME_LENGTH)
    description = _text(record, "description", where, errors, required=False, max_length=None)
    order = record.get("order", 0)
    low, high = ORDER_RANGE
    if not isinstance(order, int) or isinstance(order, bool) or not low <= order <= high:
        errors.add(where, f"field 'order' must be a whole number from {low} to {high}.")
        order = 0
    return TopicRecord(slug, name, description, order, where)


def _aliases(value, label: str, where: str, errors: Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(alias, str) for alias in value):
        errors.add(where, f"{label} 'aliases' must be a list of text.")
        return ()
    aliases = [" ".join(alias.split()) for alias in value]
    aliases = [alias for alias in aliases if alias]
    if len(aliases) > MAX_ALIASES:
        errors.add(where, f"{label} has {len(aliases)} aliases; at most {MAX_ALIASES}.")
    for alias in aliases:
        if len(alias) > ALIAS_LENGTH:
            errors.add(where, f"{label} has an alias over {ALIAS_LENGTH} characters.")
    return tuple(aliases)


def _key_point_mapping(point: dict, label: str, where: str, errors: Errors):
    unknown = sorted(set(point) - KEY_POINT_FIELDS, key=str)
    if "text" not in point:
        # `- Local connectivity: each output…` is a mapping to YAML, not text.
        errors.add(
            where,
            f"{label} was read as a mapping, not text: YAML takes 'word: more words' as "
            "key and value; put the item in quotes (or give it 'text' and 'aliases').",
        )
        return None, ()
    for name in unknown:
        errors.add(where, f"{label} has unknown field {name!r} (allowed: aliases, text).")
    return point.get("text"), _aliases(point.get("aliases"), label, where, errors)


def parse_key_points(record: dict, where: str, errors: Errors) -> list[PointRecord]:
    key_points = record.get("key_points")
    if key_points is None:
        errors.add(where, "field 'key_points' is required.")
        return []
    if not isinstance(key_points, list):
        errors.add(where, "field 'key_points' must be a list of text.")
        return []
    if not 1 <= len(key_points) <= MAX_KEY_POINTS:
        errors.add(
            where,
            f"field 'key_points' has {len(key_points)} items; it needs 1 to {MAX_KEY_POINTS}.",
        )
    cleaned = []
    for number, point in enumerate(key_points, start=1):
        aliases: tuple[str, ...] = ()
        if isinstance(point, dict):
            point, aliases = _key_point_mapping(
                point, f"field 'key_points' item {number}", where, errors
            )
            if point is None:
                continue
        if not isinstance(point, str) or not point.strip():
            errors.add(where, f"field 'key_points' item {number} must be non-empty text.")
            continue
        point = point.strip()
        if len(point) > KEY_POINT_LENGTH:
            errors.add(
                where,
                f"field 'key_points' item {number} is {len(point)} characters; "
                f"at most {KEY_POINT_LENGTH}.",
            )
        cleaned.append(PointRecord(point, aliases))
    return cleaned


def _number(record: dict, name: str, where: str, errors: Errors) -> float | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.add(where, f"field {name!r} must be a number, not {type(value).__name__}.")
        return None
    return float(value)


def _calculation(record: dict, kind: str, where: str, errors: Errors) -> dict:
    present = [name for name in CALCULATION_FIELDS if name in record]
    if kind != Kind.CALCULATION:
        for name in present:
            errors.add(where, f"field {name!r} is only for 'kind: calculation'.")
        return {}
    expected = _number(record, "expected", where, errors)
    tolerance = _number(record, "tolerance", where, errors)
    unit = _text(record, "unit", where, errors, required=False, max_length=UNIT_LENGTH)
    for name, message in calculation_errors(
        kind=kind, expected=expected, tolerance=tolerance
    ).items():
        errors.add(where, f"field {name!r}: {message}")
    return {"expected": expected, "unit": unit, "tolerance": tolerance}


def _tags(record: dict, where: str, errors: Errors) -> list[str]:
    tags = record.get("tags", [])
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        errors.add(where, "field 'tags' must be a list of text.")
        return []
    tags = [tag.strip() for tag in tags if tag.strip()]
    if any("," in tag for tag in tags):
        errors.add(where, "field 'tags': a tag may not contain a comma.")
    if len(", ".join(tags)) > TAGS_LENGTH:
        errors.add(where, f"field 'tags' is longer than {TAGS_LENGTH} characters in all.")
    return tags


def _question(record: Any, where: str, errors: Errors) -> QuestionRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with key, topic, prompt, answer and key_points.")
        return None
    _unknown_fields(record, QUESTION_FIELDS, where, errors)
    key = _text(record, "key", where, errors, required=True, max_length=None)
    if key and not KEY_RE.match(key):
        errors.add(
            where, f"field 'key' must be 1–{KEY_LENGTH} lowercase letters, digits and hyphens."
        )
    kind = _choice(record, "kind", KINDS, Kind.RECALL.value, where, errors)
    return QuestionRecord(
        kind=kind,
        **_calculation(record, kind, where, errors),
        key=key,
        topic=_text(record, "topic", where, errors, required=True, max_length=SLUG_LENGTH),
        prompt=_text(record, "prompt", where, errors, required=True, max_length=TEXT_LENGTH),
        answer=_text(record, "answer", where, errors, required=True, max_length=ANSWER_LENGTH),
        source=_text(record, "source", where, errors, required=False, max_length=SOURCE_LENGTH),
        difficulty=_choice(record, "difficulty", DIFFICULTIES, None, where, errors),
        status=_choice(record, "status", STATUSES, Status.DRAFT.value, where, errors),
        tags=_tags(record, where, errors),
        key_points=parse_key_points(record, where, errors),
        where=where,
    )


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
        _unknown_fields(data, FILE_FIELDS, document.name, errors)
        if data.get("format") != FORMAT:
            errors.add(document.name, f"field 'format' must be {FORMAT!r}.")
        if data.get("version") != VERSION:
            errors.add(
                document.name, f"field 'version' must be {VERSION}; this PrepSite reads only that."
            )
        for index, raw in enumerate(_section(document, "topics", errors), start=1):
            where = f"{document.where('topics', index)}: topic {index}"
            topic = _topic(raw, where, errors)
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
            question = _question(raw, where, errors)
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


def _follow_up(record: Any, where: str, errors: Errors) -> FollowUpRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with question, prompt and answer.")
        return None
    _unknown_fields(record, FOLLOW_UP_FIELDS, where, errors)
    after = record.get("after_missing")
    if after is not None and (
        not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= MAX_KEY_POINTS
    ):
        errors.add(
            where,
            f"field 'after_missing' must be a key point's number from 1 to {MAX_KEY_POINTS}, "
            "or left out for a follow-up asked every time.",
        )
        after = None
    return FollowUpRecord(
        question=_text(record, "question", where, errors, required=True, max_length=KEY_LENGTH),
        after_missing=after,
        prompt=_text(
            record, "prompt", where, errors, required=True, max_length=FOLLOW_UP_PROMPT_LENGTH
        ),
        answer=_text(
            record, "answer", where, errors, required=True, max_length=FOLLOW_UP_ANSWER_LENGTH
        ),
        where=where,
    )


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
            record = _follow_up(raw, where, errors)
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
