from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Audit rows are read here, never written or removed."""

    list_display = ("created", "action", "actor", "space", "target")
    list_filter = ("action",)
    search_fields = ("action", "target", "actor__username")
    list_select_related = ("actor", "space")
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
