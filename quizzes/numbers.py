"""Reading the number a learner typed for a calculation question, and checking it.

Accepted (docs/question-format.md): 112, 1.12e11, 1.12x10^11, 112,000, 3/4, 75%, $0.86,
a scale next to the number (7B, 1.9T, 1.5k: K/M/G/B/T, or a word: 7 billion), and a unit
after it: the question's own in any case, singular or plural ("133 tokens/s", "12 step",
"8B parameters", "1.9 TFLOPs"), or one converted to it when both are bytes, FLOP or time
("112000 MB" for GB). A question without a unit takes any label after a space ("0.5 ratio").
"""

import math
import re
from dataclasses import dataclass

BAD_NUMBER = "Type a number, such as 112 or 1.2e9."

# A scale counts only right next to the number ("8B", "1.9T"): "8 B" may mean bytes.
SCALE_LETTERS = {"k": 1e3, "m": 1e6, "g": 1e9, "b": 1e9, "t": 1e12}
SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SI = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15, "e": 1e18}
BYTE_UNITS = {
    "b": 1,
    "byte": 1,
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
FLOP_UNITS = {f"{prefix}flop": factor for prefix, factor in _SI.items()}
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "second": 1}
FAMILIES = (BYTE_UNITS, FLOP_UNITS, TIME_UNITS)
# Words learners shorten; compared after the plural "s" is dropped.
ALIASES = {
    "param": "parameter",
    "tok": "token",
    "seq": "sequence",
    "px": "pixel",
    "hr": "hour",
    "sec": "s",
    "second": "s",
}
CURRENCIES = {"$": "usd", "€": "eur", "£": "gbp"}
CURRENCY_NAMES = {"usd": {"usd", "$", "dollar"}, "eur": {"eur", "€", "euro"}, "gbp": {"gbp", "£"}}
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
# The number, then text without digits (its unit): "1.12x10^11 GB", "133 tokens/s".
_WITH_UNIT = re.compile(r"^(?P<value>.*[\d.])(?P<rest>\D*)$")
_CURRENCY = re.compile(r"^(?P<sign>[-+]?)\s*(?P<currency>[$€£])\s*")
_LABEL = re.compile(r"[^\W\d_][\w /.\-]{0,39}")


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


def _words(unit: str) -> str:
    """A unit compared loosely: any case, singular, "GPU-hours" as "gpu hour", "tokens / s"."""
    text = re.sub(r"\s*/\s*", "/", unit.strip().lower().replace("-", " "))
    parts = re.split(r"([ /])", re.sub(r"\s+", " ", text))
    singular = [
        p[:-1] if len(p) > 3 and p.endswith("s") and not p.endswith("ss") else p for p in parts
    ]
    return "".join(ALIASES.get(p, p) for p in singular)


def _unit_factor(text: str, unit: str) -> float | None:
    """Multiplier from `text` to the question's `unit`, or None if `text` is not that unit."""
    typed, wanted = _words(text), _words(unit)
    if not typed or not wanted:
        return None
    if typed == wanted:
        return 1.0
    for family in FAMILIES:
        if typed in family and wanted in family:
            return family[typed] / family[wanted]
    for names in CURRENCY_NAMES.values():
        if typed in names and wanted in names:
            return 1.0
    # Words before the unit describe it: "12 optimizer steps", "8B trainable parameters".
    before, _, last = typed.rpartition(" ")
    if last == wanted and all(len(w) > 1 and w not in SCALE_WORDS for w in before.split()):
        return 1.0
    return None


def _trailing_factor(rest: str, unit: str) -> float:
    """What the text after the number multiplies it by: a unit, a scale, or both."""
    text = rest.strip()
    if not text:
        return 1.0
    factor = _unit_factor(text, unit)
    if factor is not None:
        return factor
    attached = not rest[0].isspace()
    scale = (
        re.match(r"^(?P<scale>[kmgbt])(?![a-z])\s*(?P<after>.*)$", text, re.I) if attached else None
    )
    scale = scale or re.match(
        rf"^(?P<scale>{'|'.join(SCALE_WORDS)})\b\s*(?P<after>.*)$", text, re.I
    )
    if scale:
        letter, after = scale["scale"].lower(), scale["after"]
        # Next to a byte or FLOP question, the letter is the unit's prefix: 1.9T is 1.9 TFLOP.
        base = next((b for b in ("flop", "b") if _words(unit).endswith(b)), None)
        if not after and base and len(letter) == 1 and letter != "b":
            prefixed = _unit_factor(letter + base, unit)
            if prefixed is not None:
                return prefixed
        multiplier = SCALE_WORDS.get(letter) or SCALE_LETTERS[letter]
        if not after:
            return multiplier
        factor = _unit_factor(after, unit)
        if factor is not None:
            return multiplier * factor
        if not unit and _LABEL.fullmatch(after):
            return multiplier
    if not unit and not attached and _LABEL.fullmatch(text):
        return 1.0
    expected = f" in {unit}" if unit else ""
    raise NumberError(f"{text!r} is not a unit this question takes{expected}. {BAD_NUMBER}")


def parse_number(text: str, unit: str = "") -> float:
    """The value of `text` in the question's `unit`; NumberError with a message if unread."""
    text = text.strip().replace("\u2212", "-").replace("_", "")
    if not text or len(text) > 100:
        raise NumberError(BAD_NUMBER)
    currency = _CURRENCY.match(text)
    if currency:
        code = CURRENCIES[currency["currency"]]
        if unit and _words(unit) not in CURRENCY_NAMES[code]:
            sign = currency["currency"]
            raise NumberError(f"{sign!r} is not a unit this question takes in {unit}. {BAD_NUMBER}")
        text = currency["sign"] + text[currency.end() :]
    if text.endswith("%"):
        value_text, factor = text[:-1], 0.01
    else:
        match = _WITH_UNIT.match(text)
        if not match:
            raise NumberError(BAD_NUMBER)
        value_text, factor = match["value"], _trailing_factor(match["rest"], unit)
    value = _plain(value_text) * factor
    if not math.isfinite(value):
        raise NumberError(BAD_NUMBER)
    return value


def within_tolerance(value: float, *, expected: float, tolerance: float) -> bool:
    """|value - expected| <= tolerance × |expected|, with room for binary rounding."""
    allowed = tolerance * abs(expected)
    return abs(value - expected) <= allowed + EDGE * max(abs(expected), 1e-300)


def format_number(value: float) -> str:
    """Plain enough to compare at a glance: 112, 0.75, 58,982, 117,000,000, 1.916 billion."""
    if value == 0:
        return "0"
    size = abs(value)
    if size < 1e-3 or size >= 1e15:
        return f"{value:.4g}"
    if size >= 1e9:
        word, scale = ("trillion", 1e12) if size >= 1e12 else ("billion", 1e9)
        return f"{value / scale:.4g} {word}"
    if size >= 1e4:
        # Six significant figures, then the digits grouped: 1,234,570.
        return f"{float(f'{value:.6g}'):,.0f}" if size >= 1e6 else f"{value:,.6g}"
    return f"{value:.6g}"


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
