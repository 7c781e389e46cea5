from django.contrib import admin

from .models import Invitation, Membership, Space


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "role", "joined", "muted_until")


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "archived", "created")
    list_filter = ("kind", "archived", "organisation__country", "organisation")
    search_fields = ("name", "organisation__name")
    inlines = [MembershipInline]
    readonly_fields = ("created",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "space", "role", "joined")
    list_filter = ("role", "space__kind")
    search_fields = ("user__username", "user__display_name", "space__name")
    autocomplete_fields = ["user", "space"]
    list_select_related = ("user", "space")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("code", "space", "role", "uses", "max_uses", "expires", "revoked")
    list_filter = ("role",)
    search_fields = ("code", "space__name")
    readonly_fields = ("code", "token", "uses", "created", "created_by")
    list_select_related = ("space",)
