"""Build a large, internally consistent data set for the benchmark (`make bench`).

Rows are generated from one seeded random source as lines of PostgreSQL's COPY
text format and written in batches: with COPY on PostgreSQL (a writer thread
sends one batch while the next is generated; secondary indexes are rebuilt once
at the end), with bulk_create elsewhere (the tests' small sizes on SQLite).
Every roll-up agrees with the answers written: session counters, one Card per
(learner, question) answered, and DailyActivity per learner per local day.
"""

import json
import queue
import random
import re
import threading
import time
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from quizzes.models import (
    Answer,
    Card,
    Difficulty,
    KeyPoint,
    Mode,
    PracticeSession,
    Question,
    Status,
    Topic,
)

# Bump when the shape of the generated data changes, so `make bench` rebuilds it.
DATA_VERSION = 1
# Every generated learner has this password; it is hashed once per run.
PASSWORD = "bench-learner-password"
HEAVY_USERNAME = "heavy"
LEARNER_USERNAME = "learner-{:04d}"
BANK_SLUG = "bank-{}"
KEY_POINTS_PER_QUESTION = 3

TOPIC_NAMES = [
    "Optimisation",
    "Transformers",
    "Convolutional networks",
    "Recurrent networks",
    "Regularisation",
    "Probability",
    "Linear algebra",
    "Generative models",
    "Reinforcement learning",
    "Training at scale",
    "Evaluation",
    "Embeddings",
]
# 15% Again, 20% Hard, 50% Good, 15% Easy.
GRADES = (1,) * 3 + (2,) * 4 + (3,) * 10 + (4,) * 3
ORDINARY_SESSION_SIZES = (5, 10, 10, 20, 20)
MODES = tuple(
    str(mode) for mode in (Mode.DUE, Mode.DUE, Mode.DUE, Mode.NEW, Mode.WEAKEST, Mode.RANDOM)
)
TIME_ZONES = ("UTC", "Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata")
REVIEW = 2  # fsrs.State.Review
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86400

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


class _Table:
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


class _Writer:
    """Writes buffered lines in batches: COPY from a thread on PostgreSQL, else bulk_create."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.tables = {model: _Table(model, names) for model, names in COLUMNS.items()}
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

    def __getitem__(self, model) -> _Table:
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


class _SecondaryIndexes:
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


@dataclass(frozen=True)
class LearnerPlan:
    username: str
    answers: int
    time_zone: str
    working_set_all: bool  # practises the whole bank (the heavy learners) or a part of it
    session_sizes: tuple[int, ...]
    interview_in_days: int | None
    daily_goal: int


def _extra_learner(value: str) -> tuple[str, int]:
    name, sep, count = value.partition("=")
    if not sep or not name or not count.isdigit():
        raise ValueError(value)
    return name, int(count)


class Command(BaseCommand):
    help = (
        "Fill an empty database with benchmark data in bulk: topics, published questions with "
        "key points, learners (password in make_bench_data.PASSWORD) with profiles, finished "
        "sessions and answers spread over several years, the matching FSRS cards and daily "
        "activity roll-up, and one heavy learner 'heavy'. With --bank, build only topics of "
        "N published questions each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners", type=int, default=1000, help="Learners, 'heavy' included."
        )
        parser.add_argument("--questions", type=int, default=5000, help="Published questions.")
        parser.add_argument(
            "--answers",
            type=int,
            default=1_000_000,
            help="Answers of those learners in all, the heavy learner's included.",
        )
        parser.add_argument(
            "--heavy-answers", type=int, default=100_000, help="Answers of the learner 'heavy'."
        )
        parser.add_argument(
            "--extra-learner",
            type=_extra_learner,
            action="append",
            default=[],
            metavar="NAME=ANSWERS",
            help="One more learner like 'heavy' with this many answers (repeatable), "
            "e.g. heavy-1k=1000 for the dashboard growth runs.",
        )
        parser.add_argument(
            "--bank",
            type=int,
            action="append",
            default=[],
            metavar="N",
            help="Build only a topic 'bank-N' of N published questions (repeatable); "
            "no learners. For the session-start growth runs.",
        )
        parser.add_argument("--topics", type=int, default=len(TOPIC_NAMES))
        parser.add_argument("--years", type=float, default=3.0, help="Length of the history.")
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--batch-size", type=int, default=100_000, help="Rows buffered before each write."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.rng = random.Random(options["seed"])
        self.now = timezone.now().replace(microsecond=0)
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            indexes = _SecondaryIndexes(REINDEXED)
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    if cursor.fetchone()[0]:
                        # No per-row foreign key triggers; the generator only writes
                        # rows whose parents it wrote (the tests check it on SQLite,
                        # where the keys are enforced).
                        cursor.execute("SET LOCAL session_replication_role = replica")
                indexes.drop()
            self.writer = _Writer(options["batch_size"])
            try:
                if options["bank"]:
                    self._build_banks(options["bank"])
                else:
                    self._build_everything(options)
            finally:
                self.writer.finish()
            loaded = time.monotonic() - started
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                indexes.rebuild()
            self.writer.reset_sequences()
        built = time.monotonic() - started
        if postgres:
            # Fresh statistics (and, outside a transaction, visibility maps), as a
            # database in use would have.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in WRITE_ORDER:
                    cursor.execute(f'{command} "{model._meta.db_table}"')
        counts = ", ".join(
            f"{count:,} {model._meta.verbose_name_plural}"
            for model, count in self.writer.written.items()
            if count
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {counts}: loaded in {loaded:.1f} s, indexed and committed by "
                f"{built:.1f} s, analysed by {time.monotonic() - started:.1f} s."
            )
        )

    # The question bank

    def _build_banks(self, sizes: list[int]) -> None:
        for size in sizes:
            if size < 1:
                raise CommandError("--bank needs a positive number of questions.")
            if Topic.objects.filter(slug=BANK_SLUG.format(size)).exists():
                raise CommandError(
                    f"Topic {BANK_SLUG.format(size)!r} exists: use an empty database."
                )
        for order, size in enumerate(sizes):
            topic_id = self._add_topic(f"Bank of {size:,}", BANK_SLUG.format(size), order)
            self._add_questions(size, [topic_id], key_prefix=f"bank{size}")

    def _add_topic(self, name: str, slug: str, order: int) -> int:
        table = self.writer[Topic]
        topic_id = table.take_ids(1)
        table.add(topic_id, name, slug, f"Generated for the benchmark: {name.lower()}.", order)
        return topic_id

    def _add_questions(self, count: int, topic_ids: list[int], *, key_prefix: str) -> list[int]:
        """`count` published questions spread over the topics, three key points each."""
        rng = self.rng
        questions = self.writer[Question]
        key_points = self.writer[KeyPoint]
        first = questions.take_ids(count)
        self.first_key_point = key_points.take_ids(count * KEY_POINTS_PER_QUESTION)
        difficulties = (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.MEDIUM, Difficulty.HARD)
        for i in range(count):
            question_id = first + i
            prompt = f"Question {i + 1}: why does the method in case {i} behave as it does?"
            if i % 3 == 0:
                prompt += " Use $\\beta_1$ and $\\beta_2$ in your answer."
            answer = (
                f"Because of **reason {i}**: the estimate is biased early on, so we correct it "
                "by dividing by $1 - \\beta^t$.\n\n- First, the moments start at zero.\n"
                "- Then the correction fades as $t$ grows.\n"
            )
            if i % 5 == 0:
                answer += "\n```python\nm_hat = m / (1 - beta1 ** t)\n```\n"
            questions.add(
                question_id,
                f"{key_prefix}-{i + 1:05d}",
                topic_ids[i % len(topic_ids)],
                prompt,
                answer,
                str(difficulties[rng.randrange(len(difficulties))]),
                "bench, generated",
                str(Status.PUBLISHED),
                self.now,
                self.now,
            )
            for j in range(KEY_POINTS_PER_QUESTION):
                key_points.add(
                    self.first_key_point + i * KEY_POINTS_PER_QUESTION + j,
                    question_id,
                    f"Key point {j + 1} of question {i + 1}",
                    j,
                )
        self.writer.maybe_flush()
        return list(range(first, first + count))

    # Learners and their history

    def _build_everything(self, options) -> None:
        learners = options["learners"]
        questions = options["questions"]
        answers = options["answers"]
        heavy = options["heavy_answers"]
        if learners < 1 or questions < 1 or answers < 0 or heavy < 0:
            raise CommandError("--learners and --questions must be positive, answers not negative.")
        if heavy > answers:
            raise CommandError("--heavy-answers cannot exceed --answers (they are part of it).")
        if learners == 1 and answers != heavy:
            raise CommandError("With one learner, --answers must equal --heavy-answers.")
        names = [HEAVY_USERNAME, *(name for name, _ in options["extra_learner"])]
        if (
            len(set(names)) != len(names)
            or get_user_model().objects.filter(username__in=names).exists()
        ):
            raise CommandError("The learners to create exist already: use an empty database.")
        if not 1 <= options["topics"] <= questions:
            raise CommandError("--topics must be between 1 and --questions.")

        topic_ids = [
            self._add_topic(
                TOPIC_NAMES[i] if i < len(TOPIC_NAMES) else f"Topic {i + 1}",
                f"bench-topic-{i + 1}",
                i,
            )
            for i in range(options["topics"])
        ]
        self.question_ids = self._add_questions(questions, topic_ids, key_prefix="bench")

        heavy_like = {
            "time_zone": "Europe/London",
            "working_set_all": True,
            "session_sizes": (20,),
            "interview_in_days": 45,
            "daily_goal": 60,
        }
        plans = [LearnerPlan(HEAVY_USERNAME, heavy, **heavy_like)]
        plans += [LearnerPlan(name, n, **heavy_like) for name, n in options["extra_learner"]]
        ordinary = learners - 1
        share, remainder = divmod(answers - heavy, ordinary) if ordinary else (0, 0)
        plans += [
            LearnerPlan(
                LEARNER_USERNAME.format(i + 1),
                share + (1 if i < remainder else 0),
                time_zone=TIME_ZONES[i % len(TIME_ZONES)],
                working_set_all=False,
                session_sizes=ORDINARY_SESSION_SIZES,
                interview_in_days=None if i % 4 else 30 + i % 90,
                daily_goal=10,
            )
            for i in range(ordinary)
        ]
        password = make_password(PASSWORD)
        for plan in plans:
            self._add_learner(plan, password=password, years=options["years"])
            self.writer.maybe_flush()

    def _add_learner(self, plan: LearnerPlan, *, password: str, years: float) -> None:
        rng = self.rng
        writer = self.writer
        history_start = self.now - timedelta(days=365 * years)
        users = writer[get_user_model()]
        user_id = users.take_ids(1)
        users.add(
            user_id, password, plan.username, f"{plan.username}@bench.invalid", True, history_start
        )
        interview = (
            self.now.date() + timedelta(days=plan.interview_in_days)
            if plan.interview_in_days is not None
            else None
        )
        profiles = writer[Profile]
        profiles.add(profiles.take_ids(1), user_id, plan.time_zone, interview, plan.daily_goal)
        if not plan.answers:
            return
        zone = zoneinfo.ZoneInfo(plan.time_zone)
        bank = self.question_ids
        if plan.working_set_all:
            working_set = bank
        else:
            # Ordinary learners come back to part of the bank: most cards see a few reviews.
            working_set = rng.sample(bank, min(len(bank), max(20, plan.answers // 2)))

        sizes = []
        left = plan.answers
        while left:
            size = min(left, rng.choice(plan.session_sizes), len(working_set))
            sizes.append(size)
            left -= size
        # Sessions start at random over the history, in order, never overlapping.
        span_start = int(history_start.timestamp())
        span_end = int((self.now - timedelta(days=1)).timestamp())
        starts = sorted(rng.randrange(span_start, span_end) for _ in sizes)

        # question id -> [reviews, lapses, last review (epoch s), stability, difficulty]
        cards: dict[int, list] = {}
        days: dict[int, list[int]] = {}  # local day number -> [answers, recalled]
        answers_out = writer[Answer].lines
        sessions_out = writer[PracticeSession].lines
        answer_suffix = writer[Answer].suffix + "\n"
        session_suffix = writer[PracticeSession].suffix + "\n"
        answer_id = writer[Answer].take_ids(plan.answers)
        kp_first = self.first_key_point
        q_first = bank[0]
        random_ = rng.random
        getrandbits = rng.getrandbits
        sample = rng.sample
        previous_end = span_start
        for size, start in zip(sizes, starts, strict=True):
            t = max(start, previous_end + 600)
            session_id = str(uuid.UUID(int=getrandbits(128), version=4))
            started_at = timestamp(t)
            # The learner's UTC offset, fixed for the session unless a clock change
            # falls inside it (then each answer's own offset is looked up).
            offset = datetime.fromtimestamp(t, zone).utcoffset()
            offset_end = datetime.fromtimestamp(t + size * 140, zone).utcoffset()
            fixed_offset = int(offset.total_seconds()) if offset == offset_end else None
            recalled_in_session = 0
            for question_id in sample(working_set, size):
                grade = GRADES[int(random_() * 20)]
                reveal = 10 + int(random_() * 110)
                think = 2 + int(random_() * 20)
                t += reveal + think
                kp = kp_first + (question_id - q_first) * KEY_POINTS_PER_QUESTION
                ticked = (
                    "[]"
                    if grade == 1
                    else "[" + ", ".join(str(kp + j) for j in range(grade - 1)) + "]"
                )
                answers_out.append(
                    f"{answer_id}\t{user_id}\t{session_id}\t{question_id}\t{grade}\t{ticked}\t"
                    f"{reveal}\t{think}\t{timestamp(t)}{answer_suffix}"
                )
                answer_id += 1
                recalled = grade > 1
                recalled_in_session += recalled
                if fixed_offset is None:
                    local = datetime.fromtimestamp(t, zone)
                    day = local.toordinal() - EPOCH_ORDINAL
                else:
                    day = (t + fixed_offset) // DAY
                counts = days.get(day)
                if counts is None:
                    days[day] = [1, int(recalled)]
                else:
                    counts[0] += 1
                    counts[1] += recalled
                card = cards.get(question_id)
                if card is None:
                    card = cards[question_id] = [0, 0, t, 1.0 + grade, 5.0]
                card[0] += 1
                card[2] = t
                if recalled:
                    card[3] = min(36500.0, card[3] * (1.2 + 0.4 * grade))
                    card[4] = max(1.0, card[4] - 0.3 * (grade - 2))
                else:
                    card[1] += 1
                    card[3] = max(0.3, card[3] * 0.3)
                    card[4] = min(10.0, card[4] + 1.0)
            previous_end = t
            finished_at = timestamp(t)
            sessions_out.append(
                f"{session_id}\t{user_id}\t{MODES[int(random_() * len(MODES))]}\t{size}\t"
                f"{started_at}\t{finished_at}\t{size}\t{recalled_in_session}\t{finished_at}"
                f"{session_suffix}"
            )
            if len(answers_out) >= writer.batch_size:
                writer.flush()
                answers_out = writer[Answer].lines
                sessions_out = writer[PracticeSession].lines

        card_table = writer[Card]
        card_id = card_table.take_ids(len(cards))
        card_suffix = card_table.suffix + "\n"
        cards_out = card_table.lines
        for question_id, (reviews, lapses, last_t, stability, difficulty) in cards.items():
            due = timestamp(last_t + int(stability * DAY))
            cards_out.append(
                f"{card_id}\t{user_id}\t{question_id}\t{REVIEW}\t{stability:.4f}\t"
                f"{difficulty:.4f}\t{due}\t{timestamp(last_t)}\t{reviews}\t{lapses}{card_suffix}"
            )
            card_id += 1
        activity = writer[DailyActivity]
        activity_id = activity.take_ids(len(days))
        for day, (answers, recalled) in sorted(days.items()):
            activity.add(
                activity_id, user_id, date.fromordinal(EPOCH_ORDINAL + day), answers, recalled
            )
            activity_id += 1
