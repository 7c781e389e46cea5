from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One row per act that touches roles, moderation or personal data.

    Rows are only ever added; the admin shows them read-only.
    """

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["space", "-created"])]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Notification(models.Model):
    """Something a person should see: a mention, a reply, a log to confirm."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(null=True, blank=True)
    emailed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "-created", "-id"]),
            models.Index(
                fields=["user", "kind"],
                condition=models.Q(read__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return self.text
