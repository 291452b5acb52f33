"""The practice card's and the library's forms render their inputs in Python exactly as
Django's templates do."""

import pytest
from django.forms.renderers import DjangoTemplates

from quizzes.form_rendering import DirectFormRenderer
from quizzes.forms import GradeForm, RevealForm
from quizzes.library.forms import LibraryFilterForm
from quizzes.models import Kind, Question


def _pieces(form) -> list[str]:
    pieces = []
    for field in form:
        pieces += [str(field), str(field.errors)]
        if field.name == "confidence":
            pieces += [str(radio) for radio in field]
    return pieces


def _both(make):
    template, direct = make(), make()
    template.renderer, direct.renderer = DjangoTemplates(), DirectFormRenderer()
    return _pieces(template), _pieces(direct)


FACETS = {
    "topics": [("optim", "Optimisation & <training>"), ("attention", "Attention")],
    "tags": ["a&b", 'quote"d', "plain"],
}
CALCULATION = Question(kind=Kind.CALCULATION, unit="GB", expected=1, tolerance=0.1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RevealForm(initial={"position": 3, "confidence": "guessing"}),
        lambda: RevealForm(initial={"position": 0}, calculation=CALCULATION),
        lambda: RevealForm({"position": "1", "typed_answer": 'a <b> & "c"\nd', "confidence": "x"}),
        lambda: RevealForm({"position": "x", "typed_answer": "9" * 5001}, calculation=CALCULATION),
        lambda: GradeForm(initial={"position": 4}, question=None),
        lambda: GradeForm({"position": "-1", "grade": "9"}, question=None),
        lambda: LibraryFilterForm(
            {"q": 'adam "<b>', "topic": "optim", "tag": "a&b", "mine": "due"},
            facets=FACETS,
            personal=True,
        ),
        lambda: LibraryFilterForm({"difficulty": "nope"}, facets=FACETS, personal=False),
        lambda: LibraryFilterForm(facets={"topics": [], "tags": []}, personal=True),
    ],
    ids=[
        "reveal",
        "calculation",
        "bound",
        "errors",
        "grade",
        "grade-errors",
        "library",
        "library-errors",
        "library-empty",
    ],
)
def test_the_direct_renderer_writes_what_the_templates_write(make):
    form = make()
    if form.is_bound:
        form.is_valid()
    template, direct = _both(make)
    assert direct == template
    assert any("<input" in piece or "<select" in piece for piece in direct)


def test_the_fixed_inputs_are_rendered_once_per_value():
    from quizzes import form_rendering

    def make():
        return RevealForm(initial={"position": 7, "confidence": "unsure"})

    first = _pieces(make())
    hits = form_rendering._fixed_confidence_option.cache_info().hits
    again = _pieces(make())
    assert form_rendering._fixed_confidence_option.cache_info().hits == hits + 3
    assert again == first
    template, _ = _both(make)
    assert again == template
    # Another value is another entry: the radio checked follows the form.
    other = _pieces(RevealForm(initial={"position": 7, "confidence": "sure"}))
    assert other != first and 'value="sure" id="id_confidence_0" checked' in "".join(other)


def test_what_a_post_sent_is_not_kept():
    from quizzes import form_rendering

    caches = (
        form_rendering._fixed_input,
        form_rendering._fixed_textarea,
        form_rendering._fixed_confidence_option,
    )
    for cache in caches:
        cache.cache_clear()
    for junk in ("1" * 500, "x" * 41, "7 <b>"):
        form = RevealForm({"position": junk, "typed_answer": junk, "confidence": junk})
        form.is_valid()
        _pieces(form)
        template, direct = _both(lambda junk=junk: RevealForm({"position": junk}))
        assert direct == template
    # Kept: the short position ("7 <b>", escaped when written), the empty answer box of the
    # forms without an answer, and the three radios, none checked, with and without the
    # error of a confidence that is no choice. Not kept: the long positions, and the
    # answer box with text in it.
    assert [cache.cache_info().currsize for cache in caches] == [1, 1, 6]
