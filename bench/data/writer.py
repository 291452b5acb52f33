"""Buffered rows in PostgreSQL's COPY text format, and the writer that loads them.

Rows are written in batches: with COPY on PostgreSQL (a writer thread sends one batch
while the next is generated; the big tables' secondary indexes are rebuilt once at the
end), with bulk_create elsewhere (the tests' small sizes on SQLite).
"""

import json
import queue
import re
import threading
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, models

from accounts.models import DailyActivity, Profile
from quizzes.models import Answer, Card, KeyPoint, PracticeSession, Question, Topic

# The columns we fill, per model, in this order in each generated line; any
# other column (a field added later) gets its field's default.
COLUMNS = {
    get_user_model(): ("id", "password", "username", "email", "is_active", "date_joined"),
    Profile: ("id", "user_id", "time_zone", "interview_date", "daily_goal"),
    Topic: ("id", "name", "slug", "description", "order"),
    Question: (
        "id",
        "key",
        "topic_id",
        "prompt",
        "answer",
        "difficulty",
        "tags",
        "status",
        "created_at",
        "updated_at",
    ),
    KeyPoint: ("id", "question_id", "text", "order"),
    PracticeSession: (
        "id",
        "user_id",
        "mode",
        "size",
        "started_at",
        "finished_at",
        "answered",
        "recalled",
        "current_shown_at",
    ),
    Answer: (
        "id",
        "user_id",
        "session_id",
        "question_id",
        "grade",
        "key_points_ticked",
        "seconds_to_reveal",
        "seconds_to_grade",
        "answered_at",
    ),
    Card: (
        "id",
        "user_id",
        "question_id",
        "state",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reviews",
        "lapses",
    ),
    DailyActivity: ("id", "user_id", "day", "answers", "recalled"),
}
# Parents before children, so a flush never writes a row before what it points to.
WRITE_ORDER = list(COLUMNS)
# The big tables: their secondary indexes are built once after loading, not row by row.
REINDEXED = (PracticeSession, Answer, Card, DailyActivity)

_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def copy_value(value) -> str:
    """`value` in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_line(*values) -> str:
    return "\t".join(map(copy_value, values))


def timestamp(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(sep=" ")


class Table:
    """One model's buffered lines, and the defaults of the columns we leave out."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...]):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in names]
        missing = [
            field
            for field in model._meta.concrete_fields
            if field.attname not in names and not field.primary_key
        ]
        self.all_fields = self.fields + missing
        # Appended to every line: the default of each column we do not fill.
        self.suffix = "".join("\t" + copy_value(field.get_default()) for field in missing)
        self.lines: list[str] = []
        self.next_id = 0
        if not isinstance(model._meta.pk, models.UUIDField):
            self.next_id = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1

    def take_ids(self, count: int) -> int:
        first = self.next_id
        self.next_id += count
        return first

    def add(self, *values) -> None:
        self.lines.append(copy_line(*values) + self.suffix + "\n")

    def copy_sql(self) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.all_fields)
        return f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"

    def instances(self, lines: list[str]):
        """Model instances from COPY lines (the bulk_create path)."""
        for line in lines:
            kwargs = {}
            for field, text in zip(self.all_fields, line[:-1].split("\t"), strict=True):
                if text == r"\N":
                    value = None
                else:
                    text = _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], text)
                    if isinstance(field, models.JSONField):
                        value = json.loads(text)
                    elif isinstance(field, models.BooleanField):
                        value = text == "t"
                    else:
                        value = field.to_python(text)
                kwargs[field.attname] = value
            yield self.model(**kwargs)


class Writer:
    """Writes buffered lines in batches: COPY from a thread on PostgreSQL, else bulk_create."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.tables = {model: Table(model, names) for model, names in COLUMNS.items()}
        self.written = dict.fromkeys(COLUMNS, 0)
        self.copy = connection.vendor == "postgresql"
        if self.copy:
            connection.ensure_connection()
            # Django's connection object is per thread: the worker gets the raw one.
            self.raw = connection.connection
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.error: BaseException | None = None
            self.thread = threading.Thread(target=self._copy_worker, daemon=True)
            self.thread.start()

    def __getitem__(self, model) -> Table:
        return self.tables[model]

    def pending(self) -> int:
        return sum(len(table.lines) for table in self.tables.values())

    def maybe_flush(self) -> None:
        if self.pending() >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        for model in WRITE_ORDER:
            table = self.tables[model]
            if not table.lines:
                continue
            lines, table.lines = table.lines, []
            self.written[model] += len(lines)
            if self.copy:
                self._raise_worker_error()
                self.queue.put((table.copy_sql(), "".join(lines)))
            else:
                model.objects.bulk_create(table.instances(lines), batch_size=500)

    def finish(self) -> None:
        self.flush()
        if self.copy:
            self.queue.put(None)
            self.thread.join()
            self._raise_worker_error()

    def _raise_worker_error(self) -> None:
        if self.error is not None:
            raise CommandError(f"COPY failed: {self.error}") from self.error

    def _copy_worker(self) -> None:
        # The main thread does not touch the connection while this one copies:
        # it only generates lines until finish() joins.
        raw = self.raw
        while (job := self.queue.get()) is not None:
            if self.error is not None:
                continue
            sql, payload = job
            try:
                with raw.cursor() as cursor, cursor.copy(sql) as copy:
                    copy.write(payload)
            except BaseException as exc:  # reported by the main thread
                self.error = exc

    def reset_sequences(self) -> None:
        with_sequences = [
            model for model in WRITE_ORDER if not isinstance(model._meta.pk, models.UUIDField)
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), with_sequences):
                cursor.execute(sql)


class SecondaryIndexes:
    """On PostgreSQL, drop the big tables' secondary indexes and unique constraints,
    and rebuild them after loading (in the same transaction): one sort per index
    instead of a million index insertions. The unique constraints are checked
    again as they are rebuilt."""

    def __init__(self, models_: tuple):
        self.tables = [model._meta.db_table for model in models_]
        self.restore: list[str] = []

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                    "WHERE c.conrelid = %s::regclass AND c.contype = 'u' AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
                    "  AND f.conindid = c.conindid)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    self.restore.append(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                    )
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                    "  WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    self.restore.append(definition)

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in self.restore:
                cursor.execute(statement)
