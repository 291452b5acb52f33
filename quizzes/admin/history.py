"""The History pages of the bank's admin: reversion's list and revert, with our diff
between a version and the one before it, and the admin log of bulk changes."""

import difflib

from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.models import Version

HISTORY_TEMPLATE = "admin/quizzes/object_history.html"


def log_bulk(request: HttpRequest, queryset, action_flag: int, message: str) -> None:
    """Record a bulk change in the admin log, so it shows in each object's History."""
    LogEntry.objects.log_actions(request.user.pk, list(queryset), action_flag, message)


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
