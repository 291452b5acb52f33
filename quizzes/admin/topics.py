"""The topics' admin: name, slug, order and how many questions each holds."""

from django.contrib import admin
from django.db.models import Count
from reversion.admin import VersionAdmin

from quizzes.admin.history import HistoryMixin
from quizzes.models import Topic


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
