from django.contrib import admin

from .models import AuditEntry


def write_through_actions(formset, *, save, delete):
    """Apply an inline formset's rows through the given action calls, not ``formset.save()``.

    Fills in what ``formset.save()`` would have (new, changed and deleted objects), which
    the admin reads to write its change message.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for row in formset.deleted_forms:
        if row.instance.pk:
            delete(row.instance)
            formset.deleted_objects.append(row.instance)
    for row in formset.forms:
        if row in formset.deleted_forms or not row.has_changed():
            continue
        new = row.instance.pk is None
        saved = save(row)
        if new:
            formset.new_objects.append(saved)
        else:
            formset.changed_objects.append((saved, row.changed_data))


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
