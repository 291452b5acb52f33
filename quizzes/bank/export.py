"""Writing the whole bank to one YAML or JSON file that loads back unchanged."""

import json
from pathlib import Path
from typing import IO

import yaml

from quizzes.bank.files import file_format
from quizzes.bank.records import FORMAT, VERSION, PointRecord, calculation_content, normalise
from quizzes.models import FollowUp, KeyPoint, Question, Topic


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
    points: dict[int, list[str | dict]] = {}
    for point in KeyPoint.objects.order_by("question_id", "order", "id"):
        points.setdefault(point.question_id, []).append(
            PointRecord(point.text, tuple(point.alias_list)).content()
        )
    questions = []
    for question in Question.objects.select_related("topic").order_by("topic__order", "key"):
        record = {
            "key": question.key,
            "topic": question.topic.slug,
            "difficulty": question.difficulty,
            "status": question.status,
            "tags": question.tag_list,
            **calculation_content(
                question.kind, question.expected, question.unit, question.tolerance
            ),
        }
        if question.source:
            record["source"] = question.source
        record["prompt"] = _export_text(question.prompt)
        record["answer"] = _export_text(question.answer)
        record["key_points"] = points.get(question.pk, [])
        questions.append(record)
    follow_ups = []
    for follow_up in FollowUp.objects.select_related("question").order_by(
        "question__topic__order", "question__key", "order", "id"
    ):
        record = {"question": follow_up.question.key}
        if follow_up.after_missing is not None:
            record["after_missing"] = follow_up.after_missing
        record["prompt"] = _export_text(follow_up.prompt)
        record["answer"] = _export_text(follow_up.answer)
        follow_ups.append(record)
    data = {"format": FORMAT, "version": VERSION, "topics": topics, "questions": questions}
    if follow_ups:
        data["follow_ups"] = follow_ups
    return data


def _export_text(text: str) -> str:
    # Literal blocks end with a newline, and cannot hold carriage returns.
    return normalise(text) + "\n"


def serialise(data: dict, fmt: str) -> str:
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
        fmt = file_format(str(path_or_stream))
        if fmt is None:
            raise ValueError(f"{path_or_stream}: use a .yaml, .yml or .json file.")
    data = bank_data()
    text = serialise(data, fmt)
    if hasattr(path_or_stream, "write"):
        path_or_stream.write(text)
    else:
        Path(path_or_stream).write_text(text, encoding="utf-8")
    return len(data["questions"])
