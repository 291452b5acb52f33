"""
Reading bank files safely: size caps, YAML without anchors, aliases or duplicate keys,
JSON without duplicate keys, and the line of every record for the messages.

Nothing here trusts the file: an alias bomb is refused from the parser's events,
before anything is built, so a small hostile file costs milliseconds, not a worker.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from quizzes.bank.errors import Errors

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
# A whole topic of the shipped bank is about 30 KB; 5 MB is a generous bank in one file.
MAX_FILE_BYTES = 5 * 1024 * 1024
# The bank format nests four deep (file, questions, question, key_points); anything
# much deeper is not a bank file, and deep nesting is how parsers are made to recurse.
MAX_DEPTH = 8

# libyaml is much faster on big banks; PyYAML's pure-Python loader otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """One parsed file, with the line of each topic and question record when known."""

    name: str
    data: Any
    lines: dict[str, list[int]] = field(default_factory=dict)

    def where(self, section: str, index: int) -> str:
        """`cnn.yaml:12` for the record's first line, or just the file name."""
        lines = self.lines.get(section, [])
        if 0 < index <= len(lines):
            return f"{self.name}:{lines[index - 1]}"
        return self.name


Source = str | Path | IO


def expand(sources: Source | Iterable[Source], errors: Errors) -> list[Source]:
    """Files from paths, folders (their bank files, sorted) and open file objects."""
    if isinstance(sources, str | Path) or hasattr(sources, "read"):
        sources = [sources]
    found: list[Source] = []
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
            errors.add(str(path), "no such file or folder.")
    return found


def file_format(name: str) -> str | None:
    return SUFFIXES.get(Path(name).suffix.lower())


def read(source: Source, errors: Errors) -> Document | None:
    """The parsed document, or None with the reasons added to `errors`."""
    if hasattr(source, "read"):
        name = Path(getattr(source, "name", "") or "upload").name
    else:
        name = Path(source).name
    fmt = file_format(name)
    if fmt is None:
        errors.add(name, "use a .yaml, .yml or .json file.")
        return None
    try:
        if hasattr(source, "read"):
            content = source.read(MAX_FILE_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        errors.add(name, f"cannot be read: {exc.strerror or exc}.")
        return None
    if len(content) > MAX_FILE_BYTES:
        megabytes = f"{MAX_FILE_BYTES / 2**20:g} MB"
        errors.add(name, f"the file is larger than {MAX_FILE_BYTES:,} bytes ({megabytes}).")
        return None
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(name, "the file is not UTF-8 text.")
            return None
    if fmt == "json":
        return _read_json(name, content, errors)
    return _read_yaml(name, content, errors)


# JSON -----------------------------------------------------------------------


def _read_json(name: str, content: str, errors: Errors) -> Document | None:
    duplicates: list[str] = []

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(content, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        errors.add(f"{name}:{exc.lineno}", f"not valid JSON: {exc.msg}.")
        return None
    except RecursionError:
        errors.add(name, "the JSON is nested too deeply to be a bank file.")
        return None
    for key in duplicates:
        errors.add(name, f"key {key!r} appears twice in one object; give it once.")
    return None if duplicates else Document(name, data)


# YAML -----------------------------------------------------------------------


def _line(mark) -> int:
    return mark.line + 1


def _check_events(name: str, content: str, errors: Errors) -> bool:
    """Refuse anchors, aliases and deep nesting from the event stream, which holds
    every alias once, unexpanded: this pass is linear in the file's size."""
    depth = 0
    ok = True
    try:
        for event in yaml.parse(content, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                errors.add(
                    f"{name}:{_line(event.start_mark)}",
                    f"YAML aliases (*{event.anchor}) are not allowed; write the value out.",
                )
                ok = False
            elif getattr(event, "anchor", None) is not None:
                errors.add(
                    f"{name}:{_line(event.start_mark)}",
                    f"YAML anchors (&{event.anchor}) are not allowed; write the value out.",
                )
                ok = False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    errors.add(
                        f"{name}:{_line(event.start_mark)}",
                        f"nested more than {MAX_DEPTH} levels deep; this is not a bank file.",
                    )
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        errors.add(name, f"not valid YAML: {exc}")
        return False
    return ok


def _check_duplicate_keys(name: str, node, errors: Errors) -> bool:
    ok = True
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    errors.add(f"{name}:{_line(key_node.start_mark)}", "a key must be plain text.")
                    ok = False
                    continue
                line = _line(key_node.start_mark)
                if key_node.value in seen:
                    errors.add(
                        f"{name}:{line}",
                        f"key {key_node.value!r} appears twice in one record "
                        f"(first on line {seen[key_node.value]}); give it once.",
                    )
                    ok = False
                else:
                    seen[key_node.value] = line
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return ok


def _record_lines(root) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        if isinstance(value_node, yaml.SequenceNode) and key_node.value in (
            "topics",
            "questions",
            "follow_ups",
        ):
            lines[key_node.value] = [_line(item.start_mark) for item in value_node.value]
    return lines


def _read_yaml(name: str, content: str, errors: Errors) -> Document | None:
    if not _check_events(name, content, errors):
        return None
    loader = _Loader(content)
    try:
        root = loader.get_single_node()
        if root is None:
            return Document(name, None)
        if not _check_duplicate_keys(name, root, errors):
            return None
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        errors.add(name, f"not valid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    return Document(name, data, _record_lines(root))
