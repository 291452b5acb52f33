"""Reading the number a learner typed for a calculation question, and checking it.

Accepted (docs/question-format.md): 112, 1.12e11, 1.12x10^11, 112,000, 3/4, 75%,
a count suffix K/M/B/T (7B = 7e9), and the question's unit ("112 GB"). A byte unit
other than the question's is converted when both are byte units ("112000 MB" for GB).
"""

import math
import re
from dataclasses import dataclass

BAD_NUMBER = "Type a number, such as 112 or 1.2e9."

COUNT_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
BYTE_UNITS = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "pb": 1e15,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "pib": 2**50,
}
# Relative slack so that a value exactly at the tolerance's edge (106.4 for 112 ± 5%)
# is not refused by binary rounding.
EDGE = 1e-9

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_SCIENTIFIC = re.compile(
    rf"^(?P<mantissa>{_NUMBER})\s*(?:[eE](?P<exp>[-+]?\d+)|[x×*]\s*10\s*(?:\^|\*\*)\s*(?P<pow>[-+]?\d+))?$"
)
_FRACTION = re.compile(rf"^(?P<top>{_NUMBER})\s*/\s*(?P<bottom>{_NUMBER})$")
# Thousands separators: groups of three after the first, "112,000" or "1,200,000.5".
_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class NumberError(ValueError):
    """The text is not a number this checker reads; str() is the learner's message."""


def _plain(text: str) -> float:
    text = text.strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    match = _SCIENTIFIC.match(text)
    if match:
        exponent = match["exp"] or match["pow"]
        # Through the decimal text, so 1.12x10^11 is exactly 1.12e11.
        return float(f"{match['mantissa']}e{int(exponent)}" if exponent else match["mantissa"])
    match = _FRACTION.match(text)
    if match:
        bottom = float(match["bottom"])
        if bottom == 0:
            raise NumberError("That fraction divides by zero. " + BAD_NUMBER)
        return float(match["top"]) / bottom
    raise NumberError(BAD_NUMBER)


def _unit_factor(unit: str) -> float | None:
    return BYTE_UNITS.get(unit.strip().lower())


def parse_number(text: str, unit: str = "") -> float:
    """The value of `text` in the question's `unit`; NumberError with a message if unread."""
    text = text.strip().replace("\u2212", "-").replace("_", "")
    if not text:
        raise NumberError(BAD_NUMBER)
    if len(text) > 100:
        raise NumberError(BAD_NUMBER)
    value_text, factor = text, 1.0
    if value_text.endswith("%"):
        value_text, factor = value_text[:-1], 0.01
    else:
        match = re.match(r"^(?P<value>.*?[\d.])\s*(?P<unit>[A-Za-z]+)$", value_text)
        if match:
            value_text, suffix = match["value"], match["unit"]
            factor = _suffix_factor(suffix, unit)
    value = _plain(value_text) * factor
    if not math.isfinite(value):
        raise NumberError(BAD_NUMBER)
    return value


def _suffix_factor(suffix: str, unit: str) -> float:
    if unit and suffix.lower() == unit.strip().lower():
        return 1.0
    typed, wanted = _unit_factor(suffix), _unit_factor(unit) if unit else None
    if typed is not None and wanted is not None:
        return typed / wanted
    if suffix.lower() in COUNT_SUFFIXES and len(suffix) == 1:
        return COUNT_SUFFIXES[suffix.lower()]
    expected = f" in {unit}" if unit else ""
    raise NumberError(f"{suffix!r} is not a unit this question takes{expected}. {BAD_NUMBER}")


def within_tolerance(value: float, *, expected: float, tolerance: float) -> bool:
    """|value - expected| <= tolerance × |expected|, with room for binary rounding."""
    allowed = tolerance * abs(expected)
    return abs(value - expected) <= allowed + EDGE * max(abs(expected), 1e-300)


def format_number(value: float) -> str:
    """Short and exact enough to compare: 112, 0.75, 1.12e+11."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e7:
        return f"{value:,.6g}" if abs(value) >= 1e4 else f"{value:.6g}"
    return f"{value:.4g}"


@dataclass(frozen=True)
class NumberCheck:
    """A calculation's typed number against the reference (all empty when not applicable)."""

    correct: bool | None = None
    value: float | None = None
    # The parser's message when something was typed that is not a number.
    error: str = ""


def check_number(question, typed: str) -> NumberCheck:
    """Parse what was typed for a calculation `question` and check it against `expected`.

    Read it through SessionItem.number_check, which parses once per item and request.
    """
    if not question.is_calculation or not typed.strip():
        return NumberCheck()
    try:
        value = parse_number(typed, question.unit)
    except NumberError as exc:
        return NumberCheck(error=str(exc))
    if question.expected is None:
        return NumberCheck(value=value)
    correct = within_tolerance(value, expected=question.expected, tolerance=question.tolerance or 0)
    return NumberCheck(correct=correct, value=value)
