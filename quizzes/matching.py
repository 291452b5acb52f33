"""Which key points a typed answer appears to cover: lexical, fast, no model.

A key point (or one of its accepted phrasings) is a phrase of content words. Each of
its words is looked for among the answer's words, after lower-casing, dropping stop
words, British -ise spellings read as -ize, and Snowball stemming; a word matches a
misspelling of itself (rapidfuzz ratio >= FUZZY_RATIO, words of 4+ letters). Numbers
and maths symbols (/ ^ √ = < > + × * %) are kept and match only exactly; a phrase
with a number the stretch lacks is not covered (a wrong number is a wrong answer).

A phrase is covered by a stretch of the answer (one sentence, or two in a row, so a
long answer does not collect a point's words from all over) when the matched share of
its words, by weight, reaches COVER (ALIAS_COVER for an editor's accepted phrasing).
Words the question's prompt already uses weigh half: every answer repeats them.

The weights and thresholds were chosen on the "tune" third of the labelled answers only
(quizzes/data/eval): words several of the question's points share weigh 1/n, prompt words
half, shorthand ("val", "err") and a few synonym groups are read as one word, and a phrase
needs at least two of its words. Measured on the held-out third (`make eval`): precision
0.90, recall 0.57 (F1 0.70), 110 answers over 22 questions; the recall target of 0.70 is not
reached at that precision (lowering COVER trades precision for recall; see README).

Negation rule: a word in a negated clause ("not normalised", "no dropout", "without
bias") is marked negated: the next word after the negator (past "a", "an", "the",
"be"); when that word is a stop word ("not used at test time") nothing is marked.
A negated answer word matches only a negated word of the point, and a plain one only a
plain one; if one of the point's words is found in the answer only with the opposite
polarity, the answer contradicts the point and does not cover it. So "dropout is not
normalised" never covers "dropout is normalised", and covers "not normalised" only when
the point says so.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz

COVER = 0.4
ALIAS_COVER = 0.99
FUZZY_RATIO = 80
NEGATION_REACH = 1
PROMPT_WORD_WEIGHT = 0.5
MIN_WORDS = 2

NEGATORS = frozenset({"not", "no", "never", "without", "neither", "nor", "cannot", "none"})
SYMBOLS = "/^√=<>+×*%"
_STOP_TEXT = """
    a an the and or but if then else of to in on at by for with from into onto over
    under as is are was were be been being am do does did doing done have has had having
    it its it's this that these those there here which who whom whose what when where
    why how i you he she we they me him her us them my your our their his so such than
    too very can could would should may might must will shall also just only about
    because while both each any all some more most much many few other same own one ones
    s t get gets got using use used uses via like e.g eg i.e ie etc way ways thing
    things basically actually really just
"""
STOP_WORDS = frozenset(_STOP_TEXT.split()) - NEGATORS
# The answer's stretches: sentences end at . ! ? ; or a line break.
# A full stop ends a sentence only before a space or the end ("1.5" and "e.g." stay whole).
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
_TOKEN = re.compile(rf"[a-z0-9]+(?:[._'][a-z0-9]+)*|[{re.escape(SYMBOLS)}]|[,:()]")
_CLAUSE_BREAK = {",", ":", "(", ")"}
_PASS_NEGATION = {"a", "an", "the", "be", "been", "being"}
_CONTRACTIONS = [
    (re.compile(r"\bcan't\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
]
# Learners' shorthand, read as the word it stands for.
ABBREVIATIONS = {
    "val": "validation", "err": "error", "fwd": "forward", "rev": "reverse",
    "reg": "regularization", "params": "parameters", "param": "parameter", "grad": "gradient",
    "grads": "gradients", "lr": "learning rate", "prob": "probability", "probs": "probabilities",
    "dist": "distribution", "init": "initialization", "dim": "dimension", "dims": "dimensions",
    "seq": "sequence", "attn": "attention", "emb": "embedding", "approx": "approximately",
    "w": "with", "bn": "batch norm", "ln": "layer norm", "mem": "memory", "vs": "versus",
    "avg": "average", "max": "maximum", "min": "minimum", "num": "number", "info": "information",
}  # fmt: skip
# Words learners use for one another; each is read as the first of its group.
SYNONYMS = [
    "increase rise grow climb go_up higher larger bigger more",
    "decrease drop fall shrink go_down lower smaller less reduce",
    "validation test held_out heldout dev",
    "big large huge",
    "small tiny little",
    "fast quick",
    "slow sluggish",
    "inference test_time evaluation deployment",
    "remove drop_out zero",
    "memorise memorize memorizes memorises",
]
_ISE = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations|er|ers)$")
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Token:
    word: str
    stem: str
    negated: bool

    @property
    def is_number(self) -> bool:
        return self.word[:1].isdigit()

    @property
    def exact_only(self) -> bool:
        return len(self.word) < 4 or not self.word.isalpha()


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    if word.isalpha():
        word = _ISE.sub(r"iz\1", word)
        stem = _stemmer.stemWord(word)
        return _SYNONYM_OF.get(stem, stem)
    return word


def _synonym_table() -> dict[str, str]:
    table = {}
    for group in SYNONYMS:
        words = [_stemmer.stemWord(_ISE.sub(r"iz\1", w)) for w in group.split() if "_" not in w]
        for word in words[1:]:
            table.setdefault(word, words[0])
    return table


_SYNONYM_OF = _synonym_table()


def tokens(text: str) -> list[Token]:
    """Content tokens of `text`, each marked negated or not."""
    text = text.lower().replace("\u2019", "'").replace("−", "-")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    # Hyphens join words ("mixed-precision"), they do not subtract them.
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    result: list[Token] = []
    reach = 0
    raws = []
    for raw in _TOKEN.findall(text):
        raws.extend(ABBREVIATIONS.get(raw, raw).split())
    for raw in raws:
        if raw in _CLAUSE_BREAK:
            reach = 0
            continue
        if raw in NEGATORS:
            reach = NEGATION_REACH
            continue
        if raw in STOP_WORDS:
            # "not used at test time": the negation is spent on "used", a stop word;
            # articles pass it on ("not the bias").
            if raw not in _PASS_NEGATION:
                reach = 0
            continue
        word = raw.strip("'")
        result.append(Token(word, _stem(word), reach > 0))
        reach = max(0, reach - 1)
    return result


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _same(a: Token, b: Token) -> bool:
    if a.stem == b.stem or a.word == b.word:
        return True
    if a.exact_only or b.exact_only:
        return False
    return max(fuzz.ratio(a.stem, b.stem), fuzz.ratio(a.word, b.word)) >= FUZZY_RATIO


def phrase_score(
    phrase: list[Token], stretch: list[Token], prompt_stems=frozenset(), shared=None
) -> float:
    """Share of the phrase's weight found in the stretch with the same polarity; 0 when
    some word of the phrase appears only with the opposite polarity (a contradiction)."""
    if not phrase:
        return 0.0
    total = found = 0.0
    matched = 0
    for word in phrase:
        weight = PROMPT_WORD_WEIGHT if word.stem in prompt_stems else 1.0
        # A word several of the question's points use tells them apart less.
        weight /= (shared or {}).get(word.stem, 1)
        total += weight
        matches = [other for other in stretch if _same(word, other)]
        if any(other.negated == word.negated for other in matches):
            found += weight
            matched += 1
        elif matches or word.is_number:
            # A contradiction, or a wrong number: "84 GB" is not "112 GB" however
            # many other words agree.
            return 0.0
    # One word in common is chance, not cover (unless the phrase is one word).
    if matched < min(MIN_WORDS, len(phrase)):
        return 0.0
    return found / total


@dataclass(frozen=True)
class PointPhrases:
    """A key point's text and accepted phrasings, tokenised once."""

    text: list[Token]
    aliases: tuple[list[Token], ...]


def point_phrases(text: str, aliases=()) -> PointPhrases:
    return PointPhrases(tokens(text), tuple(tokens(alias) for alias in aliases))


def _stretches(answer: str) -> list[list[Token]]:
    parts = [tokens(part) for part in sentences(answer)]
    pairs = [parts[i] + parts[i + 1] for i in range(len(parts) - 1)]
    return [part for part in parts + pairs if part]


def covered(answer: str, points: list[PointPhrases], *, prompt: str = "") -> list[int]:
    """0-based indexes of the points that `answer` covers, in order."""
    stretches = _stretches(answer)
    if not stretches:
        return []
    prompt_stems = frozenset(token.stem for token in tokens(prompt))
    shared: dict[str, int] = {}
    for point in points:
        for stem in {token.stem for token in point.text}:
            shared[stem] = shared.get(stem, 0) + 1
    result = []
    for index, point in enumerate(points):
        candidates = [(point.text, COVER)] + [(alias, ALIAS_COVER) for alias in point.aliases]
        if any(
            phrase and phrase_score(phrase, stretch, prompt_stems, shared) >= needed
            for phrase, needed in candidates
            for stretch in stretches
        ):
            result.append(index)
    return result


def suggest_key_points(answer: str, key_points, *, prompt: str = "") -> list[int]:
    """Ids of the question's KeyPoint rows that `answer` appears to cover."""
    key_points = list(key_points)
    phrases = [point_phrases(point.text, point.alias_list) for point in key_points]
    return [key_points[index].pk for index in covered(answer, phrases, prompt=prompt)]
