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

    def get_deleted_objects(self, objs, request):
        """Refuse, with the reason, to erase someone who attended a paid session.

        Approved and paid session logs never change, their list of who came
        included (the database refuses it); erasing such a person would fail
        half-way. The admin lists those logs as what protects the person, and
        says to deactivate the account instead.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        from tandem.recognition.models import SessionLog

        frozen = (
            SessionLog.objects.filter(
                attendees__in=[obj.pk for obj in objs], state__in=SessionLog.FROZEN_STATES
            )
            .select_related("space")
            .distinct()
            .order_by("date", "pk")
        )
        for log in frozen:
            protected.append(
                _(
                    "%(space)s, %(date)s: an approved session this person attended. "
                    "Its record cannot change: untick “Active” to close the account "
                    "instead of deleting it."
                )
                % {"space": log.space.name, "date": log.date.isoformat()}
            )
        return deleted, counts, perms_needed, protected


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
