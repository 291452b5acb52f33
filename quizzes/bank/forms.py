"""The forms of a bank import: the uploaded file, and the second step that says which of
the questions editors changed since the last load the file may overwrite (quizzes.admin
shows them; the checks of the records themselves are quizzes.bank.fields/validate)."""

from django import forms
from django.core.exceptions import ValidationError

from quizzes.bank.files import MAX_FILE_BYTES

MAX_UPLOAD_BYTES = MAX_FILE_BYTES


class BankImportForm(forms.Form):
    file = forms.FileField(
        label="Bank file",
        help_text="A .yaml, .yml or .json file in the format of docs/question-format.md.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml", ".json")):
            raise ValidationError("Upload a .yaml, .yml or .json file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 5 MB; split it by topic.")
        return upload


class OverwriteForm(forms.Form):
    """The second step of an import: the file's version of the questions it kept, and
    the ones the editor chose to replace with it."""

    filename = forms.CharField(max_length=255)
    content = forms.CharField(max_length=MAX_UPLOAD_BYTES, strip=False)
    overwrite = forms.MultipleChoiceField(choices=[], required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are whatever keys were offered; the loader refuses unknown ones.
        keys = self.data.getlist("overwrite") if self.is_bound else choices
        self.fields["overwrite"].choices = [(key, key) for key in keys]

    def clean_filename(self):
        name = self.cleaned_data["filename"]
        if not name.lower().endswith((".yaml", ".yml", ".json")):
            raise ValidationError("Upload a .yaml, .yml or .json file.")
        return name
