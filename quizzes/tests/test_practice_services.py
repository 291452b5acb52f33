"""Selection modes, the score, the FSRS update and the double-grade rule."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from quizzes import services
from quizzes.models import Answer, Card, Grade, Mode, PracticeSession, Status
from quizzes.selection import choose_questions, limits_for, missed_in
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _grade_all(session, grades, now=None):
    now = now or timezone.now()
    for position, grade in enumerate(grades):
        session.refresh_from_db()
        item = session.items.get(position=position)
        services.record_grade(session=session, item=item, grade=grade, key_point_ids=[], now=now)
    session.refresh_from_db()
    return session


def _card(user, question, *, due, reviews=1, lapses=0, stability=5.0):
    return Card.objects.create(
        user=user,
        question=question,
        state=2,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=3),
        reviews=reviews,
        lapses=lapses,
    )


def test_drafts_are_never_selected(learner):
    draft = QuestionFactory(status=Status.DRAFT)
    published = QuestionFactory()
    now = timezone.now()
    for mode in (Mode.DUE, Mode.NEW, Mode.RANDOM):
        ids = choose_questions(user=learner, topics=[], mode=mode, size=10, now=now)
        assert ids == [published.pk]
    _card(learner, draft, due=now - timedelta(days=1))
    assert draft.pk not in choose_questions(
        user=learner, topics=[], mode=Mode.WEAKEST, size=10, now=now
    )


def test_due_mode_takes_due_cards_most_overdue_first_then_new(learner):
    now = timezone.now()
    later, overdue, very_overdue, new = QuestionFactory.create_batch(4)
    _card(learner, later, due=now + timedelta(days=2))
    _card(learner, overdue, due=now - timedelta(hours=1))
    _card(learner, very_overdue, due=now - timedelta(days=3))
    ids = choose_questions(user=learner, topics=[], mode=Mode.DUE, size=3, now=now)
    assert ids == [very_overdue.pk, overdue.pk, new.pk]


def test_new_mode_excludes_seen_questions_and_respects_topics(learner, other_learner):
    topic, other_topic = TopicFactory.create_batch(2)
    seen, fresh = QuestionFactory.create_batch(2, topic=topic)
    QuestionFactory(topic=other_topic)
    _card(learner, seen, due=timezone.now())
    _card(other_learner, fresh, due=timezone.now())  # someone else's history is irrelevant
    ids = choose_questions(user=learner, topics=[topic], mode=Mode.NEW, size=10, now=timezone.now())
    assert ids == [fresh.pk]


def test_weakest_mode_orders_by_recall_rate(learner):
    now = timezone.now()
    strong, weak, middling = QuestionFactory.create_batch(3)
    QuestionFactory()  # never seen: not part of "weakest"
    _card(learner, strong, due=now, reviews=4, lapses=0)
    _card(learner, weak, due=now, reviews=4, lapses=3)
    _card(learner, middling, due=now, reviews=4, lapses=1)
    ids = choose_questions(user=learner, topics=[], mode=Mode.WEAKEST, size=10, now=now)
    assert ids == [weak.pk, middling.pk, strong.pk]


def test_random_mode_returns_distinct_questions_up_to_size(learner):
    QuestionFactory.create_batch(8)
    ids = choose_questions(user=learner, topics=[], mode=Mode.RANDOM, size=5, now=timezone.now())
    assert len(ids) == len(set(ids)) == 5


def test_only_the_scheduled_modes_keep_to_the_days_limits(learner, django_assert_num_queries):
    Profile.objects.create(user=learner, new_per_day=1)
    now = timezone.now()
    seen, *_ = QuestionFactory.create_batch(3)
    _card(learner, seen, due=now - timedelta(days=1), lapses=1)
    for mode in (Mode.WEAKEST, Mode.RANDOM, Mode.MISSED_POINTS):
        with django_assert_num_queries(0):  # extra practice reads no limits
            assert limits_for(user=learner, mode=mode, now=now) is None
    limits = limits_for(user=learner, mode=Mode.NEW, now=now)
    assert (limits.new_left, limits.new_limit) == (1, 1)
    new = choose_questions(user=learner, topics=[], mode=Mode.NEW, size=5, now=now, limits=limits)
    assert len(new) == 1 and limits.notes
    # Limits handed to a mode of extra practice are ignored.
    spent = limits_for(user=learner, mode=Mode.DUE, now=now)
    spent.new_left = spent.reviews_left = 0
    assert choose_questions(
        user=learner, topics=[], mode=Mode.WEAKEST, size=5, now=now, limits=spent
    ) == [seen.pk]
    assert (
        len(
            choose_questions(
                user=learner, topics=[], mode=Mode.RANDOM, size=5, now=now, limits=spent
            )
        )
        == 3
    )
    assert not spent.notes


def test_start_session_takes_what_there_is_and_says_so(learner):
    QuestionFactory.create_batch(3)
    started = services.start_session(user=learner, mode=Mode.RANDOM, size=10)
    assert started.session.size == 3
    assert started.shortfall
    assert started.session.items.count() == 3


def test_start_session_with_nothing_to_practise_raises_and_creates_nothing(learner):
    with pytest.raises(ValidationError, match="answer a few questions first"):
        services.start_session(user=learner, mode=Mode.WEAKEST, size=10)
    assert not PracticeSession.objects.exists()


def test_score_is_share_recalled_rounded(learner):
    QuestionFactory.create_batch(3)
    session = services.start_session(user=learner, mode=Mode.NEW, size=3).session
    session = _grade_all(session, [Grade.GOOD, Grade.AGAIN, Grade.HARD])
    assert session.is_finished
    assert (session.answered, session.recalled) == (3, 2)
    assert session.score_percent == 67  # 2/3 rounded to a whole percent


def test_grade_updates_fsrs_card_with_utc_due_in_the_future(learner):
    question = QuestionFactory()
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    now = timezone.now()
    _grade_all(session, [Grade.EASY], now=now)
    card = Card.objects.get(user=learner, question=question)
    assert card.reviews == 1 and card.lapses == 0
    assert card.due > now + timedelta(days=1)  # Easy on a new card skips the learning steps
    assert card.last_review == now
    assert card.stability > 0

    # A second review reads the stored state back: Again makes it due soon and counts a lapse.
    session2 = services.start_session(
        user=learner, mode=Mode.RANDOM, size=1, now=now + timedelta(days=5)
    ).session
    _grade_all(session2, [Grade.AGAIN], now=now + timedelta(days=5))
    card.refresh_from_db()
    assert card.reviews == 2 and card.lapses == 1
    assert card.due < now + timedelta(days=5, hours=1)


@pytest.mark.django_db(transaction=True)
def test_double_grade_counts_once(learner):
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    item = session.items.get(position=0)
    first = services.record_grade(session=session, item=item, grade=3, key_point_ids=[])
    stale = PracticeSession.objects.get(pk=session.pk)
    stale.answered = 0  # a second tab that has not seen the first grade
    second = services.record_grade(session=stale, item=item, grade=1, key_point_ids=[])
    assert first.recorded and not second.recorded
    session.refresh_from_db()
    assert session.answered == 1 and session.recalled == 1
    assert Answer.objects.get().grade == 3
    assert Card.objects.get().reviews == 1
    assert DailyActivity.objects.get().answers == 1


def test_a_refused_grade_inside_a_transaction_leaves_it_usable(learner):
    # A mock interview grades inside its own transaction: a duplicate must not spoil it.
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    item = session.items.get(position=0)
    with transaction.atomic():
        first = services.record_grade(session=session, item=item, grade=3, key_point_ids=[])
        stale = PracticeSession.objects.get(pk=session.pk)
        stale.answered = 0
        second = services.record_grade(session=stale, item=item, grade=1, key_point_ids=[])
        assert first.recorded and not second.recorded
        assert Answer.objects.filter(session=session).count() == 1  # still usable
    assert Card.objects.get().reviews == 1


def test_daily_activity_counts_in_the_learners_time_zone(learner):
    Profile.objects.create(user=learner, time_zone="Pacific/Auckland")
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    session = PracticeSession.objects.select_related("user__profile").get(pk=session.pk)
    # 11:30 UTC on 1 June is 23:30 in Auckland (UTC+12); 12:30 UTC is the next local day.
    june_1 = datetime(2026, 6, 1, 11, 30, tzinfo=UTC)
    services.record_grade(
        session=session, item=session.items.get(position=0), grade=3, key_point_ids=[], now=june_1
    )
    session.refresh_from_db()
    services.record_grade(
        session=session,
        item=session.items.get(position=1),
        grade=1,
        key_point_ids=[],
        now=june_1 + timedelta(hours=1),
    )
    days = list(DailyActivity.objects.values_list("day", "answers", "recalled"))
    assert [(str(d), a, r) for d, a, r in days] == [("2026-06-01", 1, 1), ("2026-06-02", 1, 0)]


def test_a_grade_counts_in_the_zone_saved_now_not_the_one_loaded_with_the_session(learner):
    Profile.objects.create(user=learner, time_zone="UTC")
    QuestionFactory.create_batch(1)
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    session = PracticeSession.objects.select_related("user__profile").get(pk=session.pk)
    # Another tab moves the learner to Auckland while this request holds the old profile.
    Profile.objects.filter(user=learner).update(time_zone="Pacific/Auckland")
    june_1 = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)  # 2 June, 00:30 in Auckland
    services.record_grade(
        session=session, item=session.items.get(), grade=3, key_point_ids=[], now=june_1
    )
    assert str(DailyActivity.objects.get().day) == "2026-06-02"


def test_missed_questions_are_those_graded_again(learner):
    q1, q2, q3 = QuestionFactory.create_batch(3)
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=3, question_ids=[q1.pk, q2.pk, q3.pk]
    ).session
    _grade_all(session, [Grade.AGAIN, Grade.GOOD, Grade.AGAIN])
    assert missed_in(session) == [q1.pk, q3.pk]


@pytest.mark.django_db(transaction=True)  # the grade rolls back its own transaction
def test_a_grade_in_a_session_abandoned_meanwhile_keeps_nothing(learner):
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    item = session.items.get(position=0)
    # Another tab abandons the session after this one read it.
    PracticeSession.objects.filter(pk=session.pk).update(abandoned_at=timezone.now())
    result = services.record_grade(session=session, item=item, grade=3, key_point_ids=[])
    assert not result.recorded
    session.refresh_from_db()
    assert session.answered == 0 and session.last_answer_id is None
    assert not Answer.objects.exists()
    assert not Card.objects.exists()
    assert not DailyActivity.objects.exists()


def test_a_learner_without_a_profile_is_graded_on_the_default_scheduler(learner, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # the site's zone, which such a learner's day follows
    assert not Profile.objects.filter(user=learner).exists()
    QuestionFactory.create_batch(1)
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    now = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    _grade_all(session, [Grade.GOOD], now=now)
    card = Card.objects.get()
    assert (card.reviews, card.lapses, card.last_review) == (1, 0, now)
    answer = Answer.objects.get()
    session.refresh_from_db()
    assert session.last_answer_id == answer.pk and session.is_finished
    # 23:30 UTC on 1 June is 08:30 on 2 June in Tokyo: the roll-up counts it on the 2nd.
    assert list(DailyActivity.objects.values_list("day", "answers", "recalled")) == [
        (date(2026, 6, 2), 1, 1)
    ]
