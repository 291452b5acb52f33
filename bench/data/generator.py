"""The rows of the benchmark's data set, from one seeded random source.

Every roll-up agrees with the answers written: session counters, one Card per
(learner, question) answered, and DailyActivity per learner per local day
(bench/tests/test_bench.py checks each of them).
"""

import random
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError

from accounts.models import DailyActivity, Profile
from bench.data import PASSWORD
from bench.data.writer import Writer, timestamp
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


@dataclass(frozen=True)
class LearnerPlan:
    username: str
    answers: int
    time_zone: str
    working_set_all: bool  # practises the whole bank (the heavy learners) or a part of it
    session_sizes: tuple[int, ...]
    interview_in_days: int | None
    daily_goal: int


class Generator:
    """Generates the rows into `writer`; the command owns the transaction around it."""

    def __init__(self, writer: Writer, *, seed: int, now: datetime):
        self.writer = writer
        self.rng = random.Random(seed)
        self.now = now

    # The question bank

    def build_banks(self, sizes: list[int]) -> None:
        for size in sizes:
            if size < 1:
                raise CommandError("--bank needs a positive number of questions.")
            if Topic.objects.filter(slug=BANK_SLUG.format(size)).exists():
                raise CommandError(
                    f"Topic {BANK_SLUG.format(size)!r} exists: use an empty database."
                )
        for order, size in enumerate(sizes):
            topic_id = self.add_topic(f"Bank of {size:,}", BANK_SLUG.format(size), order)
            self.add_questions(size, [topic_id], key_prefix=f"bank{size}")

    def add_topic(self, name: str, slug: str, order: int) -> int:
        table = self.writer[Topic]
        topic_id = table.take_ids(1)
        table.add(topic_id, name, slug, f"Generated for the benchmark: {name.lower()}.", order)
        return topic_id

    def add_questions(self, count: int, topic_ids: list[int], *, key_prefix: str) -> list[int]:
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

    def build_everything(self, options) -> None:
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
            self.add_topic(
                TOPIC_NAMES[i] if i < len(TOPIC_NAMES) else f"Topic {i + 1}",
                f"bench-topic-{i + 1}",
                i,
            )
            for i in range(options["topics"])
        ]
        self.question_ids = self.add_questions(questions, topic_ids, key_prefix="bench")

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
            self.add_learner(plan, password=password, years=options["years"])
            self.writer.maybe_flush()

    def add_learner(self, plan: LearnerPlan, *, password: str, years: float) -> None:
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
