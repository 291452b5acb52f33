"""
What a bank file's records are once checked (topics, questions, key points, follow-ups),
and their content as a load compares and hashes it, from a file or from the database.
Checking the files is `validate`.
"""

import hashlib
import json
from dataclasses import dataclass

from quizzes.models import FollowUp, Kind, Question, Topic, split_aliases

FORMAT = "prepsite-question-bank"
VERSION = 1


@dataclass(frozen=True)
class PointRecord:
    text: str
    aliases: tuple[str, ...] = ()

    def content(self) -> str | dict:
        # A point without aliases is plain text, as before aliases existed, so the content
        # hashes of banks loaded then still match and a load keeps nothing by mistake.
        if not self.aliases:
            return self.text
        return {"text": self.text, "aliases": list(self.aliases)}


def point_records(points) -> list[PointRecord]:
    """The database's key points as records (the same shape a file gives)."""
    return [PointRecord(p.text.strip(), tuple(split_aliases(p.aliases))) for p in points]


@dataclass
class TopicRecord:
    slug: str
    name: str
    description: str
    order: int
    where: str

    def content(self) -> dict:
        return {"name": self.name, "description": self.description, "order": self.order}

    def as_file_record(self) -> dict:
        return {"slug": self.slug, **self.content()}


@dataclass
class QuestionRecord:
    key: str
    topic: str
    prompt: str
    answer: str
    difficulty: str
    status: str
    tags: list[str]
    source: str
    key_points: list[PointRecord]
    where: str
    kind: str = Kind.RECALL.value
    expected: float | None = None
    unit: str = ""
    tolerance: float | None = None

    @property
    def tags_text(self) -> str:
        return ", ".join(self.tags)

    @property
    def key_point_texts(self) -> list[str]:
        return [point.text for point in self.key_points]

    def content(self) -> dict:
        content = {
            "topic": self.topic,
            "difficulty": self.difficulty,
            "status": self.status,
            "tags": self.tags_text,
            "source": self.source,
            "prompt": self.prompt,
            "answer": self.answer,
            "key_points": [point.content() for point in self.key_points],
        }
        content.update(calculation_content(self.kind, self.expected, self.unit, self.tolerance))
        return content

    def as_file_record(self) -> dict:
        return {"key": self.key, **self.content(), "tags": list(self.tags)}


@dataclass
class FollowUpRecord:
    question: str  # the key of the question it follows
    after_missing: int | None  # 1-based key point number; None: always
    prompt: str
    answer: str
    where: str

    def content(self) -> dict:
        return {"after_missing": self.after_missing, "prompt": self.prompt, "answer": self.answer}

    def as_file_record(self) -> dict:
        record = {"question": self.question}
        if self.after_missing is not None:
            record["after_missing"] = self.after_missing
        return {**record, "prompt": self.prompt, "answer": self.answer}


def follow_up_content(follow_up: FollowUp) -> dict:
    """The database's side of `FollowUpRecord.content`, normalised the same way."""
    return {
        "after_missing": follow_up.after_missing,
        "prompt": normalise(follow_up.prompt),
        "answer": normalise(follow_up.answer),
    }


def calculation_content(kind: str, expected, unit: str, tolerance) -> dict:
    """Only for calculations: a recall question's content (and hash) is as it always was."""
    if kind != Kind.CALCULATION:
        return {}
    return {"kind": kind, "expected": expected, "unit": unit, "tolerance": tolerance}


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def content_hash(content: dict) -> str:
    """A digest of what a bank file says about a topic or question: the same content
    gives the same digest whether it came from a file or from the database.
    (Copied into migration 0004, which must not change when this does.)"""
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def question_content(
    question: Question, topic_slug: str, key_points: list[str] | list[PointRecord]
) -> dict:
    """The database's side of `QuestionRecord.content`, normalised the same way: text typed
    in the admin may carry CRLF or a trailing newline, and "a,b" and "a, b" are one tag list.
    `key_points` are texts (no aliases) or records."""
    points = [
        point if isinstance(point, PointRecord) else PointRecord(point.strip())
        for point in key_points
    ]
    return {
        "topic": topic_slug,
        "difficulty": question.difficulty,
        "status": question.status,
        "tags": ", ".join(question.tag_list),
        "source": question.source.strip(),
        "prompt": normalise(question.prompt),
        "answer": normalise(question.answer),
        "key_points": [point.content() for point in points],
        **calculation_content(
            question.kind, question.expected, question.unit.strip(), question.tolerance
        ),
    }


def topic_content(topic: Topic) -> dict:
    return {"name": topic.name, "description": normalise(topic.description), "order": topic.order}
