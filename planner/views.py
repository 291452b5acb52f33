"""The planner's views: saving the schedule settings, queueing a fit of the parameters and
the "help me decide" simulation of desired retention."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.services import get_profile
from planner import charts, services
from planner.forms import ScheduleForm
from planner.optimiser import MIN_REVIEWS
from planner.plan import per_day, seen_by, syllabus_questions
from planner.simulation import DAYS_WITHOUT_DATE, MAX_DAYS, simulate_choices
from planner.tasks import optimise_schedule
from quizzes.scheduling import local_day


@require_http_methods(["GET", "HEAD", "POST"])
def schedule_settings(request: HttpRequest) -> HttpResponse:
    """The profile page shows this form too; this page is where a bad value comes back."""
    profile = get_profile(request.user)
    form = ScheduleForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.update_schedule(user=request.user, **form.cleaned_data)
        messages.success(request, "Your schedule settings have been saved.")
        return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "planner/settings.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def optimise(request: HttpRequest) -> HttpResponse:
    reviews = services.reviews_toward_fit(request.user)
    context = {"min_reviews": MIN_REVIEWS, "reviews": reviews}
    if request.method == "POST" and reviews < MIN_REVIEWS:
        # The fit would end with "not enough reviews" after promising a result: say it now.
        context["error"] = (
            f"Optimising needs at least {MIN_REVIEWS} answers and you have {reviews}: "
            "PrepSite keeps the defaults until then."
        )
        return render(request, "planner/optimise.html", context, status=400)
    if request.method == "POST":
        optimise_schedule.enqueue(request.user.pk)
        messages.success(
            request,
            "Your schedule is being fitted to your reviews. It takes a few seconds: "
            "reload this page to see the result.",
        )
        return redirect("profile")
    return render(request, "planner/optimise.html", context)


@require_safe
def decide(request: HttpRequest) -> HttpResponse:
    profile = get_profile(request.user)
    today = local_day(timezone.now(), profile.zone)
    interview = (
        profile.interview_date
        if profile.interview_date and profile.interview_date > today
        else None
    )
    days = min((interview - today).days if interview else DAYS_WITHOUT_DATE, MAX_DAYS)
    syllabus = list(profile.syllabus.values_list("pk", flat=True))
    questions = syllabus_questions(syllabus).count()
    # The simulation starts every syllabus question afresh: with an interview date, at the
    # plan's pace for all of them (planner.plan.pace paces the unseen ones) when it is
    # lower than the learner's limit.
    new_per_day = profile.new_per_day
    if interview:
        all_of_them = per_day(questions, by=seen_by(interview, today), today=today)
        new_per_day = min(new_per_day, max(1, all_of_them))
    outcomes = simulate_choices(
        profile=profile, questions=questions, days=days, new_per_day=new_per_day
    )
    context = {
        "profile": profile,
        "new_per_day": new_per_day,
        "paced": new_per_day < profile.new_per_day,
        "interview": interview,
        "horizon_cut": bool(interview) and (interview - today).days > MAX_DAYS,
        "days": days,
        "questions": questions,
        "outcomes": outcomes,
        "chart": charts.retention_chart(outcomes, chosen=profile.desired_retention),
    }
    return render(request, "planner/decide.html", context)
