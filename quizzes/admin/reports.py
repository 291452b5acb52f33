"""Learners' reports in the admin: their own list, and the open ones on each question's
page. Resolving and reopening go through quizzes.curation."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE

from quizzes.admin.history import log_bulk
from quizzes.curation import resolve_reports, set_report_resolved
from quizzes.models import Report


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
        # The form edits nothing but "resolved": the service makes the only write.
        set_report_resolved(report=obj, resolved=form.cleaned_data.get("resolved"), by=request.user)

    @admin.action(description="Mark selected reports resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):
        ids = resolve_reports(reports=queryset, by=request.user)
        reports = Report.objects.filter(pk__in=ids).select_related("question")
        log_bulk(request, reports, CHANGE, "Marked resolved (bulk action).")
        count = len(ids)
        self.message_user(
            request,
            f"Marked {count} report{'' if count == 1 else 's'} resolved.",
            messages.SUCCESS,
        )
