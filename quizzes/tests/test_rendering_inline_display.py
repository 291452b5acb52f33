"""`$$…$$` in the middle of a sentence renders as display maths, without stray dollars."""

from quizzes.rendering import render_markdown


def test_double_dollars_inside_a_sentence_are_display_maths():
    html = render_markdown("The scale is $$\\frac{1}{\\sqrt{d}} < 1$$ in a sentence, and $x$ too.")
    assert "$" not in html
    assert '<span class="math block">\\frac{1}{\\sqrt{d}} &lt; 1</span>' in html
    assert '<span class="math inline">x</span>' in html
    assert html.startswith("<p>") and html.count("<p>") == 1, "stays one paragraph"


def test_a_display_block_on_its_own_lines_is_unchanged():
    assert render_markdown("$$\na+b\n$$").strip() == '<div class="math block">\na+b\n</div>'
