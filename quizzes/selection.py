"""Which questions a new practice session gets, per mode.

Each mode is a few indexed queries that return at most `size` question ids;
the bank is never loaded into Python.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, FloatField, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, Replace

from accounts.models import Profile
from quizzes.models import Answer, Card, Grade, KeyPointMemory, Mode, Question, UserQuestion
from quizzes.scheduling import EpochDays


def not_suspended(user, question: str = "pk") -> Q:
    """The rows whose question (the field `question`) the learner has not suspended:
    suspended questions leave every mode.

    NOT IN, which PostgreSQL answers from one hash of the learner's suspensions, rather than
    NOT EXISTS, an anti-join it probes once for each question of the bank: choosing a random
    session over 5,000 questions took 6.0 ms instead of 9.1 (the statement 2.4 instead of
    5.4). Neither side is ever NULL.
    """
    suspended = UserQuestion.objects.filter(user=user, suspended=True).values("question_id")
    return ~Q(**{f"{question}__in": suspended})


def _seen_by(user):
    """The questions the learner has a card for (graded at least once), for IN and NOT IN
    as in not_suspended."""
    return Card.objects.filter(user=user).values("question_id")


def with_tag(queryset, tag: str, *, path: str = ""):
    """Rows whose question carries `tag` in its comma-separated tags (either database)."""
    padded = Concat(Value(","), Replace(F(f"{path}tags"), Value(", "), Value(",")), Value(","))
    return queryset.annotate(_padded_tags=padded).filter(_padded_tags__icontains=f",{tag},")


def narrow_questions(queryset, *, difficulty=None, tag=None, path: str = ""):
    """Only the questions of `difficulty` and carrying `tag` (either may be empty); `path`
    leads from the queryset's rows to their question. Practice and the library share it."""
    if difficulty:
        queryset = queryset.filter(**{f"{path}difficulty": difficulty})
    if tag:
        queryset = with_tag(queryset, tag, path=path)
    return queryset


def _bank(user, topics, **narrow):
    bank = Question.objects.published().for_topics(topics).filter(not_suspended(user))
    return narrow_questions(bank, **narrow)


def any_question(user, topics, **narrow) -> bool:
    """Whether the topics and the narrowing filters together leave any question to practise,
    whatever the mode (one EXISTS query)."""
    return _bank(user, topics, **narrow).exists()


def _learner_cards(user, topics, **narrow):
    # The cards every "due" count counts (Card.in_practice), so a session brings back what
    # the counts promised.
    cards = Card.objects.filter(user=user).in_practice()
    if topics:
        cards = cards.filter(question__topic__in=topics)
    return narrow_questions(cards, path="question__", **narrow)


@dataclass
class Limits:
    """What today's limits leave (planner.plan.Allowance), and what they held back."""

    new_left: int
    reviews_left: int
    new_limit: int
    review_limit: int
    # Without topics chosen, new questions come from the interview plan's syllabus.
    syllabus: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def due_then_new(
    *, user, topics, size: int, now: datetime, limits: Limits | None = None, **narrow
) -> list[int]:
    """Questions the scheduler says are due, then new ones.

    The due questions most likely forgotten come first (lowest predicted recall by the
    learner's own forgetting curve), which matters when the backlog is over the
    day's review limit: the rest wait for tomorrow.
    """
    due = _learner_cards(user, topics, **narrow).filter(due__lte=now)
    take = size if limits is None else min(size, limits.reviews_left)
    # Most often everything due fits: the index on (user, due) gives it at once. Only a
    # backlog larger than the session or the day's limit needs every due card's recall.
    ids = list(due.order_by("due").values_list("question_id", flat=True)[: take + 1])
    if len(ids) > take:
        # FSRS's recall falls as (time since the last review) / stability grows, for any
        # parameters: ordering by that ratio is ordering by predicted recall, without
        # computing a power per row (a Python function on SQLite).
        ordered = due.annotate(
            overdue=(Value(now.timestamp() / 86400) - EpochDays("last_review")) / F("stability")
        ).order_by("-overdue", "due")
        ids = list(ordered.values_list("question_id", flat=True)[:take]) if take else []
        if limits is not None and take < size:
            limits.notes.append(
                f"You have reached today’s limit of {limits.review_limit} reviews; the "
                "questions you are most likely to have forgotten came first, the rest wait "
                "for tomorrow."
            )
    if len(ids) < size:
        ids += new_questions(
            user=user, topics=topics, size=size - len(ids), now=now, limits=limits, **narrow
        )
    return ids


def new_questions(
    *, user, topics, size: int, now: datetime, limits: Limits | None = None, **narrow
) -> list[int]:
    """Questions the learner has never graded, easiest first, in random order within each."""
    if limits is not None and not topics and limits.syllabus:
        topics = limits.syllabus
    # NOT IN: 8.5 ms instead of 13.6 (NOT EXISTS) for a learner of few cards.
    unseen = _bank(user, topics, **narrow).exclude(pk__in=_seen_by(user))
    take = size if limits is None else min(size, limits.new_left)
    ids = list(unseen.order_by("difficulty", "?").values_list("pk", flat=True)[: take + 1])
    if len(ids) > take:
        ids = ids[:take]
        if limits is not None and take < size:
            limits.notes.append(
                f"You have reached today’s {limits.new_limit} new questions; more tomorrow."
            )
    return ids


# Weakest, Random and Missed key points are extra practice: they take `limits` like every
# selector (see choose_questions) and ignore them.


def weakest(
    *, user, topics, size: int, now: datetime, limits: Limits | None = None, **narrow
) -> list[int]:
    """Seen questions with the lowest recall rate, then the least stable memory."""
    cards = _learner_cards(user, topics, **narrow).filter(reviews__gt=0)
    recall = Cast(F("reviews") - F("lapses"), FloatField()) / Cast(F("reviews"), FloatField())
    ordered = cards.annotate(recall=recall).order_by("recall", "stability", "due")
    return list(ordered.values_list("question_id", flat=True)[:size])


def random_questions(
    *, user, topics, size: int, now: datetime, limits: Limits | None = None, **narrow
) -> list[int]:
    return list(_bank(user, topics, **narrow).order_by("?").values_list("pk", flat=True)[:size])


def missed_in(session) -> list[int]:
    """Questions graded Again in `session`, in the order asked (unless suspended since)."""
    missed = Answer.objects.filter(session=session, grade=Grade.AGAIN)
    return list(
        session.items.filter(
            Q(Exists(missed.filter(question=OuterRef("question")))),
            not_suspended(session.user_id, "question_id"),
            question__in=Question.objects.published().values("pk"),
        ).values_list("question_id", flat=True)
    )


def due_points(user, now: datetime):
    """The learner's key points missed at least once and due again."""
    return KeyPointMemory.objects.filter(user=user, misses__gt=0, due__lte=now)


def missed_points(
    *, user, topics, size: int, now: datetime, limits: Limits | None = None, **narrow
) -> list[int]:
    """Questions with missed key points that are due, most missed first."""
    points = due_points(user, now).filter(
        key_point__question__in=_bank(user, topics, **narrow).values("pk")
    )
    # One row per question (several of its points may be due), grouped in SQL so the
    # session is never cut short by questions with many due points.
    rows = (
        points.values("key_point__question_id")
        .order_by()
        .annotate(most=Max("misses"), first=Min("due"))
        .order_by("-most", "first", "key_point__question_id")
        .values_list("key_point__question_id", flat=True)
    )
    return list(rows[:size])


def topic_counts(*, user, now: datetime) -> dict[int, dict[str, int]]:
    """Per topic, how many questions are new and how many due for the learner (one query).

    IN and NOT IN over the learner's cards, as in not_suspended: a correlated EXISTS in a
    count's filter was probed once per question of the bank (16.6 → 4.2 ms over 5,000)."""
    seen = _seen_by(user)
    due = seen.filter(due__lte=now)
    rows = (
        Question.objects.published()
        .filter(not_suspended(user))
        .values("topic_id")
        .annotate(new=Count("pk", filter=~Q(pk__in=seen)), due=Count("pk", filter=Q(pk__in=due)))
        .order_by()
    )
    return {row["topic_id"]: {"new": row["new"], "due": row["due"]} for row in rows}


SELECTORS = {
    Mode.DUE: due_then_new,
    Mode.NEW: new_questions,
    Mode.WEAKEST: weakest,
    Mode.RANDOM: random_questions,
    Mode.MISSED_POINTS: missed_points,
}


# The scheduled modes keep to the day's limits; the others are extra practice.
LIMITED_MODES = (Mode.DUE, Mode.NEW)


def limits_for(*, user, mode: str, now: datetime) -> Limits | None:
    """Today's limits for a session of `mode` (planner.plan: a fixed handful of queries),
    or None for a mode of extra practice, which has none."""
    if mode not in LIMITED_MODES:
        return None
    from planner.plan import allowance

    # An account without a profile (made by a command) has the defaults; none is made here
    # (and `user_id`, not `user`: an unsaved profile must not be cached on the user).
    profile = Profile.objects.filter(user_id=user.pk).first() or Profile(user_id=user.pk)
    today = allowance(user=user, profile=profile, now=now)
    return Limits(
        new_left=today.new_left,
        reviews_left=today.reviews_left,
        new_limit=today.new_limit,
        review_limit=today.review_limit,
        syllabus=today.syllabus,
    )


def choose_questions(
    *,
    user,
    topics,
    mode: str,
    size: int,
    now: datetime,
    limits: Limits | None = None,
    difficulty=None,
    tag=None,
) -> list[int]:
    """Up to `size` question ids for a session of `mode`. With `limits` (limits_for) the
    scheduled modes keep to today's limits and note what they held back; without, none."""
    return SELECTORS[mode](
        user=user, topics=topics, size=size, now=now, limits=limits, difficulty=difficulty, tag=tag
    )
