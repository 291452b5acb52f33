"""The library's reads: search, filters and the learner's own state of each question.

A page of the library is a fixed handful of queries whatever the size of the bank: the
ranked ids of what the filter picks (shared by every learner and cached, ranked_ids), the
page's rows (page_rows: the learner's card and marks joined, their last grade a subquery)
and the filter choices, also cached. Narrowed by the learner's own status, the ranking
is theirs alone: then a capped count and the page's rows instead.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache
from types import MappingProxyType

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from fsrs import State

from quizzes.library import page_rows
from quizzes.library.text import MARK_START, MARK_STOP, inline_html, search_forms, spellings
from quizzes.models import Answer, Card, Grade, KeyPoint, Question, Topic
from quizzes.scheduling import SCHEDULER, days_remembered, humanize_interval, retrievability
from quizzes.selection import narrow_questions

# Words of a search, in any script; everything else (operators, quotes) is dropped, so
# the text can go into a tsquery and a LIKE safely.
TERM = re.compile(r"[^\W_]+")
MAX_TERMS = 8
EXCERPT_CHARS = 220
# Memory this stable (days until recall drops to 90%) counts as mastered.
MASTERED_DAYS = 21
# FSRS's states (Card.state) of a question still being learnt, first time or after a lapse.
LEARNING_STATES = (State.Learning.value, State.Relearning.value)
FACETS_KEY = "library-facets:v1"
FACETS_SECONDS = 300
RANKED_KEY = "library-ranked:v1"
RANKED_SECONDS = 60
PER_PAGE = 20


class Mine(TextChoices):
    NEW = "new", "New"
    DUE = "due", "Due"
    LEARNING = "learning", "Learning"
    MASTERED = "mastered", "Mastered"
    BOOKMARKED = "bookmarked", "Bookmarked"
    MISSED = "missed", "Missed last time"
    SUSPENDED = "suspended", "Suspended"


def search_terms(text: str) -> list[str]:
    return TERM.findall(text.lower())[:MAX_TERMS]


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Questions matching every word of `text` (the last one as a prefix, for search as
    you type; -ise and -ize alike), best first (excerpt_html shows each answer around them).

    PostgreSQL: the stored search vector (GIN index) and ts_rank. Elsewhere
    (SQLite): a LIKE per word over prompt, answer, tags and key points, ranked by where
    the words are (the phrase in the prompt first, then all words in it, then the phrase
    in the answer).
    """
    terms = search_terms(text)
    if not terms:
        return queryset
    if _is_postgresql(queryset):
        return _search_postgresql(queryset, terms)
    for term in terms:
        found = Q()
        for spelling in search_forms(term):
            key_points = KeyPoint.objects.filter(question=OuterRef("pk"), text__icontains=spelling)
            found |= (
                Q(prompt__icontains=spelling)
                | Q(answer__icontains=spelling)
                | Q(tags__icontains=spelling)
                | Q(Exists(key_points))
            )
        queryset = queryset.filter(found)
    phrases = {" ".join(terms), " ".join(spellings(term)[-1] for term in terms)}
    in_prompt = Q()
    for term in terms:
        in_prompt &= _any(("prompt__icontains", s) for s in search_forms(term))
    rank = Case(
        When(_any(("prompt__icontains", phrase) for phrase in phrases), then=Value(3)),
        When(in_prompt, then=Value(2)),
        When(_any(("answer__icontains", phrase) for phrase in phrases), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.annotate(rank=rank).order_by("-rank", "topic__order", "key")


def _any(lookups) -> Q:
    found = Q()
    for lookup in lookups:
        found |= Q(lookup)
    return found


def _tsquery(terms: list[str]) -> SearchQuery:
    def either(term: str, suffix: str = "") -> str:
        word, *stems = search_forms(term)
        options = [f"{word}{suffix}", *(f"{stem}:*" for stem in stems)]
        return options[0] if len(options) == 1 else f"({' | '.join(options)})"

    raw = " & ".join([*(either(term) for term in terms[:-1]), either(terms[-1], ":*")])
    if len(terms) > 1:
        # "layer norm" also finds LayerNorm, which the parser keeps as one word.
        raw = f"({raw}) | {''.join(terms)}:*"
    return SearchQuery(raw, search_type="raw", config="english")


def _search_postgresql(queryset: QuerySet, terms: list[str]) -> QuerySet:
    query = _tsquery(terms)
    return (
        queryset.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "topic__order", "key")
    )


def excerpt_html(question, terms: list[str]) -> SafeString:
    """The answer around the first match, in plain words with its formulas typeset (text.
    inline_html), escaped, with the matches in <mark>.

    Cut in Python on both databases: PostgreSQL's ts_headline cut the Markdown, half a
    formula at times, which then showed as TeX; a formula is one piece here."""
    html = inline_html(question.answer, cut=lambda text: _excerpt_around(text, terms))
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))


def _excerpt_around(answer: str, terms: list[str]) -> str:
    terms = [form for term in terms for form in search_forms(term)]
    lowered = answer.lower()
    found = [lowered.find(term) for term in terms if term in lowered]
    start = max(0, min(found) - EXCERPT_CHARS // 3) if found else 0
    excerpt = answer[start : start + EXCERPT_CHARS]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    excerpt = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_STOP}", excerpt)
    return ("…" if start else "") + excerpt + ("…" if start + EXCERPT_CHARS < len(answer) else "")


def with_learner_state(queryset: QuerySet, user) -> QuerySet:
    """The learner's card, marks and last grade on each question, in the same query.

    The card and the marks are joined (a learner has at most one of each per question):
    five subqueries were a sixth of a library search's time to build and compile."""
    last = Answer.objects.filter(user=user, question=OuterRef("pk")).order_by("-answered_at")
    return queryset.annotate(
        learner_card=FilteredRelation("cards", condition=Q(cards__user=user)),
        learner_marks=FilteredRelation("marks", condition=Q(marks__user=user)),
    ).annotate(
        card_state=F("learner_card__state"),
        card_due=F("learner_card__due"),
        card_stability=F("learner_card__stability"),
        bookmarked=Coalesce(F("learner_marks__bookmarked"), False),
        suspended=Coalesce(F("learner_marks__suspended"), False),
        last_grade=Subquery(last.values("grade")[:1]),
    )


def with_mine(queryset: QuerySet, user, mine: str, now: datetime) -> QuerySet:
    """Narrow to the learner's own status, by the columns with_learner_state annotated
    (`queryset` comes from it), so no subquery is run twice."""
    conditions = {
        Mine.NEW: Q(card_state__isnull=True),
        Mine.DUE: Q(card_due__lte=now) & ~Q(suspended=True),
        Mine.LEARNING: Q(card_state__in=LEARNING_STATES),
        Mine.MASTERED: Q(card_state=State.Review.value, card_stability__gte=MASTERED_DAYS),
        Mine.BOOKMARKED: Q(bookmarked=True),
        Mine.MISSED: Q(last_grade=Grade.AGAIN),
        Mine.SUSPENDED: Q(suspended=True),
    }
    return queryset.filter(conditions[Mine(mine)])


@dataclass(frozen=True)
class LibraryFilter:
    text: str = ""
    topic: str = ""  # a slug
    difficulty: str = ""
    tag: str = ""
    mine: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.topic or self.difficulty or self.tag or self.mine)


def question_url(question: Question) -> str:
    """A question's readable address in the library (its topic with `topic` loaded)."""
    return _question_path(*_resolving(), question.topic.slug, question.key)


QUESTION_ACTIONS = ("bookmark", "suspend", "reset", "practise_question", "note")


def question_urls(question: Question) -> Mapping[str, str]:
    """The question page's addresses: its own (`page`) and its actions' (QUESTION_ACTIONS)."""
    return _question_urls(*_resolving(), question.topic.slug, question.key)


# Reversed once per question, prefix and URLconf in each process: a library page lists
# twenty, and reversing them was a twentieth of a search's time; a question's page has a
# dozen (issue #22). As prepsite.context_processors does for the header's links.
def _resolving() -> tuple[str, str]:
    return get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)


@lru_cache(maxsize=16_384)
def _question_path(script_prefix: str, urlconf: str, slug: str, key: str) -> str:
    return reverse("library_question", args=[slug, key], urlconf=urlconf)


@lru_cache(maxsize=4096)
def _question_urls(script_prefix: str, urlconf: str, slug: str, key: str) -> Mapping[str, str]:
    urls = {
        name: reverse(f"library_{name}", args=[slug, key], urlconf=urlconf)
        for name in QUESTION_ACTIONS
    }
    # Read-only: every page of the question shares it.
    return MappingProxyType({"page": _question_path(script_prefix, urlconf, slug, key), **urls})


def library_questions(*, user, chosen: LibraryFilter, now: datetime) -> QuerySet:
    """The published questions the filter picks, with the learner's state when logged in."""
    questions = Question.objects.published().select_related("topic")
    if chosen.topic:
        questions = questions.filter(topic__slug=chosen.topic)
    questions = narrow_questions(questions, difficulty=chosen.difficulty, tag=chosen.tag)
    if user.is_authenticated:
        questions = with_learner_state(questions, user)
        if chosen.mine:
            questions = with_mine(questions, user, chosen.mine, now)
    return search(questions, chosen.text)


class CappedPaginator(Paginator):
    """A paginator that counts no further than `cap` rows: "More than 1,000 questions".

    A broad search matches most of the bank, and counting every match costs as much as
    ranking them all; the first `cap` rows (in any order) are enough to say how many pages
    a learner would ever page through. Over a list (ranked_ids), the list stops there.
    """

    cap = 1000

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return len(self.object_list)
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def ranked_ids(chosen: LibraryFilter) -> list[int]:
    """The ids of the published questions that the filter's public part (words, topic,
    difficulty, tag) picks, best first, at most CappedPaginator.cap + 1 of them.

    They are the same for every learner, so they are cached for RANKED_SECONDS: search as
    you type asks for the same words again and again, and a broad search ranks every
    match in the bank (issue #15). The page's rows are read afresh (library_page), so a
    question retired meanwhile is left out at once; an edit moves its rank a minute later
    at most.
    """

    def compute() -> list[int]:
        anyone = replace(chosen, mine="")
        questions = library_questions(user=AnonymousUser(), chosen=anyone, now=None)
        return list(questions.values_list("pk", flat=True)[: CappedPaginator.cap + 1])

    return cache.get_or_set(ranked_key(chosen), compute, RANKED_SECONDS)


def ranked_key(chosen: LibraryFilter) -> str:
    """Where ranked_ids keeps the ranking of the filter's public part."""
    public = (search_terms(chosen.text), chosen.topic, chosen.difficulty, chosen.tag)
    return f"{RANKED_KEY}:{hashlib.blake2b(repr(public).encode(), digest_size=12).hexdigest()}"


# What a page of the list shows of each question, as page_rows reads it (issue #22).
LISTED_FIELDS = (
    *page_rows.QUESTION_FIELDS,
    *(f"topic__{name}" for name in page_rows.TOPIC_FIELDS),
)


def library_page(*, user, chosen: LibraryFilter, now: datetime, number) -> tuple[Page, list]:
    """One page of the library (by its `number`, as the address gives it) and its
    questions, each with the learner's state."""
    if chosen.mine and user.is_authenticated:
        # The learner's own status narrows the list: ranked for them alone.
        questions = library_questions(user=user, chosen=chosen, now=now).only(*LISTED_FIELDS)
        page = CappedPaginator(questions, PER_PAGE)
        page = page.get_page(number)
        return page, list(page)
    page = CappedPaginator(ranked_ids(chosen), PER_PAGE).get_page(number)
    ids = page.object_list
    found = page_rows.listed(ids, user=user)
    # In rank order; one retired since the ranking was cached is left out.
    return page, [found[pk] for pk in ids if pk in found]


def badges(question, now: datetime) -> list[str]:
    """The learner's status of a row of library_questions, in words."""
    if not hasattr(question, "card_state"):
        return []
    found = []
    if question.suspended:
        found.append("Suspended")
    if question.card_state is None:
        found.append("New")
    elif question.card_due <= now:
        found.append("Due")
    elif question.card_state in LEARNING_STATES:
        found.append("Learning")
    elif (question.card_stability or 0) >= MASTERED_DAYS:
        found.append("Mastered")
    else:
        found.append(f"Review in {humanize_interval(question.card_due - now)}")
    if question.last_grade == Grade.AGAIN:
        found.append("Missed last time")
    if question.bookmarked:
        found.append("Bookmarked")
    return found


def facets() -> dict:
    """The topics and tags the filters offer, cached: they change only with the bank."""

    def compute():
        published = Question.objects.published()
        topics = list(Topic.objects.with_published_questions().values_list("slug", "name"))
        tags = set()
        for text in published.exclude(tags="").values_list("tags", flat=True).distinct():
            tags.update(tag.strip() for tag in text.split(",") if tag.strip())
        return {"topics": topics, "tags": sorted(tags, key=str.lower)}

    return cache.get_or_set(FACETS_KEY, compute, FACETS_SECONDS)


def schedule_in_words(card: Card | None, now: datetime, scheduler=SCHEDULER) -> dict:
    """A learner's schedule for one question, as the question page says it; recall by
    `scheduler`'s forgetting curve (the learner's own, scheduling.scheduler_for)."""
    if card is None:
        return {"next": "Not practised yet: it comes up as a new question.", "memory": ""}
    until = card.due - now
    if until.total_seconds() <= 0:
        next_review = "Due now"
    else:
        next_review = f"Next review in {_long_interval(until)}"
    memory = ""
    if card.stability:
        recall = retrievability(card, now, scheduler)
        # As the dashboard's "Remembered for": until recall falls to the learner's desired
        # retention, what the next review is timed by (FSRS's stability is the time to 90%).
        retention = scheduler.desired_retention
        lasts = days_remembered(card.stability, scheduler=scheduler, retention=retention)
        memory = (
            f"Chance you recall it now: about {round(100 * recall)}%; after a review you keep "
            f"it at {round(100 * retention)}% or better for about {_long_interval_days(lasts)}"
        )
    return {"next": next_review, "memory": memory}


def _long_interval(delta) -> str:
    return _long_interval_days(delta.total_seconds() / 86400)


def _long_interval_days(days: float) -> str:
    if days * 24 < 1:
        minutes = max(1, round(days * 24 * 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if days < 1:
        hours = round(days * 24)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if days < 14:
        whole = round(days)
        return f"{whole} day{'s' if whole != 1 else ''}"
    if days < 60:
        return f"{round(days / 7)} weeks"
    if days < 365:
        return f"{round(days / 30)} months"
    years = days / 365
    return f"{years:.1f} years"
