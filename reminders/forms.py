"""The reminder settings form: daily email and its hour, weekly summary."""

from django import forms

from reminders.models import ReminderSettings

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class ReminderSettingsForm(forms.ModelForm):
    hour = forms.TypedChoiceField(label="Reminder time", choices=HOURS, coerce=int,
                                  help_text="In your own time zone (set above).")  # fmt: skip

    class Meta:
        model = ReminderSettings
        fields = ["daily", "hour", "weekly"]
