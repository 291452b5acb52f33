"""Learners' profiles in the admin, for superusers only."""

from django.contrib import admin

from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Learners' profiles, for superusers to look at when helping someone.

    Learners change their own profile; editors curate questions and have no
    business reading learners' details, whatever permissions they are given.
    """

    list_display = ("user", "display_name", "time_zone", "interview_date", "daily_goal")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "display_name")
    list_filter = ("time_zone",)
    readonly_fields = ("user", "display_name", "time_zone", "interview_date", "daily_goal")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
