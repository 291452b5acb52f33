"""The work PrepSite does outside a request, timed in process: choosing who is owed a
reminder (reminders.selection) and fitting the heavy learner's schedule (planner.services).

Called by bench.inprocess's `reminders` and `optimiser` tasks, each in a process of its
own, so that the optimiser's peak memory is its own and not the HTTP measurements'.
"""

import time

from django.utils import timezone

from bench import scenes
from bench.stats import peak_mib


def reminder_selection(runs: int) -> dict:
    """recipients() at an instant when every learner is in their sending window."""
    from bench.inprocess import measure
    from reminders.models import Delivery, ReminderSettings
    from reminders.selection import recipients

    now = timezone.now()
    learners = scenes.remind_everyone(now)
    found = recipients(now)
    return {
        "learners_with_settings": learners,
        "settings_rows": ReminderSettings.objects.count(),
        "owed": len(found),
        "owed_daily": sum(r.kind == Delivery.Kind.DAILY for r in found),
        **measure(lambda: recipients(now), runs),
    }


def optimiser(username: str) -> dict:
    """planner.services.optimise for the learner, as the task worker runs it, then its
    parts again one by one: reading the history, the fit, and the cards' new states."""
    from accounts.models import Profile
    from planner import optimiser as fitting
    from planner import services
    from quizzes.models import Answer

    user = scenes.user(username)
    zone = Profile.objects.get(user=user).zone
    answers = Answer.objects.filter(user=user).count()
    before = peak_mib()
    started = time.perf_counter()
    started_cpu = time.process_time()
    error = None
    try:
        fit = services.optimise(user=user, force=True)
    except BaseException as exc:  # the fit is Rust (fsrs-rs): a panic arrives as BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        fit, error = None, f"{type(exc).__name__}: {str(exc)[:300]}"
    total = time.perf_counter() - started
    total_cpu = time.process_time() - started_cpu
    peak = peak_mib()

    started = time.perf_counter()
    by_question = fitting.learner_histories(user, zone)
    read = time.perf_counter() - started
    figures = {
        "username": username,
        "answers": answers,
        "questions": len(by_question),
        "error": error,
        "adopted": bool(fit and fit.adopted),
        "seconds": round(total, 2),
        "cpu_seconds": round(total_cpu, 2),
        "read_seconds": round(read, 2),
        "peak_rss_mib_before": before,
        "peak_rss_mib_after": peak,
        "peak_rss_mib_added": round(peak - before, 1),
    }
    if error is None:
        started = time.perf_counter()
        result = fitting.fit(list(by_question.values()))
        figures["fit_seconds"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        if result.adopted:
            fitting.memory_states(by_question, result.parameters)
        figures["states_seconds"] = round(time.perf_counter() - started, 2)
    return figures
