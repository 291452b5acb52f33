"""Calculation answers typed with their unit, a currency sign or a scale, and how numbers show."""

import pytest

from quizzes.numbers import BAD_NUMBER, NumberError, format_number, parse_number


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("133 tokens/s", "tokens/s", 133),
        ("133 tokens / sec", "tokens/s", 133),
        ("58982 GPU-hours", "GPU-hours", 58982),
        ("58,982 GPU hours", "GPU-hours", 58982),
        ("0.72 bits/byte", "bits/byte", 0.72),
        ("8B parameters", "parameters", 8e9),
        ("8B params", "parameters", 8e9),
        ("8 billion parameters", "parameters", 8e9),
        ("8B", "parameters", 8e9),
        ("1.9 TFLOPs", "TFLOP", 1.9),
        ("1.9T", "TFLOP", 1.9),
        ("1900 GFLOP", "TFLOP", 1.9),
        ("1.9e12 FLOPs", "TFLOP", 1.9),
        ("$0.86", "USD", 0.86),
        ("0.86 USD", "USD", 0.86),
        ("0.86 dollars", "USD", 0.86),
        ("$0.86", "", 0.86),
        ("-$2", "", -2),
        ("12 step", "steps", 12),
        ("12 optimizer steps", "steps", 12),
        ("1.5 nats", "nats", 1.5),
        ("0.5 s", "ms", 500),
        ("7G", "GB", 7),
        ("1.9G", "", 1.9e9),
        ("0.5 ratio", "", 0.5),
        ("7 bananas", "", 7),
        ("8B parameters", "", 8e9),
    ],
)
def test_a_unit_scale_or_currency_next_to_the_number_is_read(typed, unit, value):
    assert parse_number(typed, unit) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("garbage", "tokens/s"),
        ("12 34", "steps"),
        ("", "steps"),
        ("12 34", ""),
        ("garbage", ""),
        ("about 7", "steps"),
    ],
)
def test_garbage_is_still_refused_with_the_same_message(typed, unit):
    with pytest.raises(NumberError) as raised:
        parse_number(typed, unit)
    assert str(raised.value) == BAD_NUMBER


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("5 kg", "GB"),
        ("133 tokens", "tokens/s"),
        ("$5", "GB"),
        ("8 B parameters", "parameters"),
        ("7BB", ""),
    ],
)
def test_another_unit_is_refused_not_guessed_at(typed, unit):
    with pytest.raises(NumberError, match="is not a unit this question takes"):
        parse_number(typed, unit)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (112, "112"),
        (0.75, "0.75"),
        (58982, "58,982"),
        (1_234_567, "1,234,570"),
        (117_000_000, "117,000,000"),
        (1.916e9, "1.916 billion"),
        (8e9, "8 billion"),
        (1.12e11, "112 billion"),
        (2.5e12, "2.5 trillion"),
        (-3e9, "-3 billion"),
        (1.2e18, "1.2e+18"),
        (1.5e-5, "1.5e-05"),
    ],
)
def test_big_numbers_show_in_plain_words(value, shown):
    assert format_number(value) == shown
