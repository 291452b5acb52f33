"""The key point matcher on fixed examples: aliases, misspellings, negation, numbers."""

import pytest

from quizzes.matching import covered, point_phrases, suggest_key_points, tokens
from quizzes.tests.factories import QuestionFactory

DROPOUT = [
    point_phrases("Dropout is disabled at test time", ["off at inference"]),
    point_phrases(
        "Scale activations by 1/(1-p) during training",
        ["inverted dropout", "divide by keep probability"],
    ),
]
PROMPT = "What does dropout do during training and at test time?"


def _covers(answer, points=DROPOUT):
    return covered(answer, points, prompt=PROMPT)


def test_a_full_answer_covers_both_points():
    answer = "At test time dropout is disabled. During training activations are scaled by 1/(1-p)."
    assert _covers(answer) == [0, 1]


def test_an_editor_alias_covers_a_point_in_other_words():
    assert _covers("We use inverted dropout.") == [1]
    assert _covers("Dropout is switched off at inference.") == [0]


def test_an_alias_needs_all_of_its_words():
    # "inverted" alone is not the alias "inverted dropout" (nor the point).
    assert _covers("The image is inverted.") == []


def test_misspellings_still_match():
    assert _covers("dropuot is disabeld at tset time") == [0]


def test_a_wrong_answer_covers_nothing():
    assert _covers("Dropout adds Gaussian noise to the weights of every layer.") == []


def test_words_scattered_across_a_long_answer_do_not_add_up():
    # Every word of the first point is here, but never two in sentences next to each other.
    answer = (
        "Time is money. It was popular in 2014. Dropout is a regulariser. Papers were written. "
        "Test everything. Training takes longer. Disabled people deserve accessible sites."
    )
    assert 0 not in _covers(answer)
    assert 0 in _covers(answer.replace("Papers were written.", "It is disabled at test time."))


def test_one_word_in_common_is_not_cover():
    assert _covers("Dropout.") == []


def test_a_negated_word_does_not_cover_the_plain_point():
    assert _covers("Dropout is not disabled at test time.") == []
    # Saying the same thing with a negated stop word is no contradiction.
    assert _covers("Dropout is not used at test time, it is disabled.") == [0]


def test_a_negated_point_is_covered_only_by_a_negated_answer():
    points = [point_phrases("Batch norm statistics are not updated at inference")]
    assert covered("At inference the batch norm statistics are not updated.", points) == [0]
    assert covered("At inference the batch norm statistics are updated.", points) == []
    assert covered("At inference we don't update the batch norm statistics.", points) == [0]


def test_negation_ends_at_a_comma():
    # "not" reaches the next content word only, and never past a comma.
    assert tokens("not fast, normalised")[-1].negated is False
    assert [t.negated for t in tokens("not used at test time")] == [False, False]
    assert [t.negated for t in tokens("not the bias")] == [True]
    assert tokens("not normalised")[0].negated is True


def test_numbers_and_symbols_must_match_exactly():
    points = [point_phrases("7e9 x 16 bytes = 112 GB")]
    assert covered("7e9 x 16 bytes = 112 GB", points) == [0]
    assert covered("7e9 x 12 bytes = 84 GB", points) == []


def test_british_and_american_spellings_are_one_word():
    points = [point_phrases("Normalise each feature")]
    assert covered("you normalize every feature", points) == [0]


def test_suggest_key_points_returns_the_rows_ids(db):
    question = QuestionFactory(
        key_points=["Dropout is disabled at test time", "Weights are shared across positions"]
    )
    first, second = question.key_points.all()
    second.aliases = "weight sharing\nsame kernel everywhere"
    second.save()
    ids = suggest_key_points("Weight sharing, and no dropout at test time.", [first, second])
    assert ids == [second.pk]
    ids = suggest_key_points("Dropout is disabled at test time", [first, second])
    assert ids == [first.pk]


@pytest.mark.parametrize("answer", ["", "   ", "?!", "the of and"])
def test_empty_or_stop_word_answers_cover_nothing(answer):
    assert _covers(answer) == []
