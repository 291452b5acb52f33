"""
The editors' admin: topics, questions with their key points, statistics and
learners' reports, and import/export of the bank (quizzes/bank/).

Practice sessions, answers and cards are learners' private data and are not
registered here. Every change made through the admin, including bulk actions
and imports, is a django-reversion revision: each topic's and question's History
lists who changed what and when, compares two versions and reverts to one.
"""

import difflib

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import (
    Avg,
    CharField,
    Count,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.forms.widgets import Script
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from quizzes.bank import (
    MAX_FILE_BYTES,
    export_bank,
    file_format,
    kept_bank,
    load_bank,
    serialise,
)
from quizzes.models import (
    MAX_KEY_POINTS,
    MAX_TEXT_LENGTH,
    RECALLED_GRADES,
    Answer,
    Card,
    FollowUp,
    KeyPoint,
    Question,
    Report,
    SessionItem,
    Status,
    Topic,
)
from quizzes.rendering import render_markdown

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
HISTORY_TEMPLATE = "admin/quizzes/object_history.html"


def _log(request: HttpRequest, queryset, action_flag: int, message: str) -> None:
    """Record a bulk change in the admin log, so it shows in each object's History."""
    LogEntry.objects.log_actions(request.user.pk, list(queryset), action_flag, message)


# Topics ---------------------------------------------------------------------


class HistoryMixin:
    """History with a diff between any version and the one before it (reversion has
    the list and the revert; the comparison is ours)."""

    object_history_template = HISTORY_TEMPLATE

    def history_view(self, request, object_id, extra_context=None):
        versions = list(
            Version.objects.get_for_object_reference(self.model, object_id)
            .select_related("revision__user")
            .order_by("-pk")
        )
        info = self.opts.app_label, self.opts.model_name
        action_list = []
        for newer, older in zip(versions, [*versions[1:], None], strict=True):
            compare = None
            if older is not None:
                compare = reverse(f"admin:{info[0]}_{info[1]}_compare", args=[object_id])
                compare += f"?from={older.pk}&to={newer.pk}"
            action_list.append(
                {
                    "revision": newer.revision,
                    "url": reverse(
                        f"admin:{info[0]}_{info[1]}_revision", args=[object_id, newer.pk]
                    ),
                    "compare_url": compare,
                }
            )
        context = {"action_list": action_list, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def version_lines(self, version: Version) -> list[str]:
        """One version as lines of `field: value`, for the diff."""
        lines = []
        for name, value in version.field_dict.items():
            if name in ("id", "imported_hash", "created_at", "updated_at"):
                continue
            text = "" if value is None else str(value)
            if "\n" in text:
                lines.append(f"{name}: |")
                lines.extend(f"  {line}" for line in text.splitlines())
            else:
                lines.append(f"{name}: {text}")
        return lines

    def compare_view(self, request: HttpRequest, object_id) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = Version.objects.get_for_object_reference(self.model, object_id)
        ids = [request.GET.get("from", ""), request.GET.get("to", "")]
        # Ids a database column can hold: "²" or 20 digits would be a 500, not a 404.
        if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in ids):
            raise Http404("No such pair of versions of this object.")
        try:
            older, newer = (versions.select_related("revision__user").get(pk=pk) for pk in ids)
        except Version.DoesNotExist:
            raise Http404("No such pair of versions of this object.") from None
        diff = list(
            difflib.unified_diff(
                self.version_lines(older), self.version_lines(newer), lineterm="", n=2
            )
        )[2:]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Changes to {newer.object_repr}",
            "object_id": object_id,
            "older": older,
            "newer": newer,
            "diff": [(line[:1], line[1:]) for line in diff],
        }
        return TemplateResponse(request, "admin/quizzes/compare.html", context)


@admin.register(Topic)
class TopicAdmin(HistoryMixin, VersionAdmin):
    list_display = ["name", "slug", "order", "question_count"]
    list_editable = ["order"]
    list_display_links = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="Questions", ordering="question_count")
    def question_count(self, topic: Topic) -> int:
        return topic.question_count


# Questions ------------------------------------------------------------------


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


class ReportResolveForm(forms.ModelForm):
    resolved = forms.BooleanField(
        required=False, help_text="Tick when the question has been fixed or the report answered."
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved"].initial = self.instance.pk and not self.instance.is_open


class OpenReportInline(admin.TabularInline):
    """The learners' open reports on this question; tick "resolved" and save to close one."""

    model = Report
    form = ReportResolveForm
    fields = ["created_at", "user", "reason", "note", "resolved"]
    readonly_fields = ["created_at", "user", "reason", "note"]
    extra = 0
    can_delete = False
    verbose_name = "open report from a learner"
    verbose_name_plural = "open reports from learners"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(resolved_at__isnull=True).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False


def with_stats(queryset):
    """Per-question statistics, computed in the same query that lists the questions."""
    open_reports = (
        Report.objects.filter(question=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("question")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        times_answered=Count("answers"),
        times_recalled=Count("answers", filter=Q(answers__grade__in=RECALLED_GRADES)),
        avg_seconds_to_reveal=Avg("answers__seconds_to_reveal"),
        last_answered=Max("answers__answered_at"),
        # A subquery, not a second join: joining reports too would multiply the counts.
        open_reports=Coalesce(Subquery(open_reports), 0),
    ).annotate(
        recall_rate=Cast(F("times_recalled"), FloatField()) / NullIf(F("times_answered"), 0),
    )


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
class QuestionAdmin(HistoryMixin, VersionAdmin):
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
        return with_stats(super().get_queryset(request))

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
        now = timezone.now()
        for report_form in formset.forms:
            report = report_form.instance
            if report_form.cleaned_data.get("resolved") and report.is_open:
                report.resolved_at, report.resolved_by = now, request.user
                report.save(update_fields=["resolved_at", "resolved_by"])

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
        when = f"{timezone.localtime(question.updated_at):%Y-%m-%d %H:%M}"
        return f"{when} by {question.updated_by.get_username()}" if question.updated_by else when

    @admin.display(description="Prompt")
    def prompt_preview(self, question: Question):
        return format_html('<div class="prepsite-preview">{}</div>', question.prompt_html)

    @admin.display(description="Reference answer")
    def answer_preview(self, question: Question):
        return format_html('<div class="prepsite-preview">{}</div>', question.answer_html)

    # Actions --------------------------------------------------------------

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        to_change = queryset.exclude(status=status)
        ids = list(to_change.values_list("pk", flat=True))
        changed = Question.objects.filter(pk__in=ids)
        changed.update(status=status, updated_at=timezone.now(), updated_by=request.user)
        _log(request, changed, CHANGE, f"{verb.capitalize()} (bulk action).")
        # An update() sends no signals: each question joins the action's revision itself.
        for question in changed:
            reversion.add_to_revision(question)
        reversion.set_comment(f"{verb.capitalize()} (bulk action).")
        unchanged = queryset.count() - len(ids)
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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and request.user.has_perm("quizzes.add_topic")
            and request.user.has_perm("quizzes.change_topic")
        )

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

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        filename = f"prepsite-bank-{timezone.localdate():%Y-%m-%d}.yaml"
        response = HttpResponse(
            content_type="application/yaml; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
        export_bank(response, "yaml")
        return response

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

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        overwriting = request.method == "POST" and "content" in request.POST
        form = BankImportForm(
            None if overwriting else (request.POST or None),
            None if overwriting else (request.FILES or None),
        )
        overwrite_form = OverwriteForm(request.POST) if overwriting else None
        problems: list[str] = []
        summary = None
        if overwrite_form is not None and overwrite_form.is_valid():
            data = overwrite_form.cleaned_data
            if not data["overwrite"]:
                self.message_user(request, "Nothing overwritten: the edits were kept.")
                return HttpResponseRedirect(reverse("admin:quizzes_question_changelist"))
            source = ContentFile(data["content"].encode(), name=data["filename"])
            summary, problems = self._import(
                request, source, data["filename"], overwrite=data["overwrite"]
            )
            content, filename = data["content"], data["filename"]
        elif overwrite_form is not None:
            problems = [
                f"{name}: {' '.join(errors)}" for name, errors in overwrite_form.errors.items()
            ]
        elif request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            summary, problems = self._import(request, upload, upload.name, overwrite=())
            if summary is not None and summary.kept:
                # Only the kept records travel in the form, not the whole upload: they are
                # few, and a request body stays far below DATA_UPLOAD_MAX_MEMORY_SIZE.
                filename = upload.name
                content = serialise(kept_bank(summary.kept), file_format(filename))
        if summary is not None:
            self.message_user(request, f"{summary}.", messages.SUCCESS)
            if not summary.kept or overwriting:
                # After the overwrite step the rest were kept on purpose: done.
                return HttpResponseRedirect(reverse("admin:quizzes_question_changelist"))
            # Edited questions were kept: show each one's diff and offer to overwrite.
            overwrite_form = OverwriteForm(
                initial={"filename": filename, "content": content},
                choices=[kept.key for kept in summary.kept],
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import questions",
            "form": form,
            "problems": problems,
            "kept": summary.kept if summary else [],
            "overwrite_form": overwrite_form if summary and summary.kept else None,
        }
        status = 400 if request.method == "POST" and summary is None else 200
        return TemplateResponse(
            request, "admin/quizzes/question/import.html", context, status=status
        )

    def _import(self, request, source, name: str, *, overwrite):
        """(summary, []) after a load, or (None, problems) when nothing was written."""
        note = f"Imported from {name}."
        try:
            summary = load_bank([source], user=request.user, overwrite=overwrite, comment=note)
        except ValidationError as exc:
            return None, exc.messages
        _log(request, Question.objects.filter(key__in=summary.created_keys), ADDITION, note)
        _log(request, Question.objects.filter(key__in=summary.updated_keys), CHANGE, note)
        return summary, []


# Reports --------------------------------------------------------------------


class ReportStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportResolveForm
    list_display = ["question", "reason", "user", "created_at", "is_open_display", "resolved_by"]
    list_filter = [ReportStatusFilter, "reason"]
    list_select_related = ["question", "user", "resolved_by"]
    search_fields = ["note", "question__key", "question__prompt", "user__username"]
    actions = ["mark_resolved"]
    fields = [
        "question",
        "user",
        "reason",
        "note",
        "created_at",
        "resolved",
        "resolved_at",
        "resolved_by",
    ]
    readonly_fields = [
        "question",
        "user",
        "reason",
        "note",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]

    def has_add_permission(self, request):
        # Learners report problems from the practice page; editors only answer them.
        return False

    @admin.display(description="Open", boolean=True, ordering="resolved_at")
    def is_open_display(self, report: Report) -> bool:
        return report.is_open

    def save_model(self, request, obj, form, change):
        resolved = form.cleaned_data.get("resolved")
        if resolved and obj.is_open:
            obj.resolved_at, obj.resolved_by = timezone.now(), request.user
        elif not resolved and not obj.is_open:
            obj.resolved_at, obj.resolved_by = None, None
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected reports resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):
        ids = list(queryset.filter(resolved_at__isnull=True).values_list("pk", flat=True))
        reports = Report.objects.filter(pk__in=ids).select_related("question")
        reports.update(resolved_at=timezone.now(), resolved_by=request.user)
        _log(request, reports, CHANGE, "Marked resolved (bulk action).")
        count = len(ids)
        self.message_user(
            request,
            f"Marked {count} report{'' if count == 1 else 's'} resolved.",
            messages.SUCCESS,
        )
