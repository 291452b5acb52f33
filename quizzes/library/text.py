"""Search text helpers for the library: excerpts in plain words, and spellings that search alike.

An excerpt is read next to a result's title, where raw Markdown (`**AdamW**`) and TeX
delimiters (`$1/\\sqrt{d_k}$`) only get in the way; the TeX itself stays, without dollars.
"""

import re

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
