"""Fitting a learner's FSRS parameters to their own reviews: the optimiser, its minimum, the
automatic refit's wait, the parameters' bounds, and the cards' memory replayed after a fit."""

from datetime import UTC

import fsrs_rs_python as fsrs_rs
import pytest
from fsrs import Scheduler

from accounts.models import Profile
from planner import optimiser, services
from planner.models import ParameterFit
from planner.tests.factories import make_card, make_history
from planner.tests.helpers import NOW, grade_all
from quizzes import scheduling
from quizzes import services as practice
from quizzes.models import Answer, Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory


@pytest.mark.django_db
def test_the_optimiser_fits_a_learners_own_reviews(learner):
    reviews = make_history(learner)
    assert reviews >= optimiser.MIN_REVIEWS

    fit = services.optimise(user=learner, now=NOW)

    assert fit.reviews == reviews and fit.adopted
    assert fit.parameters != list(scheduling.DEFAULT_PARAMETERS)
    # The fit predicts this learner better than the defaults, on both measures.
    assert fit.log_loss_fitted < fit.log_loss_default
    assert fit.rmse_fitted < fit.rmse_default
    assert fit.improvement_percent > 0
    profile = Profile.objects.get(user=learner)
    assert profile.fsrs_parameters == fit.parameters
    # They load in the `fsrs` scheduler that every grade uses.
    assert Scheduler(parameters=profile.fsrs_parameters).parameters == tuple(fit.parameters)
    # The true-retention table counts every review after a gap of a day or more.
    spaced = sum(row["reviews"] for row in fit.retention_table)
    assert spaced == reviews - 80  # all but each question's first answer
    assert all(
        0 <= row["observed"] <= 1 and 0 < row["predicted"] <= 1 for row in fit.retention_table
    )


@pytest.mark.django_db
def test_below_the_minimum_the_defaults_stay(learner, profile):
    QuestionFactory.create_batch(5)
    grade_all(practice.start_session(user=learner, mode=Mode.RANDOM, size=5), Grade.GOOD, NOW)

    assert services.optimise(user=learner, now=NOW) is None
    assert Profile.objects.get(user=learner).fsrs_parameters is None
    assert not ParameterFit.objects.exists()


@pytest.mark.django_db
def test_an_automatic_refit_waits_for_enough_new_reviews(learner):
    make_history(learner)
    assert services.optimise(user=learner, now=NOW, force=False) is not None
    # No new reviews since: the automatic re-fit does nothing, the button still fits.
    assert services.optimise(user=learner, now=NOW, force=False) is None
    assert services.optimise(user=learner, now=NOW, force=True) is not None


def test_parameters_out_of_the_fsrs_bounds_are_clipped_and_the_wrong_length_refused():
    too_high = list(scheduling.DEFAULT_PARAMETERS)
    too_high[0] = 500.0
    assert scheduling.fsrs_parameters(too_high)[0] == 100.0
    with pytest.raises(ValueError):
        scheduling.fsrs_parameters([0.1] * 19)


@pytest.mark.django_db
def test_a_fit_replays_the_cards_memory_with_the_new_parameters(learner):
    make_history(learner)
    answered = Answer.objects.filter(user=learner).order_by("answered_at").first().question
    card = make_card(learner, answered, stability=1234.0, difficulty=9.9)
    due = card.due

    fit = services.optimise(user=learner, now=NOW)

    card.refresh_from_db()
    history = optimiser.learner_histories(learner, UTC)[answered.pk]
    expected = optimiser.memory_states({answered.pk: history}, fit.parameters)[answered.pk]
    assert (card.stability, card.difficulty) == pytest.approx(expected)
    assert card.stability != 1234.0 and card.due == due


def test_items_skip_prefixes_with_no_gap_of_a_day():
    # A question answered again on its first day, or again on the day it was failed: fsrs-rs
    # refuses (or cannot score) an item whose last review has no gap; those are left out.
    items = optimiser.items_from(
        [[(3, 0), (1, 0), (3, 2), (4, 5)], [(3, 0), (3, 1), (1, 0)], [(3, 0), (2, 0)]]
    )
    assert len(items) == 3
    fsrs_rs.FSRS(list(scheduling.DEFAULT_PARAMETERS)).evaluate(items)


@pytest.mark.django_db
def test_a_question_repeated_on_its_first_day_does_not_stop_the_fit(learner):
    reviews = make_history(learner)
    first = Answer.objects.filter(user=learner).order_by("answered_at").first()
    Answer.objects.create(
        user=learner,
        session=PracticeSession.objects.create(user=learner, mode=Mode.RANDOM, size=1),
        question=first.question,
        grade=Grade.AGAIN,
        answered_at=first.answered_at.replace(second=30),
    )

    fit = services.optimise(user=learner, now=NOW)

    assert fit is not None and fit.reviews == reviews + 1
