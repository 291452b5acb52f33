"""
Loading and exporting the question bank (the format is docs/question-format.md).

`load_bank` reads every file first and validates every record; only when all of
them are good does it write, in one transaction, matching questions on `key`.
A bad file therefore changes nothing, and loading the same bank twice is a no-op.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from quizzes.models import Difficulty, KeyPoint, Question, Status, Topic

FORMAT = "prepsite-question-bank"
VERSION = 1
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
KEY_RE = re.compile(r"^[a-z0-9-]{1,100}\Z")
MAX_KEY_POINTS = 10
MAX_KEY_POINT_LENGTH = 140
MAX_SOURCE_LENGTH = 300
MAX_TAGS_LENGTH = 300
MAX_ERRORS_SHOWN = 20
# How often `progress` hears about questions being written.
PROGRESS_EVERY = 100
# Stays under every database's limit on query parameters.
CHUNK = 500

TOPIC_FIELDS = {"slug", "name", "description", "order"}
QUESTION_FIELDS = {
    "key", "topic", "prompt", "answer", "key_points", "difficulty", "status", "tags", "source",
}  # fmt: skip
# The question columns an import writes; key points are compared separately.
QUESTION_COLUMNS = ("topic_id", "prompt", "answer", "difficulty", "status", "tags", "source")

# libyaml is much faster on big banks; PyYAML's pure-Python loader otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    topics_created: int = 0
    topics_updated: int = 0
    files: int = 0
    created_keys: list[str] = field(default_factory=list)
    updated_keys: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        # "Questions: 1 new", not "created 1 questions": no plurals to get wrong.
        text = (
            f"Questions: {self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"topics: {self.topics_created} new"
        )
        if self.topics_updated:
            text += f", {self.topics_updated} updated"
        return text


@dataclass
class _TopicRecord:
    slug: str
    name: str
    description: str
    order: int
    where: str


@dataclass
class _QuestionRecord:
    key: str
    topic: str
    prompt: str
    answer: str
    difficulty: str
    status: str
    tags: list[str]
    source: str
    key_points: list[str]

    @property
    def tags_text(self) -> str:
        return ", ".join(self.tags)


class _Errors:
    def __init__(self):
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_ERRORS_SHOWN]
        if len(self.messages) > len(shown):
            shown.append(f"… and {len(self.messages) - len(shown)} more problems.")
        raise ValidationError(shown)


# Reading --------------------------------------------------------------------


def _expand(sources) -> list[Any]:
    """Files from paths, folders (their bank files, sorted) and open file objects."""
    if isinstance(sources, str | Path) or hasattr(sources, "read"):
        sources = [sources]
    found = []
    for source in sources:
        if hasattr(source, "read"):
            found.append(source)
            continue
        path = Path(source)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ValidationError(f"{path}: no such file or folder.")
    return found


def _file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(f"{name}: use a .yaml, .yml or .json file.")
    return SUFFIXES[suffix]


def _parse(name: str, content: bytes | str, fmt: str) -> Any:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"{name}: the file is not UTF-8 text.") from None
    try:
        if fmt == "json":
            return json.loads(content)
        return yaml.load(content, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{name}: not valid {fmt.upper()}: {exc}") from None


def _read(source) -> tuple[str, Any]:
    if hasattr(source, "read"):
        name = Path(getattr(source, "name", "") or "upload").name
        fmt = _file_format(name)
        return name, _parse(name, source.read(), fmt)
    path = Path(source)
    return path.name, _parse(path.name, path.read_bytes(), _file_format(path.name))


# Validation -----------------------------------------------------------------


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _text(
    record: dict, name: str, where: str, errors: _Errors, *, required: bool, max_length=None
) -> str:
    value = record.get(name)
    if value is None:
        if required:
            errors.add(where, f"field {name!r} is required.")
        return ""
    if not isinstance(value, str):
        errors.add(where, f"field {name!r} must be text, not {type(value).__name__}.")
        return ""
    value = _normalise(value)
    if required and not value:
        errors.add(where, f"field {name!r} must not be empty.")
    if max_length is not None and len(value) > max_length:
        errors.add(where, f"field {name!r} is {len(value)} characters; at most {max_length}.")
    return value


def _unknown_fields(record: dict, allowed: set[str], where: str, errors: _Errors) -> None:
    for name in sorted(set(record) - allowed, key=str):
        errors.add(where, f"unknown field {name!r} (allowed: {', '.join(sorted(allowed))}).")


def _validate_topic(record: Any, where: str, errors: _Errors) -> _TopicRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with slug and name.")
        return None
    _unknown_fields(record, TOPIC_FIELDS, where, errors)
    slug = _text(record, "slug", where, errors, required=True, max_length=100)
    if slug and not KEY_RE.match(slug):
        errors.add(where, "field 'slug' may use only lowercase letters, digits and hyphens.")
    name = _text(record, "name", where, errors, required=True, max_length=100)
    description = _text(record, "description", where, errors, required=False)
    order = record.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        errors.add(where, "field 'order' must be a whole number, 0 or more.")
        order = 0
    return _TopicRecord(slug, name, description, order, where)


def _validate_question(record: Any, where: str, errors: _Errors) -> _QuestionRecord | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping with key, topic, prompt, answer and key_points.")
        return None
    _unknown_fields(record, QUESTION_FIELDS, where, errors)
    key = _text(record, "key", where, errors, required=True)
    if key and not KEY_RE.match(key):
        errors.add(where, "field 'key' must be 1–100 lowercase letters, digits and hyphens.")
    topic = _text(record, "topic", where, errors, required=True)
    prompt = _text(record, "prompt", where, errors, required=True)
    answer = _text(record, "answer", where, errors, required=True)
    source = _text(record, "source", where, errors, required=False, max_length=MAX_SOURCE_LENGTH)

    difficulty = record.get("difficulty")
    if difficulty not in Difficulty.values:
        choices = ", ".join(Difficulty.values)
        errors.add(where, f"field 'difficulty' must be one of {choices}, not {difficulty!r}.")
    status = record.get("status", Status.DRAFT)
    if status not in Status.values:
        choices = ", ".join(Status.values)
        errors.add(where, f"field 'status' must be one of {choices}, not {status!r}.")

    tags = record.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        errors.add(where, "field 'tags' must be a list of text.")
        tags = []
    tags = [tag.strip() for tag in tags if tag.strip()]
    if any("," in tag for tag in tags):
        errors.add(where, "field 'tags': a tag may not contain a comma.")
    if len(", ".join(tags)) > MAX_TAGS_LENGTH:
        errors.add(where, f"field 'tags' is longer than {MAX_TAGS_LENGTH} characters in all.")

    key_points = record.get("key_points")
    if key_points is None:
        errors.add(where, "field 'key_points' is required.")
        key_points = []
    elif not isinstance(key_points, list):
        errors.add(where, "field 'key_points' must be a list of text.")
        key_points = []
    elif not 1 <= len(key_points) <= MAX_KEY_POINTS:
        errors.add(
            where,
            f"field 'key_points' has {len(key_points)} items; it needs 1 to {MAX_KEY_POINTS}.",
        )
    cleaned_points = []
    for number, point in enumerate(key_points, start=1):
        if isinstance(point, dict):
            # `- Local connectivity: each output…` is a mapping to YAML, not text.
            errors.add(
                where,
                f"field 'key_points' item {number} was read as a mapping, not text: "
                "YAML takes 'word: more words' as key and value; put the item in quotes.",
            )
            continue
        if not isinstance(point, str) or not point.strip():
            errors.add(where, f"field 'key_points' item {number} must be non-empty text.")
            continue
        point = point.strip()
        if len(point) > MAX_KEY_POINT_LENGTH:
            errors.add(
                where,
                f"field 'key_points' item {number} is {len(point)} characters; "
                f"at most {MAX_KEY_POINT_LENGTH}.",
            )
        cleaned_points.append(point)

    return _QuestionRecord(
        key=key,
        topic=topic,
        prompt=prompt,
        answer=answer,
        difficulty=difficulty,
        status=status,
        tags=tags,
        source=source,
        key_points=cleaned_points,
    )


def _question_where(name: str, index: int, record: Any) -> str:
    key = record.get("key") if isinstance(record, dict) else None
    label = f" (key {key!r})" if isinstance(key, str) and key else ""
    return f"{name}: question {index}{label}"


def _validate(documents: list[tuple[str, Any]]):
    """Every topic and question record, or a ValidationError listing every problem found."""
    errors = _Errors()
    topics: dict[str, _TopicRecord] = {}
    questions: list[_QuestionRecord] = []
    first_seen: dict[str, str] = {}
    for name, data in documents:
        if not isinstance(data, dict):
            errors.add(name, f"expected a mapping with 'format: {FORMAT}' and 'questions'.")
            continue
        _unknown_fields(data, {"format", "version", "topics", "questions"}, name, errors)
        if data.get("format") != FORMAT:
            errors.add(name, f"field 'format' must be {FORMAT!r}.")
        if data.get("version") != VERSION:
            errors.add(name, f"field 'version' must be {VERSION}; this PrepSite reads only that.")
        raw_topics = data.get("topics") or []
        raw_questions = data.get("questions") or []
        if not isinstance(raw_topics, list):
            errors.add(name, "field 'topics' must be a list.")
            raw_topics = []
        if not isinstance(raw_questions, list):
            errors.add(name, "field 'questions' must be a list.")
            raw_questions = []
        for index, raw in enumerate(raw_topics, start=1):
            where = f"{name}: topic {index}"
            topic = _validate_topic(raw, where, errors)
            if topic is None or not topic.slug:
                continue
            if topic.slug in topics:
                other = topics[topic.slug].where
                errors.add(where, f"field 'slug': {topic.slug!r} is also defined in {other}.")
                continue
            topics[topic.slug] = topic
        for index, raw in enumerate(raw_questions, start=1):
            where = _question_where(name, index, raw)
            question = _validate_question(raw, where, errors)
            if question is None or not question.key:
                continue
            if question.key in first_seen:
                other = first_seen[question.key]
                errors.add(where, f"field 'key': {question.key!r} is also used by {other}.")
                continue
            first_seen[question.key] = where
            questions.append(question)

    known = set(Topic.objects.values_list("slug", flat=True)) | set(topics)
    for question in questions:
        if question.topic and question.topic not in known:
            errors.add(
                first_seen[question.key],
                f"field 'topic': no topic {question.topic!r} in this file or the database.",
            )
    names_in_use = dict(Topic.objects.values_list("name", "slug"))
    for topic in topics.values():
        other = names_in_use.get(topic.name)
        if other is not None and other != topic.slug:
            errors.add(topic.where, f"field 'name': {topic.name!r} is already topic {other!r}.")
    errors.raise_if_any()
    return topics, questions


# Writing --------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_topics(topics: dict[str, _TopicRecord], summary: Summary) -> dict[str, int]:
    existing = {topic.slug: topic for topic in Topic.objects.all()}
    changed = []
    for record in topics.values():
        topic = existing.get(record.slug)
        if topic is None:
            existing[record.slug] = Topic.objects.create(
                slug=record.slug,
                name=record.name,
                description=record.description,
                order=record.order,
            )
            summary.topics_created += 1
        elif (topic.name, topic.description, topic.order) != (
            record.name,
            record.description,
            record.order,
        ):
            topic.name, topic.description, topic.order = (
                record.name,
                record.description,
                record.order,
            )
            changed.append(topic)
    if changed:
        Topic.objects.bulk_update(changed, ["name", "description", "order"])
        summary.topics_updated = len(changed)
    return {slug: topic.pk for slug, topic in existing.items()}


def _write_questions(
    records: list[_QuestionRecord],
    topic_ids: dict[str, int],
    summary: Summary,
    *,
    user,
    progress: Callable[[int, int], None] | None,
) -> None:
    keys = [record.key for record in records]
    existing: dict[str, Question] = {}
    for chunk in _chunks(keys):
        existing.update((q.key, q) for q in Question.objects.filter(key__in=chunk))
    points: dict[int, list[str]] = {q.pk: [] for q in existing.values()}
    for chunk in _chunks(list(points)):
        for question_id, text in (
            KeyPoint.objects.filter(question_id__in=chunk)
            .order_by("question_id", "order", "id")
            .values_list("question_id", "text")
        ):
            points[question_id].append(text)

    now = timezone.now()
    new: list[tuple[Question, list[str]]] = []
    changed: list[Question] = []
    replace_points: dict[int, list[str]] = {}
    for done, record in enumerate(records, start=1):
        values = {
            "topic_id": topic_ids[record.topic],
            "prompt": record.prompt,
            "answer": record.answer,
            "difficulty": record.difficulty,
            "status": record.status,
            "tags": record.tags_text,
            "source": record.source,
        }
        question = existing.get(record.key)
        if question is None:
            new.append(
                (Question(key=record.key, created_by=user, updated_by=user, **values), record)
            )
        else:
            current = {column: getattr(question, column) for column in QUESTION_COLUMNS}
            # Text typed in the admin may carry CRLF or a trailing newline; "a,b" and
            # "a, b" are the same tags. Neither is a change worth writing.
            current["prompt"] = _normalise(question.prompt)
            current["answer"] = _normalise(question.answer)
            current["tags"] = ", ".join(question.tag_list)
            points_changed = points[question.pk] != record.key_points
            if current != values or points_changed:
                for column, value in values.items():
                    setattr(question, column, value)
                question.updated_at = now
                question.updated_by = user
                changed.append(question)
                summary.updated_keys.append(record.key)
                if points_changed:
                    replace_points[question.pk] = record.key_points
            else:
                summary.unchanged += 1
        if progress and (done % PROGRESS_EVERY == 0 or done == len(records)):
            progress(done, len(records))

    if new:
        Question.objects.bulk_create([question for question, _ in new], batch_size=CHUNK)
        KeyPoint.objects.bulk_create(
            [
                KeyPoint(question=question, text=text, order=order)
                for question, record in new
                for order, text in enumerate(record.key_points)
            ],
            batch_size=CHUNK,
        )
        summary.created = len(new)
        summary.created_keys = [question.key for question, _ in new]
    if changed:
        Question.objects.bulk_update(
            changed, [*QUESTION_COLUMNS, "updated_at", "updated_by"], batch_size=CHUNK
        )
        summary.updated = len(changed)
    if replace_points:
        for chunk in _chunks(list(replace_points)):
            KeyPoint.objects.filter(question_id__in=chunk).delete()
        KeyPoint.objects.bulk_create(
            [
                KeyPoint(question_id=question_id, text=text, order=order)
                for question_id, texts in replace_points.items()
                for order, text in enumerate(texts)
            ],
            batch_size=CHUNK,
        )


def load_bank(
    sources: str | Path | IO | Iterable[str | Path | IO],
    *,
    progress: Callable[[int, int], None] | None = None,
    user=None,
) -> Summary:
    """
    Load bank files (paths, folders of .yaml/.yml/.json files, or open files with a
    name) and create or update their topics and questions, matched on key.

    Raises ValidationError naming the file, record and field of every problem,
    before anything is written. `progress(done, total)` is called every
    PROGRESS_EVERY questions; `user` is recorded as creator/updater.
    """
    documents = [_read(source) for source in _expand(sources)]
    summary = Summary(files=len(documents))
    with transaction.atomic():
        topics, questions = _validate(documents)
        topic_ids = _write_topics(topics, summary)
        _write_questions(questions, topic_ids, summary, user=user, progress=progress)
    return summary


# Export ---------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Indented lists and multi-line text as literal blocks, like the shipped bank files."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def bank_data() -> dict:
    """The whole bank (every topic, every question with its key points) as plain data."""
    topics = [
        {"slug": t.slug, "name": t.name, "description": t.description, "order": t.order}
        for t in Topic.objects.order_by("order", "name")
    ]
    points: dict[int, list[str]] = {}
    for question_id, text in KeyPoint.objects.order_by("question_id", "order", "id").values_list(
        "question_id", "text"
    ):
        points.setdefault(question_id, []).append(text)
    questions = []
    for question in Question.objects.select_related("topic").order_by("topic__order", "key"):
        record = {
            "key": question.key,
            "topic": question.topic.slug,
            "difficulty": question.difficulty,
            "status": question.status,
            "tags": question.tag_list,
        }
        if question.source:
            record["source"] = question.source
        record["prompt"] = _export_text(question.prompt)
        record["answer"] = _export_text(question.answer)
        record["key_points"] = points.get(question.pk, [])
        questions.append(record)
    return {"format": FORMAT, "version": VERSION, "topics": topics, "questions": questions}


def _export_text(text: str) -> str:
    # Literal blocks end with a newline, and cannot hold carriage returns.
    return _normalise(text) + "\n"


def _serialise(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"Unknown bank format {fmt!r}: use 'yaml' or 'json'.")


def export_bank(path_or_stream: str | Path | IO[str], fmt: str | None = None) -> int:
    """
    Write the whole bank to a path or a text stream as 'yaml' or 'json' (for a
    path, by default from its extension). Returns the number of questions written.
    """
    if fmt is None:
        if hasattr(path_or_stream, "write"):
            raise ValueError("Give the format when exporting to a stream.")
        fmt = _file_format(str(path_or_stream))
    data = bank_data()
    text = _serialise(data, fmt)
    if hasattr(path_or_stream, "write"):
        path_or_stream.write(text)
    else:
        Path(path_or_stream).write_text(text, encoding="utf-8")
    return len(data["questions"])
