"""The schedule settings form: desired retention, daily limits and the interview syllabus."""

from django import forms

from accounts.models import Profile
from quizzes.forms import TopicsField
from quizzes.models import Topic

RETENTION_RANGE = "Choose a desired retention from 0.80 to 0.97."
_CHECKS = ("required", "invalid", "min_value", "max_value")


class ScheduleForm(forms.ModelForm):
    # TopicsField refuses ids too large for the database like any unknown id.
    syllabus = TopicsField(
        label="Interview syllabus",
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The topics your interview plan covers. None ticked: all of them.",
    )

    class Meta:
        model = Profile
        fields = ("desired_retention", "new_per_day", "max_reviews_per_day", "syllabus")
        labels = {
            "desired_retention": "Desired retention",
            "new_per_day": "New questions per day",
            "max_reviews_per_day": "Maximum reviews per day",
        }
        help_texts = {
            "desired_retention": "From 0.80 to 0.97: the chance you recall a question when it "
            "comes back. Higher means more reviews.",
            "new_per_day": "From 0 to 500. With an interview date, fewer when the plan needs "
            "fewer.",
            "max_reviews_per_day": "From 1 to 2,000. Past it, the questions you are most likely "
            "to have forgotten come first.",
        }
        error_messages = {
            "desired_retention": dict.fromkeys(_CHECKS, RETENTION_RANGE),
            "new_per_day": dict.fromkeys(
                _CHECKS,
                "Choose from 0 to 500 new questions a day.",
            ),
            "max_reviews_per_day": dict.fromkeys(
                _CHECKS,
                "Choose from 1 to 2,000 reviews a day.",
            ),
        }
        widgets = {
            "desired_retention": forms.NumberInput(attrs={"min": 0.8, "max": 0.97, "step": 0.01}),
            "new_per_day": forms.NumberInput(attrs={"min": 0, "max": 500}),
            "max_reviews_per_day": forms.NumberInput(attrs={"min": 1, "max": 2000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["syllabus"].queryset = Topic.objects.with_published_questions().order_by(
            "order", "name"
        )
