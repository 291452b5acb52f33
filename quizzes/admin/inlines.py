"""A question's key points and follow-ups, edited on the question's own admin page."""

from django import forms
from django.contrib import admin
from django.db.models import CharField, TextField

from quizzes.models import MAX_KEY_POINTS, FollowUp, KeyPoint


class KeyPointInline(admin.TabularInline):
    # Edits change rows in place (the formset posts each row's id), so learners'
    # ticks, stored as key point ids, still resolve after a rewording.
    model = KeyPoint
    fields = ["order", "text", "aliases"]
    formfield_overrides = {
        CharField: {"widget": forms.TextInput(attrs={"size": 80})},
        TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }
    extra = 3
    min_num = 1
    max_num = MAX_KEY_POINTS
    validate_min = True
    validate_max = True
    verbose_name = "key point"

    def get_extra(self, request, obj=None, **kwargs):
        # A new question gets three empty rows; an existing one a single spare.
        return 1 if obj else self.extra


class FollowUpInline(admin.StackedInline):
    # What the interview asks next when the learner missed the numbered key point.
    model = FollowUp
    fields = ["order", "after_missing", "prompt", "answer"]
    formfield_overrides = {TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 90})}}
    extra = 0
    verbose_name = "follow-up question"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _follow_up_form(obj)
        return super().get_formset(request, obj, **kwargs)


def _follow_up_form(question):
    """A follow-up's key point number must be one the question has."""

    class FollowUpForm(forms.ModelForm):
        class Meta:
            model = FollowUp
            fields = ["order", "after_missing", "prompt", "answer"]

        def clean_after_missing(self):
            number = self.cleaned_data["after_missing"]
            if number is not None and question is not None:
                count = question.key_points.count()
                if not 1 <= number <= count:
                    raise forms.ValidationError(
                        f"This question has {count} key points: give a number from 1 to "
                        f"{count}, or leave it empty to ask the follow-up every time."
                    )
            return number

    return FollowUpForm
