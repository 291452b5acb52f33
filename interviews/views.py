"""The mock interview's views: thin, the writes are in interviews.services; every view that
takes an interview goes through _get_interview_for_user (404 to anyone else)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from interviews import services
from interviews.forms import FollowUpAnswerForm, StartInterviewForm, StepForm
from interviews.models import Interview, InterviewStep
from interviews.presenters import step_context
from interviews.scoring import build_report
from quizzes import services as practice
from quizzes.durations import seconds_in_words
from quizzes.forms import GradeForm, RevealForm
from quizzes.models import Mode, Question

TEMPLATE = "interviews/interview.html"
MOVED_ON = "That step had already been answered, maybe in another tab: here is where you are now."


def _get_interview_for_user(request: HttpRequest, interview_id) -> Interview:
    """The learner's own interview, or 404 for anyone else's."""
    return get_object_or_404(
        Interview.objects.select_related("session"), pk=interview_id, user=request.user
    )


def _to(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _show(request, interview, *, status=200, error=None, notice=None, form=None) -> HttpResponse:
    """The current step's card (the fragment for htmx), or the report once it is over."""
    step = services.resume(interview=interview)
    if step is None:
        if notice:
            messages.info(request, notice)
        return _to(request, reverse("interview_report", args=[interview.pk]))
    context = step_context(interview, step, now=timezone.now(), form=form)
    context.update(error=error, notice=notice)
    template = f"{TEMPLATE}#card" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _after_post(request, interview, *, notice=None) -> HttpResponse:
    if request.htmx:
        return _show(request, interview, notice=notice)
    if notice:
        messages.info(request, notice)
    return redirect(interview)


def _current(request, interview, form) -> InterviewStep | None:
    """The step the POST names, if it is still the current one."""
    step = services.current_step(interview)
    if step is None or interview.is_finished or form.cleaned_data["step"] != step.pk:
        return None
    return step


@require_http_methods(["GET", "HEAD", "POST"])
def interview_start(request: HttpRequest) -> HttpResponse:
    services.end_overdue(user=request.user)
    form = StartInterviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.start_interview(
                user=request.user,
                minutes=form.cleaned_data["minutes"],
                level=form.cleaned_data["level"],
                topics=list(form.cleaned_data["topics"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(interview)
    context = {
        "form": form,
        "in_progress": Interview.objects.filter(user=request.user).in_progress().first(),
        "plans": [_plan_in_words(minutes) for minutes in services.LENGTHS],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/start.html", context, status=status)


def _plan_in_words(minutes: int) -> tuple[int, int, str, str]:
    """(minutes, questions, each question's time, each follow-up's), as "4 min 49 s"."""
    size, question_seconds, follow_up_seconds = services.plan(minutes)
    return minutes, size, seconds_in_words(question_seconds), seconds_in_words(follow_up_seconds)


@require_safe
@never_cache
def interview_detail(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    return _show(request, interview)


@require_POST
@never_cache
def reveal(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    steps, answer = StepForm(request.POST), RevealForm(request.POST)
    if not steps.is_valid():
        return _show(request, interview, status=400, error="That step is missing.")
    if not answer.is_valid():
        return _show(request, interview, status=400, form=answer)
    step = _current(request, interview, steps)
    try:
        revealed = step is not None and services.reveal(
            interview=interview,
            step=step,
            typed_answer=answer.cleaned_data["typed_answer"],
            confidence=answer.cleaned_data["confidence"],
        )
    except ValidationError as exc:
        # A calculation's unreadable number: the same card, the message under the box.
        answer = RevealForm(request.POST, calculation=step.item.question)
        answer.is_valid()
        answer.add_error("typed_answer", exc)
        return _show(request, interview, status=400, form=answer)
    if not revealed:
        return _after_post(request, interview, notice=MOVED_ON)
    return _after_post(request, interview)


@require_POST
@never_cache
def grade(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    steps = StepForm(request.POST)
    if not steps.is_valid():
        return _show(request, interview, status=400, error="That step is missing.")
    step = _current(request, interview, steps)
    if step is None or step.is_follow_up:
        return _after_post(request, interview, notice=MOVED_ON)
    form = GradeForm(request.POST, question=step.item.question)
    if not form.is_valid():
        errors = " ".join(message for messages in form.errors.values() for message in messages)
        return _show(request, interview, status=400, error=errors)
    if not services.grade_question(
        interview=interview,
        step=step,
        grade=form.cleaned_data["grade"],
        key_point_ids=form.cleaned_data["key_points"],
    ):
        return _after_post(request, interview, notice=MOVED_ON)
    return _after_post(request, interview)


@require_POST
@never_cache
def follow_up(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    form = FollowUpAnswerForm(request.POST)
    if not form.is_valid():
        errors = " ".join(message for messages in form.errors.values() for message in messages)
        return _show(request, interview, status=400, error=errors)
    step = _current(request, interview, form)
    if step is None or not services.answer_follow_up(
        interview=interview, step=step, covered=form.cleaned_data["covered"]
    ):
        return _after_post(request, interview, notice=MOVED_ON)
    return _after_post(request, interview)


@require_POST
def end(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    services.end_interview(interview=interview)
    return _to(request, reverse("interview_report", args=[interview.pk]))


@require_safe
def report(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    if services.resume(interview=interview) is not None:
        # Still running: no report of an interview not over (and no peeking at answers).
        return redirect(interview)
    return render(request, "interviews/report.html", {"report": build_report(interview)})


@require_POST
def practise(request: HttpRequest, interview_id) -> HttpResponse:
    interview = _get_interview_for_user(request, interview_id)
    if not interview.is_finished:
        return redirect(interview)
    study = build_report(interview).study_ids
    # Not a question retired since the interview.
    published = set(Question.objects.published().filter(pk__in=study).values_list("pk", flat=True))
    ids = [pk for pk in study if pk in published]
    try:
        started = practice.start_session(
            user=request.user, mode=Mode.MISSED, size=len(ids), question_ids=ids
        )
    except ValidationError:
        messages.info(request, "Nothing to study from this interview: well done.")
        return redirect("interview_report", interview.pk)
    return redirect(started.session)
