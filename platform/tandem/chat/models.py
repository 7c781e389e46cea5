from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """A stream of messages in a space: the space's main chat, or a topic co-leads added.

    ``last_seq`` is the stream's head. Every stored event (a post, an edit, a
    deletion, a hide) takes the next number while the row is locked, so the
    positions of one conversation are gap-free and ordered by commit.
    """

    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(_("topic"), max_length=80, blank=True)
    is_main = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-is_main", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["space"],
                condition=models.Q(is_main=True),
                name="conversation_one_main_per_space",
            )
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or str(_("Group chat"))

    @property
    def topic(self):
        return f"chat.{self.pk}"


class Message(models.Model):
    """One post. The HTML is rendered once, when written; edits render again."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Kept when an account is erased: the message then shows as from a former member.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    lang = models.CharField(_("language"), max_length=16, blank=True)
    client_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField(editable=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    deleted = models.DateTimeField(null=True, blank=True)
    hidden = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_once"),
            models.UniqueConstraint(fields=["author", "client_id"], name="message_client_id_once"),
        ]

    def __str__(self):
        return f"{self.conversation_id}#{self.seq}"

    @property
    def is_visible(self):
        return self.deleted is None and self.hidden is None


class ChatEvent(models.Model):
    """The conversation's stream: what happened at each position.

    Clients resume from a position; the rows after it say which messages to
    show again (created, edited, deleted or hidden since).
    """

    class Kind(models.TextChoices):
        POSTED = "posted", _("posted")
        EDITED = "edited", _("edited")
        DELETED = "deleted", _("deleted")
        HIDDEN = "hidden", _("hidden")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chat event")
        verbose_name_plural = _("chat events")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chatevent_seq_once"),
        ]

    def __str__(self):
        return f"{self.conversation_id}@{self.seq} {self.kind}"


class ReadState(models.Model):
    """How far a person has read a conversation (for unread counts and the divider)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="readstate_once"),
        ]

    def __str__(self):
        return f"{self.user_id} read {self.conversation_id} to {self.last_read_seq}"


class Report(models.Model):
    """A member's report of a message to the co-leads."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        HIDDEN = "hidden", _("message hidden")
        DISMISSED = "dismissed", _("dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    resolved = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once_per_person"),
        ]
        indexes = [models.Index(fields=["outcome", "-created"])]

    def __str__(self):
        return f"report {self.pk} on {self.message_id}"
