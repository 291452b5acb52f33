"""Reading a calculation's typed number, and the tolerance check at its edges."""

import pytest

from quizzes.numbers import BAD_NUMBER, NumberError, parse_number, within_tolerance


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("112", "GB", 112),
        ("7B", "", 7e9),
        ("7b", "", 7e9),
        ("1.5k", "", 1500),
        ("3M", "", 3e6),
        ("2T", "", 2e12),
        ("1.2e9", "", 1.2e9),
        ("1.12x10^11", "", 1.12e11),
        ("1.12 × 10^11", "", 1.12e11),
        ("112,000", "", 112_000),
        ("1,200,000.5", "", 1_200_000.5),
        ("3/4", "", 0.75),
        ("75%", "", 0.75),
        ("16 GB", "GB", 16),
        ("16GB", "GB", 16),
        ("16 gb", "GB", 16),
        ("112000 MB", "GB", 112),
        ("0.112 TB", "GB", 112),
        ("1 GiB", "GB", 1.073741824),
        ("-2.5", "", -2.5),
        ("  42  ", "", 42),
    ],
)
def test_numbers_learners_type_are_read(typed, unit, value):
    assert parse_number(typed, unit) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "typed", ["", "abc", "about 7", "7 bananas", "1/0", "1e", "12..5", "GB", "1e999", "7BB"]
)
def test_bad_input_gets_a_message(typed):
    with pytest.raises(NumberError) as raised:
        parse_number(typed, "GB")
    assert BAD_NUMBER in str(raised.value)


def test_a_count_suffix_is_not_a_byte_unit_conversion():
    # For a question in GB a unit other than bytes is refused, not guessed at.
    with pytest.raises(NumberError, match="'kg' is not a unit this question takes in GB"):
        parse_number("5 kg", "GB")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(106.4, True), (117.6, True), (106.39, False), (117.61, False), (112, True), (56, False)],
)
def test_tolerance_is_inclusive_at_the_boundary(value, accepted):
    assert within_tolerance(value, expected=112, tolerance=0.05) is accepted


def test_tolerance_works_for_negative_and_tiny_references():
    assert within_tolerance(-0.95, expected=-1, tolerance=0.05)
    assert not within_tolerance(-0.94, expected=-1, tolerance=0.05)
    assert within_tolerance(1.05e-9, expected=1e-9, tolerance=0.05)
