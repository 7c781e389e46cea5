"""Operators see that conversations, messages and reports exist, not what they say.

Staff do not read a group's chat unless they are members of it, so the admin
shows no message text and no report reason; moderation is the co-leads' work.
"""

from django.contrib import admin

from .models import Conversation, Message, Report


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnly):
    list_display = ("display_title", "space", "is_main", "last_seq", "created")
    list_select_related = ("space",)
    search_fields = ("title", "space__name")


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("conversation", "seq", "author", "created", "edited", "deleted", "hidden")
    list_select_related = ("conversation", "author")
    list_filter = ("hidden", "deleted")
    raw_id_fields = ("conversation", "author", "reply_to", "hidden_by")
    exclude = ("body", "body_html", "hidden_reason")


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("message", "reporter", "outcome", "created", "resolved")
    list_select_related = ("message", "reporter")
    list_filter = ("outcome",)
    raw_id_fields = ("message", "reporter", "resolved_by")
    exclude = ("reason",)
