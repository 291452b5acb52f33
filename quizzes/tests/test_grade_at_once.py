"""On PostgreSQL a grade reads the profile and the card unlocked and writes in one statement
of its own that checks neither changed (quizzes.grade_sql.read and write
with versions). Whatever changes in between, the grade must come out as the locked way
makes it: nothing lost, nothing counted twice."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import DailyActivity, Profile
from quizzes import grade_sql, grading, services
from quizzes.models import Answer, Card, Grade, KeyPointMemory, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# 23:30 in London is already the next day in Auckland.
NOW = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)


@pytest.fixture
def practice(learner):
    Profile.objects.create(user=learner, time_zone="Europe/London")
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2, now=NOW).session
    return session, session.items.select_related("question").get(position=0)


def _grade(session, item, grade=Grade.GOOD, ticked=()):
    return services.record_grade(
        session=session, item=item, grade=grade, key_point_ids=list(ticked), now=NOW
    )


def _after_read(monkeypatch, meanwhile):
    """Run `meanwhile` between the grade's read and its write, as another request would."""
    read = grade_sql.read

    def read_then(**kwargs):
        found = read(**kwargs)
        meanwhile()
        return found

    monkeypatch.setattr(grade_sql, "read", read_then)


def _card(user, item, *, reviews: int) -> Card:
    """A card in review for the item's question, reviewed `reviews` times."""
    return Card.objects.create(
        user=user, question_id=item.question_id, state=2, stability=3.0, difficulty=5.0,
        due=NOW, last_review=NOW, reviews=reviews,
    )  # fmt: skip


def _days(user) -> dict:
    return dict(DailyActivity.objects.filter(user=user).values_list("day", "answers"))


def test_a_grade_is_two_statements_outside_any_transaction(practice, learner):
    session, item = practice
    with CaptureQueriesContext(connection) as captured:
        assert _grade(session, item).recorded
    assert [query["sql"].split()[0] for query in captured] == ["SELECT", "WITH"]
    assert "FOR UPDATE" not in captured[0]["sql"]
    card = Card.objects.get(user=learner, question_id=item.question_id)
    answer = Answer.objects.get()
    assert (card.reviews, answer.grade, answer.before["card"]) == (1, Grade.GOOD, None)
    assert _days(learner) == {datetime(2026, 6, 1).date(): 1}
    stored = PracticeSession.objects.get(pk=session.pk)
    assert (stored.answered, stored.recalled, stored.last_answer_id) == (1, 1, answer.pk)


def test_a_time_zone_changed_meanwhile_counts_the_answer_on_the_new_zone_s_day(
    practice, learner, monkeypatch
):
    session, item = practice
    _after_read(
        monkeypatch,
        lambda: Profile.objects.filter(user=learner).update(time_zone="Pacific/Auckland"),
    )
    assert _grade(session, item).recorded
    assert _days(learner) == {datetime(2026, 6, 2).date(): 1}
    assert Answer.objects.count() == 1


def test_a_card_reviewed_meanwhile_is_reviewed_again_not_overwritten(
    practice, learner, monkeypatch
):
    session, item = practice
    card = _card(learner, item, reviews=4)
    _after_read(monkeypatch, lambda: Card.objects.filter(pk=card.pk).update(reviews=9))
    assert _grade(session, item).recorded
    card.refresh_from_db()
    assert card.reviews == 10
    assert Answer.objects.get().before["card"]["reviews"] == 9


def test_a_card_made_meanwhile_is_reviewed_not_duplicated(practice, learner, monkeypatch):
    session, item = practice
    _after_read(
        monkeypatch,
        lambda: _card(learner, item, reviews=2),
    )
    assert _grade(session, item).recorded
    assert list(Card.objects.values_list("reviews", flat=True)) == [3]
    assert _days(learner) == {datetime(2026, 6, 1).date(): 1}


def test_a_session_abandoned_meanwhile_keeps_nothing_of_the_grade(practice, learner, monkeypatch):
    session, item = practice
    _after_read(
        monkeypatch,
        lambda: PracticeSession.objects.filter(pk=session.pk).update(abandoned_at=NOW),
    )
    assert not _grade(session, item).recorded
    assert not Answer.objects.exists() and not Card.objects.exists()
    assert _days(learner) == {}
    stored = PracticeSession.objects.get(pk=session.pk)
    assert (stored.answered, stored.finished_at) == (0, None)


def test_the_same_grade_twice_is_counted_once(practice, learner):
    session, item = practice
    assert _grade(session, item).recorded
    stale = PracticeSession.objects.get(pk=session.pk)
    stale.answered = 0  # another tab, still showing the first question
    assert not _grade(stale, item, grade=Grade.EASY).recorded
    assert list(Answer.objects.values_list("grade", flat=True)) == [Grade.GOOD]
    assert list(Card.objects.values_list("reviews", flat=True)) == [1]
    assert _days(learner) == {datetime(2026, 6, 1).date(): 1}
    assert PracticeSession.objects.get(pk=session.pk).answered == 1


def test_inside_a_transaction_a_failed_write_leaves_it_usable(practice, learner, monkeypatch):
    session, item = practice
    _after_read(
        monkeypatch,
        lambda: _card(learner, item, reviews=2),
    )
    with transaction.atomic():
        # The write fails on the card's unique constraint, in a savepoint: the locked way
        # then grades in the same transaction, which goes on.
        assert _grade(session, item).recorded
        assert list(Card.objects.values_list("reviews", flat=True)) == [3]
    assert Answer.objects.count() == 1


def test_through_the_page_the_profile_and_card_come_with_the_session(practice, learner, client):
    session, _ = practice
    client.force_login(learner)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("practice_grade", args=[session.pk]),
            {"position": 0, "grade": Grade.GOOD},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert Answer.objects.get().grade == Grade.GOOD
    # The learner's login session and user aside: the practice session with its items and
    # what the grade reads first, then the write.
    statements = [
        query["sql"]
        for query in captured
        if "django_session" not in query["sql"] and '"auth_user"' not in query["sql"]
    ]
    assert len(statements) == 2
    assert "quizzes_sessionitem" in statements[0] and "xmin::text" in statements[0]
    assert statements[1].startswith("WITH p AS")


def test_an_undo_in_another_tab_meanwhile_keeps_nothing_of_the_grade(
    practice, learner, monkeypatch
):
    session, first = practice
    assert _grade(session, first).recorded
    second = session.items.select_related("question").get(position=1)
    # The other tab undoes the first grade after this grade read the session at 1.
    _after_read(
        monkeypatch,
        lambda: services.undo_last_grade(session=PracticeSession.objects.get(pk=session.pk)),
    )
    assert not _grade(session, second).recorded
    assert not Answer.objects.exists()
    stored = PracticeSession.objects.get(pk=session.pk)
    assert (stored.answered, stored.finished_at) == (0, None)
    assert _days(learner) == {}


def test_through_the_page_a_card_changed_after_the_session_read_is_not_overwritten(
    practice, learner, client, monkeypatch
):
    session, item = practice
    card = _card(learner, item, reviews=4)
    graded = grading._graded

    def graded_meanwhile(**kwargs):
        # The session read (with the card) is done: another tab reviews the card now.
        Card.objects.filter(pk=card.pk).update(reviews=9)
        return graded(**kwargs)

    monkeypatch.setattr(grading, "_graded", graded_meanwhile)
    client.force_login(learner)
    response = client.post(
        reverse("practice_grade", args=[session.pk]),
        {"position": 0, "grade": Grade.GOOD},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    card.refresh_from_db()
    assert card.reviews == 10


def _memories(user) -> dict:
    return {
        memory.key_point_id: (memory.hits, memory.misses, memory.streak, memory.due)
        for memory in KeyPointMemory.objects.filter(user=user)
    }


def _ways(monkeypatch) -> list[str]:
    """Which ways the grade took: "at once", then "locked" when it fell back."""
    taken = []
    for name, way in (("_record_grade_at_once", "at once"), ("_record_grade", "locked")):
        original = getattr(grading, name)

        def traced(*args, _original=original, _way=way, **kwargs):
            taken.append(_way)
            return _original(*args, **kwargs)

        monkeypatch.setattr(grading, name, traced)
    return taken


def test_ticked_key_points_are_counted_in_the_same_statement_and_undone(practice, learner):
    session, item = practice
    one, two, three = item.question.key_point_ids
    # Seen before: `one` hit twice in a row, `two` missed; `three` never seen.
    earlier = NOW - timedelta(days=5)
    KeyPointMemory.objects.create(
        user=learner, key_point_id=one, hits=2, streak=2, last_seen=earlier, due=earlier
    )
    KeyPointMemory.objects.create(
        user=learner, key_point_id=two, misses=1, last_seen=earlier, due=earlier
    )
    before = _memories(learner)
    with CaptureQueriesContext(connection) as captured:
        assert _grade(session, item, grade=Grade.HARD, ticked=[one, three]).recorded
    assert [query["sql"].split()[0] for query in captured] == ["SELECT", "WITH"]
    # A third hit in a row rests four days; a first hit, one; a miss is due at once.
    assert _memories(learner) == {
        one: (3, 0, 3, NOW + timedelta(days=4)),
        two: (0, 2, 0, NOW),
        three: (1, 0, 1, NOW + timedelta(days=1)),
    }
    assert KeyPointMemory.objects.filter(last_seen=NOW).count() == 3
    seen_before = {m.key_point_id: m.last_seen for m in KeyPointMemory.objects.filter(user=learner)}
    points = Answer.objects.get().before["points"]
    assert points["created"] == [three]
    assert sorted(memory["id"] for memory in points["updated"]) == sorted(
        KeyPointMemory.objects.filter(key_point_id__in=[one, two]).values_list("pk", flat=True)
    )
    services.undo_last_grade(session=PracticeSession.objects.get(pk=session.pk))
    assert _memories(learner) == before
    restored = dict(KeyPointMemory.objects.values_list("key_point_id", "last_seen"))
    assert restored == {one: earlier, two: earlier} and seen_before[one] == NOW


def test_again_with_nothing_ticked_counts_a_miss_for_every_point(practice, learner, monkeypatch):
    session, item = practice
    ways = _ways(monkeypatch)
    assert _grade(session, item, grade=Grade.AGAIN).recorded
    assert ways == ["at once"]
    assert sorted(_memories(learner).values()) == [(0, 1, 0, NOW)] * 3
    assert Answer.objects.get().before["points"] == {
        "created": sorted(item.question.key_point_ids),
        "updated": [],
    }


def test_a_key_point_memory_made_before_the_write_is_counted_on_not_duplicated(
    practice, learner, monkeypatch
):
    session, item = practice
    one = item.question.key_point_ids[0]
    ways = _ways(monkeypatch)
    # Made between the read and the write: the write's statement sees it.
    _after_read(
        monkeypatch,
        lambda: KeyPointMemory.objects.create(
            user=learner, key_point_id=one, hits=5, streak=1, last_seen=NOW, due=NOW
        ),
    )
    assert _grade(session, item, grade=Grade.GOOD, ticked=[one]).recorded
    assert ways == ["at once"]
    assert _memories(learner)[one] == (6, 0, 2, NOW + timedelta(days=2))
    assert KeyPointMemory.objects.count() == 3
    assert Answer.objects.count() == 1


def test_a_key_point_memory_made_while_the_write_waits_sends_it_the_locked_way(
    practice, learner, monkeypatch
):
    """Another request holds the learner's profile while the write's statement starts, and
    makes a memory before it lets go: the statement, whose snapshot predates the memory,
    fails to insert it again, and the locked way counts on it."""
    session, item = practice
    one = item.question.key_point_ids[0]
    ways = _ways(monkeypatch)
    holding, done = threading.Event(), threading.Event()
    failures = []

    def other_request():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(
                    "SELECT 1 FROM accounts_profile WHERE user_id = %s FOR UPDATE", [learner.pk]
                )
                holding.set()
                for _ in range(200):  # until the grade's statement waits for the profile
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.02)
                else:
                    failures.append("the grade never waited for the profile")
                cursor.execute(
                    "INSERT INTO quizzes_keypointmemory "
                    "(user_id, key_point_id, hits, misses, streak, last_seen, due) "
                    "VALUES (%s, %s, 5, 0, 1, %s, %s)",
                    [learner.pk, one, NOW, NOW],
                )
                cursor.execute("COMMIT")
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(repr(error))
            holding.set()
        finally:
            other.close()
            done.set()

    thread = threading.Thread(target=other_request)
    thread.start()
    assert holding.wait(10)
    assert _grade(session, item, grade=Grade.GOOD, ticked=[one]).recorded
    assert done.wait(10) and not failures, failures
    thread.join()
    assert ways == ["at once", "locked"]
    assert _memories(learner)[one] == (6, 0, 2, NOW + timedelta(days=2))
    assert KeyPointMemory.objects.count() == 3
    assert Answer.objects.count() == 1


def test_the_locked_way_counts_the_key_points_once_too(practice, learner, monkeypatch):
    session, item = practice
    one, two, three = item.question.key_point_ids
    card = _card(learner, item, reviews=4)
    ways = _ways(monkeypatch)
    # The card graded in another tab between the read and the write: the locked way.
    _after_read(monkeypatch, lambda: Card.objects.filter(pk=card.pk).update(reviews=9))
    assert _grade(session, item, grade=Grade.HARD, ticked=[two]).recorded
    assert ways == ["at once", "locked"]
    assert _memories(learner) == {
        one: (0, 1, 0, NOW),
        two: (1, 0, 1, NOW + timedelta(days=1)),
        three: (0, 1, 0, NOW),
    }
    assert Answer.objects.get().before["points"] == {
        "created": [one, two, three],
        "updated": [],
    }


def test_a_grade_of_an_abandoned_session_counts_no_key_point(practice, learner, monkeypatch):
    session, item = practice
    _after_read(
        monkeypatch,
        lambda: PracticeSession.objects.filter(pk=session.pk).update(abandoned_at=NOW),
    )
    assert not _grade(session, item, grade=Grade.AGAIN).recorded
    assert not KeyPointMemory.objects.exists() and not Answer.objects.exists()
