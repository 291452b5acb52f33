"""On PostgreSQL the grade locks the learner's profile and card in one statement
(quizzes.grade_sql.lock): both rows must really be locked until the grade commits, or two
grades of the same question could both read the card and one review would be lost."""

import psycopg
import pytest
from django.db import connection, transaction

from accounts.models import Profile
from quizzes import grade_sql
from quizzes.models import Card
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _locked_elsewhere(sql: str, pk) -> bool:
    """Whether another connection finds the row locked (NOWAIT fails at once)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        password=settings["PASSWORD"], dbname=settings["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        try:
            other.execute(sql + " NOWAIT", [pk])
        except psycopg.errors.LockNotAvailable:
            return True
    return False


def test_the_profile_and_the_card_stay_locked_until_the_grade_commits(learner):
    profile = Profile.objects.create(user=learner)
    question = QuestionFactory()
    card = Card.objects.create(user=learner, question=question, state=2, due=question.created_at)
    card_lock = f"SELECT 1 FROM {Card._meta.db_table} WHERE id = %s FOR UPDATE"
    profile_lock = f"SELECT 1 FROM {Profile._meta.db_table} WHERE id = %s FOR UPDATE"
    with transaction.atomic():
        locked_profile, locked_card = grade_sql.lock(user_id=learner.pk, question_id=question.pk)
        assert (locked_profile.pk, locked_card.pk) == (profile.pk, card.pk)
        assert _locked_elsewhere(card_lock, card.pk)
        assert _locked_elsewhere(profile_lock, profile.pk)
    assert not _locked_elsewhere(card_lock, card.pk)


def test_a_learner_without_a_profile_or_card_gets_none_for_each(learner):
    question = QuestionFactory()
    with transaction.atomic():
        assert grade_sql.lock(user_id=learner.pk, question_id=question.pk) == (None, None)
