"""The dashboard: streaks across time zones and DST, aggregates, empty state, query bounds."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from accounts.stats import build_dashboard, streaks
from quizzes import services
from quizzes.models import Answer, Card, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _days(*isodates):
    return [date.fromisoformat(d) for d in isodates]


def test_streaks_current_and_longest():
    days = _days("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-10", "2026-03-11")
    assert streaks(days, today=date(2026, 3, 11)) == streaks(days, today=date(2026, 3, 12))
    result = streaks(days, today=date(2026, 3, 12))
    assert (result.current, result.longest) == (2, 3)
    assert streaks(days, today=date(2026, 3, 13)).current == 0  # a day missed
    assert streaks([], today=date(2026, 3, 13)).longest == 0


def _grade_at(user, when, grade=3):
    question = QuestionFactory()
    session = services.start_session(
        user=user, mode=Mode.RANDOM, size=1, question_ids=[question.pk], now=when
    ).session
    session = PracticeSession.objects.select_related("user__profile").get(pk=session.pk)
    services.record_grade(
        session=session, item=session.items.get(), grade=grade, key_point_ids=[], now=when
    )


def test_days_are_counted_in_the_learners_time_zone_across_dst(learner):
    # New York leaves daylight saving on 1 Nov 2026 (UTC-4 -> UTC-5).
    Profile.objects.create(user=learner, time_zone="America/New_York")
    # 03:30 UTC on 1 Nov is 23:30 on 31 Oct in New York (still UTC-4).
    _grade_at(learner, datetime(2026, 11, 1, 3, 30, tzinfo=UTC))
    # 04:30 UTC on 2 Nov is 23:30 on 1 Nov (now UTC-5): the next local day, not the same.
    _grade_at(learner, datetime(2026, 11, 2, 4, 30, tzinfo=UTC))
    # 05:30 UTC on 2 Nov is 00:30 on 2 Nov in New York.
    _grade_at(learner, datetime(2026, 11, 2, 5, 30, tzinfo=UTC), grade=1)
    days = list(DailyActivity.objects.order_by("day").values_list("day", "answers", "recalled"))
    assert days == [
        (date(2026, 10, 31), 1, 1),
        (date(2026, 11, 1), 1, 1),
        (date(2026, 11, 2), 1, 0),
    ]

    learner.profile.refresh_from_db()
    # 02:00 UTC on 3 Nov is still 2 Nov in New York: the streak is three days and alive.
    stats = build_dashboard(
        user=learner, profile=learner.profile, now=datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    )
    assert stats.today == date(2026, 11, 2)
    assert (stats.streaks.current, stats.streaks.longest) == (3, 3)
    assert stats.answered_today == 1
    assert (stats.answered, stats.recalled, stats.recall_percent) == (3, 2, 67)


def test_same_instant_is_a_different_day_in_another_zone(learner, other_learner):
    Profile.objects.create(user=learner, time_zone="Asia/Tokyo")
    Profile.objects.create(user=other_learner, time_zone="America/Los_Angeles")
    when = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 2 June in Tokyo, 1 June in Los Angeles
    _grade_at(learner, when)
    _grade_at(other_learner, when)
    assert DailyActivity.objects.get(user=learner).day == date(2026, 6, 2)
    assert DailyActivity.objects.get(user=other_learner).day == date(2026, 6, 1)


def test_due_today_forecast_topics_and_readiness(learner):
    now = timezone.now()
    profile = Profile.objects.create(
        user=learner, time_zone="UTC", interview_date=(now + timedelta(days=10)).date()
    )
    weak, strong = TopicFactory(name="Weak"), TopicFactory(name="Strong")
    qs_weak = QuestionFactory.create_batch(2, topic=weak)
    qs_strong = QuestionFactory.create_batch(2, topic=strong)

    def card(question, *, due, reviews, lapses, stability):
        Card.objects.create(
            user=learner, question=question, state=2, stability=stability, difficulty=5,
            due=due, last_review=now - timedelta(days=1), reviews=reviews, lapses=lapses,
        )  # fmt: skip

    card(qs_weak[0], due=now - timedelta(hours=2), reviews=4, lapses=3, stability=0.5)
    card(qs_strong[0], due=now + timedelta(days=3), reviews=5, lapses=0, stability=200)
    card(qs_strong[1], due=now + timedelta(days=3), reviews=5, lapses=0, stability=200)
    stats = build_dashboard(user=learner, profile=profile, now=now)
    assert stats.due_today == 1
    assert len(stats.forecast) == 14
    assert stats.forecast[3]["count"] == 2
    assert [row.topic.name for row in stats.topics][:2] == ["Weak", "Strong"]
    weak_row = stats.topics[0]
    assert (weak_row.seen, weak_row.total, round(weak_row.recall_rate, 2)) == (1, 2, 0.25)
    assert [row.topic.name for row in stats.readiness][:2] == ["Weak", "Strong"]
    assert stats.readiness[1].projected_recall > 0.9
    assert stats.reviews_per_day >= 1


def test_empty_state(learner_client):
    response = learner_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your first session starts here" in html
    assert "Welcome, ada." in html
    assert "Start session" in html
    assert '<svg class="chart' not in html  # no broken chart


def test_dashboard_shows_scores_charts_and_history(learner_client, learner):
    QuestionFactory.create_batch(4)
    session = services.start_session(user=learner, mode=Mode.NEW, size=4).session
    for position, grade in enumerate([3, 3, 1, 4]):
        learner_client.post(
            reverse("practice_grade", args=[session.pk]), {"position": position, "grade": grade}
        )
    services.start_session(user=learner, mode=Mode.RANDOM, size=2)  # unfinished
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "75%" in html  # session score and overall recall
    assert "Score over time" in html and "<polyline" in html
    assert "Due in the next 14 days" in html and "Activity" in html
    assert 'Practise<span class="text-wide"> this topic</span>' in html
    assert "In progress" in html and "Resume" in html
    assert html.count("<title") >= 5


def test_the_dashboard_greets_the_learner_by_their_display_name(learner_client, learner):
    Profile.objects.update_or_create(user=learner, defaults={"display_name": "Ada <L>"})
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "Welcome, Ada &lt;L&gt;." in html


def test_session_history_csv(learner_client, learner):
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    for position in range(2):
        learner_client.post(
            reverse("practice_grade", args=[session.pk]), {"position": position, "grade": 3}
        )
    response = learner_client.get(reverse("session_history_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["started", "finished", "mode"]
    assert rows[1][5:7] == ["2", "100"]
    unfinished = services.start_session(user=learner, mode=Mode.RANDOM, size=2).session
    learner_client.post(
        reverse("practice_grade", args=[unfinished.pk]), {"position": 0, "grade": 3}
    )
    rows = list(csv.reader(io.StringIO(learner_client.get(reverse("session_history_csv")).text)))
    in_progress = next(row for row in rows if row[1] == "in progress")
    assert in_progress[5:7] == ["1", ""]  # answered 1, no score until it is finished


def test_history_rows_are_in_the_learners_time_zone(learner_client, learner):
    Profile.objects.update_or_create(user=learner, defaults={"time_zone": "Asia/Tokyo"})
    topic = TopicFactory(name="Optimisation & <friends>")
    started = datetime(2026, 3, 1, 23, 10, tzinfo=UTC)  # 08:10 on 2 March in Tokyo
    finished = PracticeSession.objects.create(
        user=learner, mode=Mode.RANDOM, size=4, answered=4, recalled=3,
        finished_at=started + timedelta(minutes=12),
    )  # fmt: skip
    finished.topics.add(topic)
    # started_at is auto_now_add: set it afterwards.
    PracticeSession.objects.filter(pk=finished.pk).update(started_at=started)
    PracticeSession.objects.create(user=learner, mode=Mode.DUE, size=5, answered=2)
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "<td>2 Mar 2026, 08:10</td>" in html
    assert '<td class="col-wide">Optimisation &amp; &lt;friends&gt;</td>' in html
    assert '<td class="num">75%</td>' in html
    assert '<td class="num col-wide">12 min</td>' in html
    assert f'href="{finished.get_absolute_url()}">View<span' in html
    assert "In progress (2 of 5)" in html and '<td class="col-wide">All topics</td>' in html


def test_another_page_of_history_computes_no_dashboard_figures(
    learner_client, learner, django_assert_max_num_queries
):
    Profile.objects.create(user=learner)
    _history(learner, 200)
    # session, user, profile, the count and the page of sessions, their topics
    with django_assert_max_num_queries(6):
        fragment = learner_client.get(reverse("dashboard") + "?page=2", HTTP_HX_REQUEST="true")
    assert "Page 2 of 2" in fragment.content.decode()


def test_history_is_paginated_and_htmx_gets_the_fragment(learner_client, learner):
    for _ in range(12):
        PracticeSession.objects.create(user=learner, mode=Mode.RANDOM, size=5)
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "Page 1 of 2" in html
    fragment = learner_client.get(reverse("dashboard") + "?page=2", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "Page 2 of 2" in fragment.content.decode()
    assert learner_client.get(reverse("dashboard") + "?page=abc").status_code == 200


def _history(user, answers: int):
    """`answers` answers spread over sessions and days, written in bulk."""
    topics = TopicFactory.create_batch(3)
    questions = [QuestionFactory(topic=topics[i % 3], key_points=0) for i in range(50)]
    start = timezone.now() - timedelta(days=answers // 10 + 1)
    sessions = PracticeSession.objects.bulk_create(
        PracticeSession(user=user, mode=Mode.RANDOM, size=10, answered=10, recalled=7,
                        finished_at=start + timedelta(days=n // 1))
        for n in range(max(1, answers // 10))
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(user=user, session=sessions[n // 10], question=questions[n % 10 + (n // 10) % 40],
               grade=1 + n % 4, answered_at=start + timedelta(days=n // 10))
        for n in range(answers)
    )  # fmt: skip
    Card.objects.bulk_create(
        Card(user=user, question=q, state=2, stability=10, difficulty=5, due=start,
             last_review=start, reviews=5, lapses=1)
        for q in questions
    )  # fmt: skip
    DailyActivity.objects.bulk_create(
        DailyActivity(user=user, day=(start + timedelta(days=d)).date(), answers=10, recalled=7)
        for d in range(answers // 10)
    )


@pytest.mark.parametrize("answers", [10, 1000])
def test_dashboard_query_count_is_constant(learner_client, learner, answers,
                                           django_assert_max_num_queries):  # fmt: skip
    _history(learner, answers)
    Profile.objects.create(user=learner, interview_date=timezone.now().date() + timedelta(days=9))
    # session + user, profile, daily roll-up, finished-session count, recent scores,
    # topics, cards per topic, cards due per day, history count, history page, history topics;
    # the plan: today's answers, syllabus, the syllabus's unseen count, leeches, latest fit;
    # the latest mock interviews; calibration (answers by confidence and topic), key points
    # kept missing
    with django_assert_max_num_queries(20):
        response = learner_client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Readiness for" in response.content.decode()
    # Reloaded before the next grade: topics, cards per topic and due days come from the cache.
    # The latest mock interviews, calibration and key points kept missing are not cached.
    with django_assert_max_num_queries(12):
        learner_client.get(reverse("dashboard"))


def test_a_new_grade_refreshes_the_cached_card_figures(learner_client, learner):
    QuestionFactory.create_batch(3, topic=TopicFactory())
    first = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    learner_client.post(reverse("practice_grade", args=[first.pk]), {"position": 0, "grade": 3})
    assert "1 / 3" in learner_client.get(reverse("dashboard")).content.decode()
    second = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    learner_client.post(reverse("practice_grade", args=[second.pk]), {"position": 0, "grade": 3})
    assert "2 / 3" in learner_client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("name", ["dashboard", "session_history_csv"])
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


def test_another_learners_sessions_are_not_on_the_dashboard_or_in_the_csv(
    learner_client, learner, other_learner
):
    mine = TopicFactory(name="Mine only")
    theirs = TopicFactory(name="Theirs only")
    own = PracticeSession.objects.create(
        user=learner, mode=Mode.RANDOM, size=3, answered=3, recalled=3,
        finished_at=timezone.now(),
    )  # fmt: skip
    own.topics.add(mine)
    other = PracticeSession.objects.create(
        user=other_learner, mode=Mode.DUE, size=7, answered=1, recalled=0
    )
    other.topics.add(theirs)
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "Mine only" in html and own.get_absolute_url() in html
    assert "Theirs only" not in html and other.get_absolute_url() not in html
    assert str(other.pk) not in html
    rows = list(csv.reader(io.StringIO(learner_client.get(reverse("session_history_csv")).text)))
    assert [row[3] for row in rows[1:]] == ["Mine only"]
