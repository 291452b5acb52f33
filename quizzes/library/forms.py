"""The library's forms: search and filters (also "Practise these"), bookmark, suspend and a
learner's note."""

from django import forms

from quizzes.form_rendering import direct_renderer
from quizzes.forms import SIZES
from quizzes.library.queries import Mine
from quizzes.models import Difficulty

NOTE_MAX = 10_000
SEARCH_MAX = 200


class LibraryFilterForm(forms.Form):
    """The library's search and filters (GET), also posted by "Practise these"."""

    # Its box and menus are written without a template each (quizzes.form_rendering).
    default_renderer = direct_renderer

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.SearchInput(attrs={"placeholder": "layer norm, Adam, attention…"}),
    )
    topic = forms.ChoiceField(label="Topic", required=False)
    difficulty = forms.ChoiceField(
        label="Difficulty", required=False, choices=[("", "Any"), *Difficulty.choices]
    )
    tag = forms.ChoiceField(label="Tag", required=False)
    mine = forms.ChoiceField(label="Mine", required=False, choices=[("", "All"), *Mine.choices])

    def __init__(self, *args, facets: dict, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "All topics"), *facets["topics"]]
        self.fields["tag"].choices = [("", "Any"), *((tag, tag) for tag in facets["tags"])]
        if not personal:
            # A visitor has no history to filter by.
            del self.fields["mine"]


class PractiseTheseForm(LibraryFilterForm):
    size = forms.TypedChoiceField(
        label="Number of questions", choices=SIZES, coerce=int, initial=10
    )


class BookmarkForm(forms.Form):
    bookmarked = forms.TypedChoiceField(
        choices=[("1", "Bookmark"), ("0", "Remove bookmark")], coerce=lambda value: value == "1"
    )


class SuspendForm(forms.Form):
    suspended = forms.TypedChoiceField(
        choices=[("1", "Suspend"), ("0", "Unsuspend")], coerce=lambda value: value == "1"
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTE_MAX,
        help_text="Markdown. Only you can see your notes.",
        error_messages={
            "max_length": "Keep your note under %(limit_value)d characters (it has %(show_value)d)."
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
