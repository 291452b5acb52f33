"""
Parsing one bank record's fields (a topic, a question with its key points, a follow-up)
into records. Every limit is read from the model's own fields (max_length, choices, the
integer type's range), so the admin form, the database and the importer cannot disagree.
Whole-file checks (duplicates, unknown topics, totals) are quizzes.bank.validate's.
"""

import re
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations

from quizzes.bank.errors import Errors
from quizzes.bank.records import (
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


def unknown_fields(record: dict, allowed: set[str], where: str, errors: Errors) -> None:
    for name in sorted(set(record) - allowed, key=str):
        errors.add(where, f"unknown field {name!r} (allowed: {', '.join(sorted(allowed))}).")


def _choice(record: dict, name: str, choices: list[str], default, where: str, errors: Errors):
    value = record.get(name, default)
    if value not in choices:
        errors.add(where, f"field {name!r} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def parse_topic(record: Any, where: str, errors: Errors) -> TopicRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with slug and name.")
        return None
    unknown_fields(record, TOPIC_FIELDS, where, errors)
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


def parse_question(record: Any, where: str, errors: Errors) -> QuestionRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with key, topic, prompt, answer and key_points.")
        return None
    unknown_fields(record, QUESTION_FIELDS, where, errors)
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


def parse_follow_up(record: Any, where: str, errors: Errors) -> FollowUpRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with question, prompt and answer.")
        return None
    unknown_fields(record, FOLLOW_UP_FIELDS, where, errors)
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
