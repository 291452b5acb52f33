"""The mock interview's forms: starting one (length, topics, level) and answering a step
or a follow-up."""

from django import forms

from interviews.services import LENGTHS
from quizzes.forms import TopicsField, practised_topics
from quizzes.models import Difficulty


class StartInterviewForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label="Length",
        choices=[(minutes, f"{minutes} minutes") for minutes in LENGTHS],
        coerce=int,
        initial=45,
        widget=forms.RadioSelect,
    )
    topics = TopicsField(
        queryset=practised_topics(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for questions from every topic.",
    )
    level = forms.ChoiceField(
        label="Level",
        choices=Difficulty.choices,
        initial=Difficulty.MEDIUM,
        widget=forms.RadioSelect,
        help_text="Most questions are of this difficulty; a few are easier or harder.",
    )


class StepForm(forms.Form):
    """Which step a POST answers: a stale tab's answer must not land on a later step."""

    step = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class FollowUpAnswerForm(StepForm):
    covered = forms.TypedChoiceField(
        choices=[("yes", "Covered"), ("no", "Missed")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Say whether your answer covered it."},
    )
