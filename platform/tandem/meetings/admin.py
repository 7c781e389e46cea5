"""Operators look at meetings here; every change goes through the meeting pages' actions."""

from django.contrib import admin

from .models import AgendaItem, Meeting


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("title", "kind", "start", "end")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "space", "kind", "start", "time_zone", "repeat", "status", "sequence")
    list_filter = ("kind", "status", "repeat")
    search_fields = ("title", "space__name", "uid")
    list_select_related = ("space",)
    inlines = [AgendaInline]
