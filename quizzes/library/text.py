"""Search text helpers for the library: excerpts in plain words, and spellings that search alike.

An excerpt is read next to a result's title, where raw Markdown (`**AdamW**`) only gets in
the way: plain_text keeps the words (a formula's TeX without its dollars), and inline_html
keeps each whole formula for KaTeX to typeset in the page, as on the question's own page.
"""

import re
from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_FENCE = re.compile(r"^\s*(```|~~~)[^\n]*$", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LINE_MARKERS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(.+?)\1", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(?!\s)([^$\n]+?)(?<!\s)\$", re.DOTALL)
_LEFTOVERS = re.compile(r"\*\*|__|`+|\$+")
_SPACE = re.compile(r"\s+")

# -ize/-ise (and -yze/-yse) words and their forms: normalization, normalise, analyzed.
_IZE = re.compile(r"(?<=[^\W\d_]{3})([iy])([sz])(e|es|ed|er|ers|ing|ation|ations)?$")


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees: no emphasis marks, backticks, link syntax,
    heading or list markers, fences or maths dollars; whitespace collapsed."""
    text = _FENCE.sub(" ", markdown)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _LINE_MARKERS.sub("", text)
    text = _MATH.sub(lambda m: m.group(1) or m.group(2), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\1", text)
    # An excerpt can cut a pair in two: a lone ** or $ at either end goes as well.
    text = _LEFTOVERS.sub("", text)
    return _SPACE.sub(" ", text).strip()


# Private-use characters mark the words searched (queries.excerpt_html) until the excerpt is
# escaped; they are not kept inside a formula.
MARK_START, MARK_STOP = "\ue000", "\ue001"

# A formula stands in the text as one private-use character while the words around it are
# cleaned, cut and searched: nothing there can split it or match inside it.
_FIRST_FORMULA = 0xF0000
_FORMULA = re.compile("[\U000f0000-\U000fffff]")


def inline_html(
    markdown: str, *, limit: int | None = None, cut: Callable[[str], str] | None = None
) -> SafeString:
    """Markdown as plain_text's words, escaped, with each whole formula as a
    `<span class="math inline">` that static/js/app.js typesets (its TeX shows without
    JavaScript). `limit`: cut to about that many characters, never inside a formula.
    `cut`: what to keep of the plain text (an excerpt around the words searched)."""
    formulas: list[str] = []

    def keep(match: re.Match) -> str:
        formulas.append(match.group(1) or match.group(2))
        return chr(_FIRST_FORMULA + len(formulas) - 1)

    # The text's own private-use characters, if any, would pass for formulas.
    text = plain_text(_MATH.sub(keep, _FORMULA.sub("", markdown)))
    if cut is not None:
        text = cut(text)
    if limit is not None and _length(text, formulas) > limit:
        text = _shortened(text, formulas, limit)

    def formula(match: re.Match) -> str:
        tex = formulas[ord(match.group(0)) - _FIRST_FORMULA]
        return f'<span class="math inline">{escape(_MARKS.sub("", tex))}</span>'

    return mark_safe(_FORMULA.sub(formula, escape(text)))  # escaped, then our spans


_MARKS = re.compile(f"[{MARK_START}{MARK_STOP}]")


def _length(text: str, formulas: list[str]) -> int:
    return len(_FORMULA.sub(lambda m: formulas[ord(m.group(0)) - _FIRST_FORMULA], text))


def _shortened(text: str, formulas: list[str], limit: int) -> str:
    kept, length = [], 0
    for piece in filter(None, re.split(f"({_FORMULA.pattern})", text)):
        size = _length(piece, formulas)
        if length + size > limit:
            if not _FORMULA.fullmatch(piece):
                words = piece[: limit - length].rsplit(" ", 1)
                kept.append(words[0] if len(words) > 1 else piece[: limit - length])
            elif not kept:
                kept.append(piece)  # a name that opens with a long formula keeps it
            break
        kept.append(piece)
        length += size
    return "".join(kept).rstrip() + "…"


def spellings(term: str) -> list[str]:
    """`term` and its other spelling, British or American: normalisation, normalization."""
    other = _IZE.sub(lambda m: m[1] + ("z" if m[2] == "s" else "s") + (m[3] or ""), term)
    return [term] if other == term else [term, other]


def search_forms(term: str) -> list[str]:
    """What a search for `term` looks for: the word, and for an -ise/-ize word both stems, so
    "normalize" finds normalisation and "batch normalization" finds "batch normalisation"."""
    match = _IZE.search(term)
    if not match:
        return [term]
    stem = term[: match.start(2)]
    return [term, f"{stem}s", f"{stem}z"]
