"""Question text in running prose (a report's rows, the dashboard's lists): Markdown as
plain words, with its formulas typeset by KaTeX in the page (quizzes.library.text)."""

from django import template

from quizzes.library.text import inline_html

register = template.Library()


@register.filter
def inline_maths(markdown: str, limit: int | None = None):
    """`{{ prompt|inline_maths:120 }}`: cut to about 120 characters, never inside a formula."""
    return inline_html(markdown or "", limit=limit)
