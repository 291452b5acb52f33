"""The practice loop's pages: start a session, reveal, grade, undo, abandon, review, report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from prepsite import ratelimits
from prepsite.http import HtmxHttpRequest
from quizzes import services
from quizzes.cards import current_and_next
from quizzes.forms import (
    MODE_HELP,
    MOVED_ON,
    GradeForm,
    ReportForm,
    RevealForm,
    StartSessionForm,
)
from quizzes.models import Mode, PracticeSession, SessionItem
from quizzes.presenters import card_context, summary_context
from quizzes.selection import missed_in, topic_counts

SESSION_TEMPLATE = "quizzes/session.html"
# Session pages and the cards htmx swaps into them are sent with Cache-Control: no-store
# (never_cache): after a swap, Back must load where the session is now, not the card the
# page first showed, or the learner answers a question already graded.
REPORTS_LIMITED = (
    "You have sent a lot of reports in the last hour. Thank you: the editors will read "
    "them. Please wait a while before sending more."
)
ALREADY_OVER = "That session is already over: here is what you did."

UNDONE = "Your last grade was undone. Grade this question again."
# Where the undo leaves the undone grade's ticks for the card the redirect shows (no htmx).
UNDONE_TICKS = "quizzes.undone_ticks"


def _get_session_for_user(request: HtmxHttpRequest, session_id) -> PracticeSession:
    """The learner's own session, or 404 for anyone else's."""
    return get_object_or_404(PracticeSession, pk=session_id, user=request.user)


def _get_session_with_items(
    request: HtmxHttpRequest, session_id, *, grading: bool = False
) -> tuple[PracticeSession, dict[int, SessionItem]]:
    """The learner's own session (404 for anyone else's) and its current and next items
    by position, in one query while the session has a current item (`grading`: with what
    the grade reads first, cards.current_and_next)."""
    session, items = current_and_next(session_id=session_id, user=request.user, grading=grading)
    if session is None:
        # Finished, or not theirs: the session alone, or the 404.
        return _get_session_for_user(request, session_id), {}
    return session, items


def _running_interview(request: HtmxHttpRequest, session: PracticeSession) -> HttpResponse | None:
    """A mock interview's questions are answered on its own card, with its clock: until the
    interview ends, which may be after its session finished (the last question's follow-ups)."""
    if session.mode != Mode.INTERVIEW or session.is_abandoned:
        return None
    if session.is_finished and session.interview.is_finished:
        return None
    return _to(request, reverse("interview_detail", args=[session.interview.pk]))


def _get_item(session: PracticeSession, position: int) -> SessionItem:
    return get_object_or_404(
        SessionItem.objects.select_related("question__topic"), session=session, position=position
    )


def _render_session(
    request: HtmxHttpRequest, session, *, status=200, error=None, form=None, notice=None, **known
) -> HttpResponse:
    context = card_context(session, error=error, form=form, **known)
    context["notice"] = notice
    template = f"{SESSION_TEMPLATE}#card" if request.htmx else SESSION_TEMPLATE
    return render(request, template, context, status=status)


def _after_post(request: HtmxHttpRequest, session, *, notice=None, **known) -> HttpResponse:
    # htmx swaps the new card in place; without JavaScript, Post/Redirect/Get.
    if request.htmx:
        return _render_session(request, session, notice=notice, **known)
    if notice:
        messages.info(request, notice)
    return redirect(session)


@require_http_methods(["GET", "HEAD", "POST"])
def practice_start(request: HtmxHttpRequest) -> HttpResponse:
    form = StartSessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            started = services.start_session(
                user=request.user,
                mode=form.cleaned_data["mode"],
                size=form.cleaned_data["size"],
                topics=list(form.cleaned_data["topics"]),
                timer_seconds=form.cleaned_data["timer_seconds"],
                difficulty=form.cleaned_data["difficulty"] or None,
                tag=form.cleaned_data["tag"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            for note in started.notes:
                messages.info(request, note)
            if started.shortfall and not started.notes:
                messages.info(
                    request,
                    f"Only {started.session.size} questions qualify, so this session has "
                    f"{started.session.size} instead of {started.requested}.",
                )
            return redirect(started.session)
    status = 400 if request.method == "POST" else 200
    counts = topic_counts(user=request.user, now=timezone.now())
    topics = [
        (choice, counts.get(choice.data["value"].value, {"new": 0, "due": 0}))
        for choice in form["topics"]
    ]
    context = {"form": form, "mode_help": MODE_HELP, "topics": topics}
    return render(request, "quizzes/practice_start.html", context, status=status)


@require_safe
@never_cache
def session_detail(request: HtmxHttpRequest, session_id) -> HttpResponse:
    session, items = _get_session_with_items(request, session_id)
    if interview := _running_interview(request, session):
        return interview
    if session.is_over:
        # An abandoned session shows what was graded, without a score.
        return render(request, "quizzes/summary.html", summary_context(session))
    item = items.get(session.answered)
    return _render_session(
        request, session, next_item=item, ticked=_undone_ticks(request, session, item)
    )


def _undone_ticks(request: HtmxHttpRequest, session, item) -> list[int] | None:
    """The ticks of the grade just undone, for that question's card, once (undo_grade)."""
    undone = request.session.get(UNDONE_TICKS)
    if undone is None:
        return None
    del request.session[UNDONE_TICKS]
    if item is None or undone["card"] != [str(session.pk), item.question_id]:
        return None
    return undone["ticked"]


@require_POST
@never_cache
def reveal(request: HtmxHttpRequest, session_id) -> HttpResponse:
    session, items = _get_session_with_items(request, session_id)
    if interview := _running_interview(request, session):
        return interview
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, status=400, form=form)
    if session.is_over or form.cleaned_data["position"] != session.answered:
        # A stale tab or a replay: show where the learner really is, and say so.
        return _session_state(request, session, notice=MOVED_ON)
    item = items.get(session.answered)
    if item is None:
        raise Http404("That question is missing.")
    try:
        services.reveal(
            item=item,
            typed_answer=form.cleaned_data["typed_answer"],
            confidence=form.cleaned_data["confidence"],
            session=session,
        )
    except ValidationError as exc:
        # An unreadable number: the same card again, with the message under the box.
        form = RevealForm(request.POST, calculation=item.question)
        form.is_valid()
        form.add_error("typed_answer", exc)
        return _render_session(request, session, status=400, form=form, next_item=item)
    # The item just revealed is the card to show: no second read, no second parse.
    return _after_post(request, session, next_item=item)


@require_POST
@never_cache
def grade(request: HtmxHttpRequest, session_id) -> HttpResponse:
    # The session, the current question and the next one in one query: the next is what
    # we show after the grade.
    session, items = _get_session_with_items(request, session_id, grading=True)
    if interview := _running_interview(request, session):
        return interview
    if session.is_over:
        return _session_state(request, session, notice=MOVED_ON)
    form = GradeForm(request.POST, session=session, item=items.get(session.answered))
    if not form.is_valid():
        if form.moved_on:
            return _session_state(request, session, notice=MOVED_ON)
        return _render_session(request, session, status=400, error=form.message())
    result = services.record_grade(
        session=session,
        item=form.item,
        grade=form.cleaned_data["grade"],
        key_point_ids=form.cleaned_data["key_points"],
        typed_answer=form.cleaned_data["typed_answer"],
    )
    if not result.recorded:
        session.refresh_from_db()
        return _session_state(request, session)
    return _session_state(request, session, next_item=items.get(session.answered))


def _session_state(request: HtmxHttpRequest, session, *, notice=None, **known) -> HttpResponse:
    if session.is_over and request.htmx:
        # The summary is a page of its own; htmx follows with a full load.
        if notice:
            messages.info(request, notice)
        return HttpResponseClientRedirect(session.get_absolute_url())
    return _after_post(request, session, notice=notice, **known)


@require_http_methods(["GET", "HEAD", "POST"])
def abandon(request: HtmxHttpRequest, session_id) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST abandons. htmx asks with
    hx-confirm and posts straight away."""
    session = _get_session_for_user(request, session_id)
    # A running interview is ended on its own card ("End interview"), which scores it.
    if interview := _running_interview(request, session):
        return interview
    if session.is_over:
        messages.info(request, ALREADY_OVER)
        return _to(request, session.get_absolute_url())
    if request.method != "POST":
        return render(request, "quizzes/abandon.html", {"session": session})
    if services.abandon_session(session=session):
        messages.success(
            request, f"Session abandoned after {session.answered} of {session.size} questions."
        )
        return _to(request, reverse("dashboard"))
    messages.info(request, ALREADY_OVER)
    return _to(request, session.get_absolute_url())


def _to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@never_cache
def undo_grade(request: HtmxHttpRequest, session_id) -> HttpResponse:
    """Take back the session's last grade; the card asks for that question again."""
    session = _get_session_for_user(request, session_id)
    if interview := _running_interview(request, session):
        return interview
    try:
        undone = services.undo_last_grade(session=session)
    except ValidationError as exc:
        if session.is_finished and not request.htmx:
            messages.info(request, exc.messages[0])
            return redirect(session)
        return _render_session(request, session, status=409, error=exc.messages[0])
    # The card asks again with the learner's own ticks (its typed answer and confidence
    # stay on the SessionItem); without htmx they wait for the redirect's page.
    if not request.htmx:
        request.session[UNDONE_TICKS] = {
            "card": [str(session.pk), undone.question_id],
            "ticked": undone.key_points_ticked,
        }
    return _after_post(request, session, notice=UNDONE, ticked=undone.key_points_ticked)


@require_POST
def practice_missed(request: HtmxHttpRequest, session_id) -> HttpResponse:
    session = _get_session_for_user(request, session_id)
    try:
        started = services.start_session(
            user=request.user,
            mode=Mode.MISSED,
            size=session.size,
            question_ids=missed_in(session),
            timer_seconds=session.timer_seconds,
        )
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect(session)
    return redirect(started.session)


@require_safe
def review_question(request: HtmxHttpRequest, session_id, position: int) -> HttpResponse:
    session = _get_session_for_user(request, session_id)
    item = _get_item(session, position)
    if not session.is_finished and position >= session.answered:
        # No peeking at the answer of a question not yet graded.
        return redirect(session)
    answer = session.answers.filter(question_id=item.question_id).first()
    context = {"session": session, "item": item, "question": item.question, "answer": answer}
    return render(request, "quizzes/review_question.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def report_question(request: HtmxHttpRequest, session_id, position: int) -> HttpResponse:
    session = _get_session_for_user(request, session_id)
    item = _get_item(session, position)
    if not session.is_finished and position > session.answered:
        # Like the review page: a question not reached yet is not shown, not even its prompt.
        return redirect(session)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if ratelimits.over_limit(
            request,
            group="report",
            key=str(request.user.pk),
            rate=ratelimits.REPORTS_PER_LEARNER,
        ):
            return ratelimits.too_many_requests(request, REPORTS_LIMITED)
        services.report_question(
            user=request.user,
            question=item.question,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Thank you. The editors will look at this question.")
        return redirect(session)
    status = 400 if request.method == "POST" else 200
    context = {"session": session, "item": item, "form": form}
    return render(request, "quizzes/report.html", context, status=status)
