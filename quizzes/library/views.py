"""The library: public pages (list, topic, question) and a learner's own actions on a question.

The list and the question pages need no account (drafts and retired questions are 404);
what is personal (status, history, bookmark, note, suspension, practice) needs one, and
belongs to the learner alone: every read of their marks goes through _get_marks_for_user
and every write through quizzes.library.services with request.user.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import push_url

from accounts.services import get_profile
from quizzes import services as practice_services
from quizzes.durations import seconds_in_words
from quizzes.forms import SIZES
from quizzes.library import services
from quizzes.library.forms import (
    BookmarkForm,
    LibraryFilterForm,
    NoteForm,
    PractiseTheseForm,
    SuspendForm,
)
from quizzes.library.queries import (
    LibraryFilter,
    badges,
    excerpt_html,
    facets,
    library_page,
    library_questions,
    question_url,
    question_urls,
    schedule_in_words,
    search_terms,
)
from quizzes.models import Answer, Card, Grade, Mode, Question, Topic, UserQuestion
from quizzes.scheduling import scheduler_for

LIBRARY_TEMPLATE = "quizzes/library.html"
QUESTION_TEMPLATE = "quizzes/question.html"
FILTER_FIELDS = ("q", "topic", "difficulty", "tag", "mine")


def _get_question(topic_slug: str, question_key: str) -> Question:
    """A published question by its readable address, or 404 (drafts are never public)."""
    return get_object_or_404(
        Question.objects.published().select_related("topic"),
        key=question_key,
        topic__slug=topic_slug,
    )


def _get_marks_for_user(request: HttpRequest, question: Question) -> UserQuestion:
    """The learner's own marks on the question (unsaved and empty before the first)."""
    marks = UserQuestion.objects.filter(user=request.user, question=question).first()
    return marks or UserQuestion(user=request.user, question=question)


def _chosen(form: LibraryFilterForm) -> LibraryFilter:
    # A field that did not validate is left out, not an error page: the rest still applies.
    form.is_valid()
    data = {name: form.cleaned_data.get(name) or "" for name in FILTER_FIELDS}
    return LibraryFilter(
        text=data["q"],
        topic=data["topic"],
        difficulty=data["difficulty"],
        tag=data["tag"],
        mine=data["mine"],
    )


def _filter_query(chosen: LibraryFilter) -> str:
    values = {
        "q": chosen.text,
        "topic": chosen.topic,
        "difficulty": chosen.difficulty,
        "tag": chosen.tag,
        "mine": chosen.mine,
    }
    return urlencode({name: value for name, value in values.items() if value})


def _library_context(request: HttpRequest, data, *, topic: Topic | None = None) -> dict:
    form = LibraryFilterForm(data, facets=facets(), personal=request.user.is_authenticated)
    chosen = _chosen(form)
    now = timezone.now()
    page, questions = library_page(
        user=request.user, chosen=chosen, now=now, number=data.get("page")
    )
    terms = search_terms(chosen.text)
    # What each row shows, as the strings it shows: a lookup through the question in the
    # template costs more than the string (twenty rows a page).
    rows = [
        {
            "url": question_url(question),
            "name": question.name_html,
            "about": f"{question.topic.name} · {question.get_difficulty_display().lower()}",
            "excerpt": excerpt_html(question, terms) if terms else "",
            "badges": badges(question, now),
        }
        for question in questions
    ]
    canonical = reverse("library_topic", args=[topic.slug]) if topic else reverse("library")
    return {
        "form": form,
        "chosen": chosen,
        "page": page,
        "rows": rows,
        "topic": topic,
        "filter_query": _filter_query(chosen),
        "practise_sizes": SIZES,
        "canonical_path": canonical,
    }


def _shared_address(request: HttpRequest) -> str | None:
    """The address without its empty parameters, when it has any: a GET form sends every
    filter, "All" ones as `topic=`, and a search is shared and kept in history by this
    shorter address instead. None when the address is already clean."""
    if not any("" in values for _, values in request.GET.lists()):
        return None
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept.setlist(name, [value for value in values if value])
    query = kept.urlencode()
    return request.path + (f"?{query}" if query else "")


@login_not_required
@require_safe
def library(request: HttpRequest, topic_slug: str | None = None) -> HttpResponse:
    shared = _shared_address(request)
    if shared and not request.htmx:
        # Without JavaScript the form's GET lands here: one redirect to the short address.
        return redirect(shared)
    data = request.GET.copy()
    topic = None
    if topic_slug is not None:
        topic = get_object_or_404(Topic, slug=topic_slug)
        data["topic"] = topic.slug
    context = _library_context(request, data, topic=topic)
    status = 400 if context["form"].errors else 200
    # htmx restoring a pushed search it no longer has in its history cache wants the page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = f"{LIBRARY_TEMPLATE}#results" if partial else LIBRARY_TEMPLATE
    response = render(request, template, context, status=status)
    if shared:
        # htmx pushes the address it asked for (hx-push-url); this one instead.
        push_url(response, shared)
    # The same address answers htmx with the results only: caches must keep both apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
def practise_these(request: HttpRequest) -> HttpResponse:
    """A session of the questions the library shows (search, filters, bookmarks, a topic)."""
    form = PractiseTheseForm(request.POST, facets=facets(), personal=True)
    if not form.is_valid():
        context = _library_context(request, request.POST)
        context["practise_error"] = " ".join(
            message for errors in form.errors.values() for message in errors
        )
        return render(request, LIBRARY_TEMPLATE, context, status=400)
    chosen = _chosen(form)
    size = form.cleaned_data["size"]
    # Ranked now, not from ranked_ids' cache (at most a minute old, so the order may differ
    # from the page's for a question edited meanwhile): the learner's suspensions narrow it.
    questions = library_questions(user=request.user, chosen=chosen, now=timezone.now())
    ids = list(questions.filter(suspended=False).values_list("pk", flat=True)[:size])
    topics = list(Topic.objects.filter(slug=chosen.topic)) if chosen.topic else []
    try:
        started = practice_services.start_session(
            user=request.user, mode=Mode.LIBRARY, size=size, question_ids=ids, topics=topics
        )
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        query = _filter_query(chosen)
        return redirect(reverse("library") + (f"?{query}" if query else ""))
    return redirect(started.session)


def _personal_context(request: HttpRequest, question: Question, key_points, note_form) -> dict:
    now = timezone.now()
    profile = get_profile(request.user)
    zone = profile.zone
    card = Card.objects.filter(user=request.user, question=question).first()
    marks = _get_marks_for_user(request, question)
    answers = (
        Answer.objects.filter(user=request.user, question=question)
        .select_related("session")
        .order_by("-answered_at")
    )
    texts = {point.pk: point.text for point in key_points}
    history = []
    for answer in answers:
        answered = timezone.localtime(answer.answered_at, zone)
        seconds = (answer.seconds_to_reveal or 0) + (answer.seconds_to_grade or 0)
        history.append(
            {
                "answer": answer,
                "date": f"{answered.day} {answered:%b %Y, %H:%M}",
                "grade": Grade(answer.grade).label,
                "ticked": [texts[pk] for pk in answer.key_points_ticked if pk in texts],
                "took": seconds_in_words(seconds),
            }
        )
    return {
        "marks": marks,
        "card": card,
        "schedule": schedule_in_words(card, now, scheduler_for(profile)),
        "history": history,
        "note_form": note_form or NoteForm(initial={"note": marks.note}),
    }


def _question_page(
    request, question, *, status=200, partial=False, notice=None, note_form=None
) -> HttpResponse:
    """The question's page; after an htmx action, only the learner's own panel of it."""
    key_points = list(question.key_points.all())
    context = {
        "question": question,
        "key_points": key_points,
        "notice": notice,
        "urls": question_urls(question),
    }
    if request.user.is_authenticated:
        context.update(_personal_context(request, question, key_points, note_form))
    template = f"{QUESTION_TEMPLATE}#mine" if request.htmx and partial else QUESTION_TEMPLATE
    return render(request, template, context, status=status)


@login_not_required
@require_safe
def question_detail(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    return _question_page(request, _get_question(topic_slug, question_key))


def _after_mark(request, question, notice: str | None) -> HttpResponse:
    """htmx swaps the learner's panel in place; without JavaScript, Post/Redirect/Get.
    No notice where the panel itself now says what changed."""
    if request.htmx:
        return _question_page(request, question, partial=True, notice=notice)
    if notice:
        messages.success(request, notice)
    return redirect(question_url(question))


@require_POST
def bookmark(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    question = _get_question(topic_slug, question_key)
    form = BookmarkForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, status=400, partial=True)
    on = form.cleaned_data["bookmarked"]
    services.mark_question(user=request.user, question=question, bookmarked=on)
    return _after_mark(request, question, "Bookmarked." if on else "Bookmark removed.")


@require_POST
def suspend(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    question = _get_question(topic_slug, question_key)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, status=400, partial=True)
    on = form.cleaned_data["suspended"]
    services.mark_question(user=request.user, question=question, suspended=on)
    # Suspended, the panel says so (and why) for as long as it lasts: a notice would say it twice.
    notice = None if on else "Unsuspended: this question is back in practice."
    return _after_mark(request, question, notice)


@require_POST
def save_note(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    question = _get_question(topic_slug, question_key)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, status=400, partial=True, note_form=form)
    services.mark_question(user=request.user, question=question, note=form.cleaned_data["note"])
    return _after_mark(request, question, "Note saved.")


@require_http_methods(["GET", "HEAD", "POST"])
def reset(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    """Forget the schedule, after a confirmation page."""
    question = _get_question(topic_slug, question_key)
    if request.method == "POST":
        services.reset_question(user=request.user, question=question)
        messages.success(request, "Schedule reset: the question will come up as new.")
        return redirect(question_url(question))
    return render(request, "quizzes/question_reset.html", {"question": question})


@require_POST
def practise_question(request: HttpRequest, topic_slug: str, question_key: str) -> HttpResponse:
    question = _get_question(topic_slug, question_key)
    if UserQuestion.objects.filter(user=request.user, question=question, suspended=True).exists():
        # Suspended means out of every mode; practising it is one "Unsuspend" away.
        messages.info(request, "This question is suspended. Unsuspend it to practise it.")
        return redirect(question_url(question))
    started = practice_services.start_session(
        user=request.user, mode=Mode.LIBRARY, size=1, question_ids=[question.pk]
    )
    return redirect(started.session)
