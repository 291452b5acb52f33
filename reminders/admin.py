"""The deliveries in the admin, read-only: what was sent to whom and what failed."""

from django.contrib import admin

from reminders.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom, and what failed and why."""

    list_display = ["user", "kind", "day", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["user__username", "user__email"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
