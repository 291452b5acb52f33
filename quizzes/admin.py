"""
The editors' admin: topics, questions with their key points, statistics and
learners' reports, and import/export of the bank (quizzes/bank.py).

Practice sessions, answers and cards are learners' private data and are not
registered here. Every change made through the admin, including bulk actions
and imports, is written to Django's admin log, shown by each question's History.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, CharField, Count, F, FloatField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf
from django.forms.widgets import Script
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from quizzes.bank import export_bank, load_bank
from quizzes.models import RECALLED_GRADES, KeyPoint, Question, Report, Status, Topic

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _log(request: HttpRequest, queryset, action_flag: int, message: str) -> None:
    """Record a bulk change in the admin log, so it shows in each object's History."""
    LogEntry.objects.log_actions(request.user.pk, list(queryset), action_flag, message)


# Topics ---------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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
    model = KeyPoint
    fields = ["order", "text"]
    formfield_overrides = {CharField: {"widget": forms.TextInput(attrs={"size": 100})}}
    extra = 3
    min_num = 1
    max_num = 10
    validate_min = True
    validate_max = True
    verbose_name = "key point"

    def get_extra(self, request, obj=None, **kwargs):
        # A new question gets three empty rows; an existing one a single spare.
        return 1 if obj else self.extra


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


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    change_list_template = "admin/quizzes/question/change_list.html"
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
    actions = ["publish", "unpublish"]
    inlines = [KeyPointInline, OpenReportInline]
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
            "Preview",
            {
                "fields": ["prompt_preview", "answer_preview"],
                "description": "As learners see the saved question: save and continue "
                "editing to see your changes.",
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
                "changed what, and when.",
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

    def get_queryset(self, request):
        return with_stats(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

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
        return super().changelist_view(request, extra_context)

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

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = BankImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = load_bank([upload], user=request.user)
            except ValidationError as exc:
                problems = exc.messages
            else:
                note = f"Imported from {upload.name}."
                _log(request, Question.objects.filter(key__in=summary.created_keys), ADDITION, note)
                _log(request, Question.objects.filter(key__in=summary.updated_keys), CHANGE, note)
                self.message_user(request, f"{summary}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:quizzes_question_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import questions",
            "form": form,
            "problems": problems,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/quizzes/question/import.html", context, status=status
        )


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
