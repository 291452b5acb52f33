"""What each learner keeps per question: the FSRS card that schedules it, the memory of
each of its key points, and the learner's own marks (bookmark, suspension, note)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncDate
from django.utils.safestring import SafeString

from quizzes.models.choices import Status
from quizzes.rendering import render_markdown

# A question graded Again this many times is a leech: reviewing it again and again
# is not working (Anki's default is 8; interview preparation has weeks, not years).
LEECH_LAPSES = 6


class CardQuerySet(models.QuerySet):
    def leeches(self):
        """Cards failed LEECH_LAPSES times or more (see Card.is_leech)."""
        return self.filter(lapses__gte=LEECH_LAPSES)

    def in_practice(self):
        """Cards practice brings back: of published questions their learner has not
        suspended. What every "due" count counts."""
        suspended = UserQuestion.objects.filter(
            user=models.OuterRef("user_id"), question=models.OuterRef("question_id"), suspended=True
        )
        return self.filter(question__status=Status.PUBLISHED).exclude(models.Exists(suspended))

    def due_per_day(self, *, zone, today, before) -> dict:
        """{day: cards due} per day of `zone`, for cards due before the instant `before`,
        grouped in SQL; overdue cards are due `today`."""
        per_day, _ = self.due_per_day_and_later(zone=zone, today=today, before=before)
        return per_day

    def due_per_day_and_later(self, *, zone, today, before, now=None) -> tuple[dict, list]:
        """due_per_day's {day: cards due}, and, given `now` (an instant of `today`), when
        today's cards not yet due then fall due: [(instant, count)], sorted, from the same
        query (grouped by that instant too). A count cached at `now` can then tell what is
        due later in the day (accounts.readiness.due_now)."""
        from quizzes.scheduling import local_midnight  # it imports these models

        rows = self.filter(due__lt=before).annotate(day=TruncDate("due", tzinfo=zone))
        groups = ["day"]
        if now is not None:
            tomorrow = local_midnight(today + timedelta(days=1), zone)
            later = models.When(due__gt=now, due__lt=tomorrow, then=models.F("due"))
            rows = rows.annotate(later=models.Case(later, output_field=models.DateTimeField()))
            groups.append("later")
        rows = (
            rows.order_by()
            .values(*groups)
            .annotate(count=models.Count("id"))
            .values_list(*groups, "count")
        )
        per_day, later_today = {}, []
        for day, *instant, count in rows:
            day = max(day, today)
            per_day[day] = per_day.get(day, 0) + count
            if instant and instant[0] is not None:
                later_today.append((instant[0], count))
        return per_day, sorted(later_today)


# A card's scheduling state: what a grade writes (quizzes.grading, quizzes.grade_sql) and
# what its undo puts back from Answer.before.
CARD_STATE_FIELDS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "reviews", "lapses",
)  # fmt: skip


class Card(models.Model):
    """A learner's FSRS scheduling state for one question (the fields of fsrs.Card)."""

    # Not indexed alone: card_unique_per_user leads with it (see quizzes.models.Answer).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards", db_index=False
    )
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT, related_name="cards")
    state = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Reviews graded Again.")

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="card_unique_per_user")
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_user_due")]

    def __str__(self):
        return f"Card for question {self.question_id}, due {self.due:%Y-%m-%d %H:%M}"

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


class KeyPointMemory(models.Model):
    """A learner's record of one key point: ticked (hit) or left unticked (missed).

    A missed point is due at once; each hit in a row pushes it out (1, 2, 4… days),
    as a small Leitner box. "Missed key points" practises the due ones.
    """

    # Not indexed alone: memory_unique_point leads with it (see quizzes.models.Answer).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="key_point_memories",
        db_index=False,
    )
    key_point = models.ForeignKey(
        "quizzes.KeyPoint", on_delete=models.CASCADE, related_name="memories"
    )
    hits = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)
    # Hits since the last miss.
    streak = models.PositiveSmallIntegerField(default=0)
    last_seen = models.DateTimeField()
    due = models.DateTimeField()

    # Each hit in a row after a miss doubles how long a missed point rests before it is
    # due again in "Missed key points": REST_DAYS, then twice, four times... as many days,
    # up to 2 ** MAX_DOUBLINGS times (about three years): a learner who ticks a point every
    # time they see it, in any mode, would otherwise push it past the calendar's end.
    REST_DAYS = 1
    MAX_DOUBLINGS = 10

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key_point"], name="memory_unique_point")
        ]
        indexes = [models.Index(fields=["user", "due"], name="memory_user_due")]

    def __str__(self):
        return f"{self.hits} hits, {self.misses} misses on key point {self.key_point_id}"

    @classmethod
    def rest_days(cls, streak_before: int) -> int:
        """How many days a point rests after a hit, given its streak before the hit."""
        return cls.REST_DAYS * 2 ** min(streak_before, cls.MAX_DOUBLINGS)


class UserQuestion(models.Model):
    """A learner's own marks on one question: a bookmark, a suspension and a note.

    One row per learner and question, made on the first mark; another learner never sees it.
    """

    # Not indexed alone: user_question_unique leads with it (see quizzes.models.Answer).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="question_marks",
        db_index=False,
    )
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="marks")
    bookmarked = models.BooleanField(default=False)
    # Suspended questions leave every practice mode until unsuspended.
    suspended = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="Markdown, the learner's own.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="user_question_unique")
        ]

    def __str__(self):
        return f"Marks on question {self.question_id}"

    @property
    def note_html(self) -> SafeString:
        return render_markdown(self.note)
