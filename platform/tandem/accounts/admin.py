from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country")
    list_filter = ("country",)
    search_fields = ("name",)
    inlines = [OrganisationRoleInline]


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "user__display_name", "organisation__name")
    autocomplete_fields = ["user", "organisation"]
