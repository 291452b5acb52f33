import functools

from django import forms

from quizzes.form_rendering import direct_renderer
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
    # Its inputs are written without a template each (quizzes.form_rendering).
    default_renderer = direct_renderer

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
            field.help_text = f"Answer{unit}. 7B, 1.2e9, 3/4, $0.86 and 16 GB are understood."


# A second tab, the back button or a double click sent an answer the session has moved past.
MOVED_ON = (
    "That question had already been answered, maybe in another tab: here is where you are now."
)
NOT_CURRENT = "That question is not the current one."


class PositionField(forms.IntegerField):
    """The position of the card a form was sent from: ASCII digits only (int() also reads
    "٣", and str.isdigit() accepts "²", which int() refuses)."""

    widget = forms.HiddenInput
    default_error_messages = dict.fromkeys(
        ("required", "invalid", "min_value", "max_value"), NOT_CURRENT
    )

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=1000, **kwargs)

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class GradeForm(forms.Form):
    """A grade for the session's current card.

    With `session`, the position is checked against it: a position the session has moved
    past is "moved on" (`moved_on`, not an error to show), any other is not the current one.
    `item` is the current card (its question's key points are the choices); the mock
    interview checks its own steps and passes only the `question`.
    """

    default_renderer = direct_renderer

    position = PositionField()
    grade = forms.TypedChoiceField(
        choices=Grade.choices,
        coerce=int,
        error_messages={"required": "Choose a grade: Again, Hard, Good or Easy."},
    )
    key_points = forms.TypedMultipleChoiceField(coerce=int, required=False)
    typed_answer = TypedAnswerField()

    def __init__(self, *args, session=None, item=None, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.item = item
        question = question or (item.question if item is not None else None)
        # A callable is read only when some key points are ticked: a grade with no ticks
        # costs no query for them. Django calls it once per ticked value, hence the cache;
        # the ids stay on the question for the grade's memory of the points (on SQLite:
        # PostgreSQL's grade statement reads them itself).
        self.fields["key_points"].choices = functools.cache(
            lambda: [(pk, pk) for pk in question.key_point_ids] if question is not None else []
        )
        self.fields["key_points"].error_messages["invalid_choice"] = (
            "That key point does not belong to this question."
        )

    def clean_position(self) -> int:
        position = self.cleaned_data["position"]
        if self.session is None:
            return position
        if position < self.session.answered:
            # Already graded (double click, replay, second tab): the current state, not an error.
            raise forms.ValidationError(MOVED_ON, code="moved_on")
        if position != self.session.answered:
            raise forms.ValidationError(NOT_CURRENT, code="not_current")
        if self.item is None or self.item.position != position:
            raise forms.ValidationError("That question is missing.", code="missing")
        return position

    @property
    def moved_on(self) -> bool:
        return self.has_error("position", code="moved_on")

    def message(self) -> str:
        """What to show for an invalid grade: the position's problem alone, if it has one."""
        if "position" in self.errors:
            return " ".join(self.errors["position"])
        return " ".join(message for messages in self.errors.values() for message in messages)


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
