import functools

from django import forms

from quizzes.library.queries import facets
from quizzes.models import Confidence, Difficulty, Grade, Mode, Report, Topic

SIZES = [(5, "5"), (10, "10"), (20, "20")]
TIMERS = [
    ("", "Off"),
    (60, "1 minute"),
    (120, "2 minutes"),
    (180, "3 minutes"),
    (300, "5 minutes"),
]
START_MODES = [
    (mode.value, mode.label)
    for mode in (Mode.DUE, Mode.NEW, Mode.WEAKEST, Mode.RANDOM, Mode.MISSED_POINTS)
]
MODE_HELP = {
    Mode.DUE: "What the scheduler says is due, then new questions.",
    Mode.NEW: "Questions you have never answered.",
    Mode.WEAKEST: "The questions you recall least often.",
    Mode.RANDOM: "Anything from the chosen topics.",
    Mode.MISSED_POINTS: "Questions with key points you left out and that are due again; "
    "those points are highlighted after you reveal.",
}
CONFIDENCE_KEYS = {Confidence.SURE: "q", Confidence.UNSURE: "w", Confidence.GUESSING: "e"}
TYPED_ANSWER_MAX = 5000


class TopicsField(forms.ModelMultipleChoiceField):
    """Topic checkboxes; ids too large for the database are refused like any unknown id.

    Django passes them to the query as they are, where SQLite raises OverflowError
    and PostgreSQL a DataError.
    """

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            # ASCII only: str.isdigit() also accepts "²", which int() refuses.
            text = pk.strip().lstrip("-") if isinstance(pk, str) else ""
            digits = text.isascii() and text.isdigit()
            if digits and not -(2**63) <= int(pk) < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def practised_topics():
    """Topics with a published question: an empty one would start no session (or, in
    "New questions", tell a new learner they have seen everything)."""
    return Topic.objects.with_published_questions()


class StartSessionForm(forms.Form):
    topics = TopicsField(
        queryset=practised_topics(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to practise every topic.",
    )
    size = forms.TypedChoiceField(
        label="Number of questions", choices=SIZES, coerce=int, initial=10
    )
    mode = forms.ChoiceField(
        label="Mode", choices=START_MODES, initial=Mode.DUE, widget=forms.RadioSelect
    )
    timer_seconds = forms.TypedChoiceField(
        label="Interview timer",
        choices=TIMERS,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Counts down on each question, as in a timed interview.",
    )
    difficulty = forms.ChoiceField(
        label="Difficulty", required=False, choices=[("", "Any"), *Difficulty.choices]
    )
    tag = forms.ChoiceField(label="Tag", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "Any"), *((tag, tag) for tag in facets()["tags"])]


class TypedAnswerField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Your answer",
            required=False,
            strip=False,
            max_length=TYPED_ANSWER_MAX,
            error_messages={
                "max_length": "Keep your answer under %(limit_value)d characters "
                "(it has %(show_value)d)."
            },
            widget=forms.Textarea(attrs={"rows": 5, "class": "answer-input"}),
            **kwargs,
        )


class ConfidenceSelect(forms.RadioSelect):
    """Radio buttons that q, w and e also pick (static/js/app.js clicks data-shortcut)."""

    option_template_name = "quizzes/confidence_option.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["shortcut"] = CONFIDENCE_KEYS.get(value, "")
        option["attrs"]["data-shortcut"] = option["shortcut"]
        return option


class RevealForm(forms.Form):
    position = forms.IntegerField(min_value=0, max_value=1000, widget=forms.HiddenInput)
    typed_answer = TypedAnswerField()
    confidence = forms.ChoiceField(
        label="How sure are you?",
        choices=Confidence.choices,
        required=False,
        widget=ConfidenceSelect,
        help_text="Optional. Your dashboard compares it with what you recall.",
    )

    def __init__(self, *args, calculation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if calculation is not None:
            # A calculation takes one number; its unit is shown beside the box.
            field = self.fields["typed_answer"]
            field.label = "Your number"
            field.widget = forms.TextInput(
                attrs={"class": "number-input", "inputmode": "decimal", "autocomplete": "off"}
            )
            unit = f" in {calculation.unit}" if calculation.unit else ""
            field.help_text = f"Answer{unit}. 7B, 1.2e9, 3/4 and 16 GB are understood."


class GradeForm(forms.Form):
    position = forms.IntegerField(min_value=0, max_value=1000, widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(
        choices=Grade.choices,
        coerce=int,
        error_messages={"required": "Choose a grade: Again, Hard, Good or Easy."},
    )
    key_points = forms.TypedMultipleChoiceField(coerce=int, required=False)
    typed_answer = TypedAnswerField()

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        # A callable is read only when some key points are ticked: a grade with no ticks
        # costs no query for them. Django calls it once per ticked value, hence the cache.
        self.fields["key_points"].choices = functools.cache(
            lambda: [(pk, pk) for pk in question.key_points.values_list("pk", flat=True)]
        )
        self.fields["key_points"].error_messages["invalid_choice"] = (
            "That key point does not belong to this question."
        )


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "note"]
        widgets = {
            "reason": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }
        labels = {"reason": "What is wrong?", "note": "Note for the editors"}
        help_texts = {"note": "Optional. What should the answer say instead?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list needs no "-- Select --" entry; nothing ticked means none chosen.
        self.fields["reason"].choices = Report.Reason.choices
