"""Operators' view of spaces. Membership changes made here go through the actions.

So a role set in the admin is checked against the kind of space, audited, and
reaches the person's open sockets, exactly as when a coordinator sets it.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import write_through_actions

from . import actions
from .models import Invitation, Membership, Space
from .permissions import joins_only_with_approval, role_may_join_space


class MembershipForm(forms.ModelForm):
    """Refuses a role the kind of space does not have, beside the field, before any write."""

    def clean(self):
        data = super().clean()
        space = data.get("space") or getattr(self.instance, "space", None)
        role = data.get("role")
        if space is not None and role and not role_may_join_space(role, space):
            self.add_error("role", _("This role does not exist in this kind of space."))
        user = data.get("user")
        if (
            space is not None
            and user is not None
            and self.instance.pk is None
            and joins_only_with_approval(user, space)
        ):
            self.add_error(
                "user",
                _(
                    "A coordinator becomes a member of a peer group only when its tutor or "
                    "counsellor approves. Ask to join with an invitation instead."
                ),
            )
        return data


def _in_space(membership, space):
    membership.space = space
    return membership


class MembershipWrites:
    """Add, change and remove memberships through ``spaces.actions``."""

    def save_membership(self, request, membership, *, new):
        if new:
            return actions.add_member(
                actor=request.user,
                space=membership.space,
                user=membership.user,
                role=membership.role,
            )
        stored = Membership.objects.select_related("space", "user").get(pk=membership.pk)
        if stored.user_id != membership.user_id:  # another person on the row: out, then in
            actions.remove_member(actor=request.user, membership=stored, reason="admin")
            return actions.add_member(
                actor=request.user, space=stored.space, user=membership.user, role=membership.role
            )
        if stored.role != membership.role:
            return actions.change_role(actor=request.user, membership=stored, role=membership.role)
        return stored

    def delete_membership(self, request, membership):
        actions.remove_member(actor=request.user, membership=membership, reason="admin")


class MembershipInline(MembershipWrites, admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "role", "joined", "muted_until")
    readonly_fields = ("joined", "muted_until")


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "archived", "created")
    list_filter = ("kind", "archived", "organisation__country", "organisation")
    search_fields = ("name", "organisation__name")
    inlines = [MembershipInline]
    # Name, texts and rules are edited on the space's own page (their HTML is made there).
    readonly_fields = (
        "kind",
        "organisation",
        "name",
        "description",
        "rules",
        "archived",
        "created",
    )
    fields = readonly_fields

    actions = None  # no bulk deletion either

    def has_add_permission(self, request):
        return False  # coordinators set up spaces on the site, through the actions

    def has_delete_permission(self, request, obj=None):
        return False  # a space ends by being archived, never by losing its records

    def save_model(self, request, obj, form, change):
        """Nothing of the space itself is edited here; only its memberships."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        inline = MembershipInline(Space, self.admin_site)
        write_through_actions(
            formset,
            save=lambda row: inline.save_membership(
                request, _in_space(row.instance, form.instance), new=row.instance.pk is None
            ),
            delete=lambda obj: inline.delete_membership(request, obj),
        )
        return None


@admin.register(Membership)
class MembershipAdmin(MembershipWrites, admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "space", "role", "joined")
    list_filter = ("role", "space__kind")
    search_fields = ("user__username", "user__display_name", "space__name")
    autocomplete_fields = ["user", "space"]
    list_select_related = ("user", "space")
    # Who granted and verified a role is set by the actions alone; operators verify
    # co-leads' roles on the organisation's "Roles to verify" page.
    readonly_fields = (
        "joined",
        "muted_until",
        "rules_accepted",
        "granted_by",
        "verified_by",
        "verified_at",
    )
    actions = None  # bulk deletion would skip the actions

    def get_readonly_fields(self, request, obj=None):
        fixed = ("user", "space") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        saved = self.save_membership(request, obj, new=not change)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        self.delete_membership(request, obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made and revoked by co-leads on the space's pages."""

    list_display = ("code", "space", "role", "uses", "max_uses", "expires", "revoked")
    list_filter = ("role",)
    search_fields = ("code", "space__name")
    list_select_related = ("space",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
