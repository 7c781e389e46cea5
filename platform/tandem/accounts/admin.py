from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import write_through_actions

from . import actions
from .models import LanguageSkill, Organisation, OrganisationRole, User


class LanguageSkillInline(admin.TabularInline):
    model = LanguageSkill
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "email", "country", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "country", "interface_language")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Tandem"),
            {
                "fields": (
                    "display_name",
                    "interface_language",
                    "time_zone",
                    "country",
                    "email_digest",
                )
            },
        ),
    )
    inlines = [LanguageSkillInline]


class OrganisationRoleWrites:
    """Name and remove organisation roles through ``accounts.actions`` (audited).

    Only operators (superusers) may; the actions refuse anyone else.
    """

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_role(self, request, row):
        if row.pk:
            stored = OrganisationRole.objects.get(pk=row.pk)
            if (stored.user_id, stored.organisation_id) != (row.user_id, row.organisation_id):
                actions.remove_organisation_role(actor=request.user, role=stored)
        return actions.set_organisation_role(
            actor=request.user, organisation=row.organisation, user=row.user, role=row.role
        )

    def delete_role(self, request, row):
        actions.remove_organisation_role(actor=request.user, role=row)


class OrganisationRoleInline(OrganisationRoleWrites, admin.TabularInline):
    model = OrganisationRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country")
    list_filter = ("country",)
    search_fields = ("name",)
    inlines = [OrganisationRoleInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationRole:
            return super().save_formset(request, form, formset, change)
        inline = OrganisationRoleInline(Organisation, self.admin_site)

        def save(row):
            row.instance.organisation = form.instance
            return inline.save_role(request, row.instance)

        write_through_actions(
            formset, save=save, delete=lambda obj: inline.delete_role(request, obj)
        )
        return None


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(OrganisationRoleWrites, admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "user__display_name", "organisation__name")
    autocomplete_fields = ["user", "organisation"]
    actions = None  # bulk deletion would skip the audit

    def save_model(self, request, obj, form, change):
        obj.pk = self.save_role(request, obj).pk

    def delete_model(self, request, obj):
        self.delete_role(request, obj)
