"""Import and export of the bank from the questions' admin (the files of quizzes/bank/)."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from quizzes.admin.history import log_bulk
from quizzes.bank import (
    export_bank,
    file_format,
    kept_bank,
    load_bank,
    serialise,
)
from quizzes.bank.forms import BankImportForm, OverwriteForm
from quizzes.models import Question


class BankFilesMixin:
    """The import and export pages of QuestionAdmin, and who may import."""

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
            self.message_user(request, str(summary), messages.SUCCESS)
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
        log_bulk(request, Question.objects.filter(key__in=summary.created_keys), ADDITION, note)
        log_bulk(request, Question.objects.filter(key__in=summary.updated_keys), CHANGE, note)
        return summary, []
