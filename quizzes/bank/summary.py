"""What a bank load did: counts, the keys it wrote, and what it kept because an editor
changed it since (with the diff and the file's record, to overwrite on request)."""

from dataclasses import dataclass, field

from quizzes.bank.records import FORMAT, VERSION

EDITED = "edited in the admin"


@dataclass
class Kept:
    """A topic or question a load left alone because an editor changed it since."""

    kind: str  # "question" or "topic"
    key: str  # the question's key or the topic's slug
    diff: str  # unified diff, database then file
    record: dict  # the file's record, to load again with overwrite

    @property
    def label(self) -> str:
        return self.key if self.kind == "question" else f"topic {self.key}"


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
    kept: list[Kept] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    follow_ups_created: int = 0
    follow_ups_updated: int = 0
    follow_ups_deleted: int = 0
    # "KEY follow-up N": edited in the admin since the last load, so left as they are.
    follow_ups_kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        """The one sentence a load ends with, in the command's output and the admin's message
        alike. Questions, topics and follow-ups are always counted, changed or not."""
        # "Questions: 1 new", not "created 1 questions": no plurals to get wrong.
        text = (
            f"Questions: {self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"topics: {self.topics_created} new"
        )
        if self.topics_updated:
            text += f", {self.topics_updated} updated"
        text += (
            f"; follow-ups: {self.follow_ups_created} new, {self.follow_ups_updated} updated, "
            f"{self.follow_ups_deleted} removed"
        )
        if self.overwritten:
            text += f"; overwritten on purpose: {', '.join(self.overwritten)}"
        if self.kept:
            text += f"; kept: {EDITED}: {', '.join(kept.label for kept in self.kept)}"
        if self.follow_ups_kept:
            text += f"; follow-ups kept: {EDITED}: {', '.join(self.follow_ups_kept)}"
        files = f"{self.files} file" + ("" if self.files == 1 else "s")
        return f"{text} (from {files})."


def kept_bank(kept: list[Kept]) -> dict:
    """A bank file of just the kept topics and questions, as the files had them: what an
    editor's "overwrite these" loads again (the rest of the file is already loaded)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "topics": [item.record for item in kept if item.kind == "topic"],
        "questions": [item.record for item in kept if item.kind == "question"],
    }
