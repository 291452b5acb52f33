"""The questions' admin: the list with each question's statistics, the change form
with its key points, follow-ups, open reports and preview, and the status actions
(through quizzes.curation)."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.forms.widgets import Script
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from quizzes.admin.history import HistoryMixin, log_bulk
from quizzes.admin.imports import BankFilesMixin
from quizzes.admin.inlines import FollowUpInline, KeyPointInline
from quizzes.admin.reports import OpenReportInline
from quizzes.curation import resolve_reports, set_question_status
from quizzes.models import (
    MAX_TEXT_LENGTH,
    Answer,
    Card,
    FollowUp,
    KeyPoint,
    Question,
    Report,
    SessionItem,
    Status,
)
from quizzes.rendering import render_markdown


class PreviewForm(forms.Form):
    """The unsaved prompt and answer of the change form, to preview them."""

    prompt = forms.CharField(max_length=MAX_TEXT_LENGTH, strip=False)
    answer = forms.CharField(max_length=MAX_TEXT_LENGTH, strip=False)


def history_summary(question_ids) -> list[str]:
    """Why questions cannot be deleted: the learners' history that points at them."""
    counts = [
        (Answer.objects.filter(question__in=question_ids).count(), "graded answer"),
        (Card.objects.filter(question__in=question_ids).count(), "scheduling card"),
        (SessionItem.objects.filter(question__in=question_ids).count(), "practice session place"),
    ]
    found = [f"{count} {noun}{'' if count == 1 else 's'}" for count, noun in counts if count]
    if not found:
        return []
    return [
        f"Learners' history: {', '.join(found)}. A question learners have practised is never "
        "deleted, so their scores and summaries stay as they were: set its status to "
        "Retired instead (it leaves new sessions; history keeps it)."
    ]


@admin.register(Question)
class QuestionAdmin(BankFilesMixin, HistoryMixin, VersionAdmin):
    change_list_template = "admin/quizzes/question/change_list.html"
    change_form_template = "admin/quizzes/question/change_form.html"
    delete_confirmation_template = "admin/quizzes/question/delete_confirmation.html"
    list_display = [
        "key",
        "__str__",
        "topic",
        "difficulty",
        "status",
        "times_answered",
        "recall_rate",
        "avg_seconds_to_reveal",
        "last_answered",
        "open_reports",
        "updated",
    ]
    list_display_links = ["key", "__str__"]
    list_filter = ["status", "topic", "difficulty"]
    list_select_related = ["topic", "updated_by"]
    search_fields = ["key", "prompt", "answer", "tags"]
    search_help_text = "Searches key, prompt, answer and tags."
    actions = ["publish", "unpublish", "retire"]
    inlines = [KeyPointInline, FollowUpInline, OpenReportInline]
    readonly_fields = [
        "prompt_preview",
        "answer_preview",
        "times_answered",
        "recall_rate",
        "avg_seconds_to_reveal",
        "last_answered",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (None, {"fields": ["key", "topic", ("status", "difficulty"), "tags", "source"]}),
        ("Question", {"fields": ["prompt", "answer"]}),
        (
            "Calculation",
            {
                "fields": ["kind", ("expected", "unit", "tolerance")],
                "description": "A calculation question is checked against a typed number: "
                "give the expected number, its unit and a relative tolerance.",
            },
        ),
        (
            "Preview",
            {
                "fields": ["prompt_preview", "answer_preview"],
                "description": "As learners see the saved question. To see your changes "
                "before saving them, use Preview unsaved changes below.",
            },
        ),
        (
            "Statistics",
            {
                "fields": [
                    ("times_answered", "recall_rate"),
                    ("avg_seconds_to_reveal", "last_answered"),
                ],
                "description": "Recall rate is the share of answers graded Hard, Good or Easy.",
            },
        ),
        (
            "Record",
            {
                "fields": [("created_at", "created_by"), ("updated_at", "updated_by")],
                "description": "Every change is recorded: History (top right) shows who "
                "changed what and when, compares versions and reverts to one.",
            },
        ),
    ]

    @property
    def media(self):
        # static/js/app.js typesets the .math elements of the preview with KaTeX,
        # exactly as on the learners' pages; code.css colours highlighted code.
        app_js = Script(
            "js/app.js",
            defer=True,
            **{
                "data-katex-js": static("vendor/katex/katex.min.js"),
                "data-katex-css": static("vendor/katex/katex.min.css"),
            },
        )
        return super().media + forms.Media(js=[app_js], css={"all": ["css/code.css"]})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "kind":
            # A form that does not send it (a script, an older page) keeps the default,
            # Recall: what every question was before calculations existed.
            field.required = False
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).with_stats()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Not a list of every answer (learners' private data), but why, and what to do.
            protected = history_summary([obj.pk for obj in objs])
        return deleted, model_count, perms_needed, protected

    def version_lines(self, version: Version) -> list[str]:
        lines = super().version_lines(version)
        # The key points saved in the same revision (Question follows key_points).
        points = sorted(
            (
                (point.field_dict["order"], point.field_dict["id"], point.field_dict["text"])
                for point in version.revision.version_set.get_for_model(KeyPoint)
                if str(point.field_dict["question_id"]) == version.object_id
            ),
        )
        lines.append("key points:")
        lines.extend(f"  - {text}" for _, _, text in points)
        # And its follow-ups (Question follows follow_ups too).
        follow_ups = sorted(
            (
                fields["order"],
                fields["id"],
                fields["after_missing"],
                " ".join(fields["prompt"].split()),
            )
            for fields in (
                v.field_dict for v in version.revision.version_set.get_for_model(FollowUp)
            )
            if str(fields["question_id"]) == version.object_id
        )
        if follow_ups:
            lines.append("follow-ups:")
            lines.extend(
                f"  - after missing {after or 'any'}: {prompt}"
                for _, _, after, prompt in follow_ups
            )
        return lines

    def save_formset(self, request, form, formset, change):
        if formset.model is not Report:
            super().save_formset(request, form, formset, change)
            return
        # Sets changed_objects, which the History message is built from.
        formset.save(commit=False)
        ticked = [
            report_form.instance.pk
            for report_form in formset.forms
            if report_form.cleaned_data.get("resolved")
        ]
        resolve_reports(reports=Report.objects.filter(pk__in=ticked), by=request.user)

    # Columns --------------------------------------------------------------

    @admin.display(description="Answered", ordering="times_answered")
    def times_answered(self, question: Question) -> int:
        return question.times_answered

    # Ascending first: the questions learners struggle with most come to the top.
    @admin.display(description="Recall", ordering=F("recall_rate").asc(nulls_last=True))
    def recall_rate(self, question: Question) -> str | None:
        if question.recall_rate is None:
            return None
        return f"{round(100 * question.recall_rate)}%"

    @admin.display(
        description="Avg. time to reveal",
        ordering=F("avg_seconds_to_reveal").asc(nulls_last=True),
    )
    def avg_seconds_to_reveal(self, question: Question) -> str | None:
        if question.avg_seconds_to_reveal is None:
            return None
        return f"{round(question.avg_seconds_to_reveal)} s"

    @admin.display(description="Last answered", ordering=F("last_answered").desc(nulls_last=True))
    def last_answered(self, question: Question) -> str | None:
        if question.last_answered is None:
            return None
        return formats.localize(timezone.localtime(question.last_answered))

    @admin.display(description="Open reports", ordering="open_reports")
    def open_reports(self, question: Question) -> int:
        return question.open_reports

    @admin.display(description="Last changed", ordering="updated_at")
    def updated(self, question: Question) -> str:
        # As "Last answered" beside it says a time: the admin's localised format.
        when = formats.localize(timezone.localtime(question.updated_at))
        return f"{when} by {question.updated_by.get_username()}" if question.updated_by else when

    @admin.display(description="Prompt")
    def prompt_preview(self, question: Question):
        return format_html('<div class="prepsite-preview">{}</div>', question.prompt_html)

    @admin.display(description="Reference answer")
    def answer_preview(self, question: Question):
        return format_html('<div class="prepsite-preview">{}</div>', question.answer_html)

    # Actions --------------------------------------------------------------

    def _set_status(self, request, queryset, status: Status, verb: str) -> None:
        ids, unchanged = set_question_status(questions=queryset, status=status, by=request.user)
        note = f"{verb.capitalize()} (bulk action)."
        log_bulk(request, Question.objects.filter(pk__in=ids), CHANGE, note)
        reversion.set_comment(note)
        message = f"{verb.capitalize()} {len(ids)} question{'' if len(ids) == 1 else 's'}."
        if unchanged:
            message += f" {unchanged} already {verb}."
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Publish selected questions", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "published")

    @admin.action(
        description="Unpublish selected questions (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "unpublished")

    @admin.action(
        description="Retire selected questions (kept for history)", permissions=["change"]
    )
    def retire(self, request, queryset):
        self._set_status(request, queryset, Status.RETIRED, "retired")

    # Import and export ----------------------------------------------------

    # Preview ---------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "has_import_permission": self.has_import_permission(request),
            **(extra_context or {}),
        }
        if request.method == "POST":
            # Bulk actions: VersionAdmin wraps them in a revision.
            return super().changelist_view(request, extra_context)
        # Reading the list writes nothing: no revision block (and its savepoint).
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The change form's unsaved prompt, answer and key points, rendered as learners
        will see them (the form's "Preview unsaved changes" button posts here)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        form = PreviewForm(request.POST)
        key_points = [
            value.strip()
            for name, value in sorted(request.POST.items())
            if name.startswith("key_points-")
            and name.endswith("-text")
            and value.strip()
            and not request.POST.get(name.removesuffix("-text") + "-DELETE")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Preview of unsaved changes",
            "form": form,
            "media": self.media,
            "key_points": key_points,
        }
        if form.is_valid():
            context["prompt_html"] = render_markdown(form.cleaned_data["prompt"])
            context["answer_html"] = render_markdown(form.cleaned_data["answer"])
        status = 200 if form.is_valid() else 400
        return TemplateResponse(
            request, "admin/quizzes/question/preview.html", context, status=status
        )
