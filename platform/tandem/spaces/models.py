from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Space(models.Model):
    """A place where people work together: a peer group or a practitioner space."""

    class Kind(models.TextChoices):
        PEER_GROUP = "peer_group", _("peer group")
        PRACTITIONER = "practitioner", _("practitioner space")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="spaces",
        verbose_name=_("organisation"),
        help_text=_("The organisation that runs this space."),
    )
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    rules = models.TextField(
        _("group rules"),
        blank=True,
        help_text=_("Shown to new members before their first message."),
    )
    rules_html = models.TextField(editable=False, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["peer_group", "practitioner"]),
                name="space_kind_valid",
            )
        ]
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self):
        return self.name

    @property
    def is_peer_group(self):
        return self.kind == self.Kind.PEER_GROUP


class Role(models.TextChoices):
    MEMBER = "member", _("member")
    TUTOR = "tutor", _("working-life tutor")
    COUNSELLOR = "counsellor", _("counsellor")
    PARTICIPANT = "participant", _("participant")
    FACILITATOR = "facilitator", _("facilitator")
    COORDINATOR = "coordinator", _("coordinator")


PEER_GROUP_ROLES = (Role.MEMBER, Role.TUTOR, Role.COUNSELLOR)
PRACTITIONER_ROLES = (Role.PARTICIPANT, Role.FACILITATOR, Role.COORDINATOR)


class Membership(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    joined = models.DateTimeField(_("joined"), default=timezone.now)
    rules_accepted = models.DateTimeField(null=True, blank=True, editable=False)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    # Who gave this role: the invitation's maker, or whoever added the person or
    # changed their role. Empty for roles given before Tandem kept this: unknown.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    # A second pair of eyes on a co-lead's role (another coordinator of the
    # organisation, or the operator): session logs are paid only on roles that
    # someone besides the approver vouched for.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # The chat written before this moment stays closed to the person until the
    # co-leads open it (a coordinator who joined a peer group); empty: all of it.
    history_from = models.DateTimeField(
        _("reads the chat from"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="membership_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="membership_role_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "space"]),
            models.Index(fields=["space", "role"]),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.space}"

    @property
    def is_co_lead(self):
        return self.role in (Role.TUTOR, Role.COUNSELLOR)


class Invitation(models.Model):
    """A link and a short code that let a person join a space with a role.

    The code is short enough to read aloud or type from a projector; the link
    carries a long token. Either works until it expires, runs out or is revoked.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    code = models.CharField(max_length=12, unique=True)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    max_uses = models.PositiveIntegerField(_("how many people may join with it"), default=30)
    uses = models.PositiveIntegerField(default=0)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")),
                name="invitation_uses_within_limit",
            )
        ]
        indexes = [models.Index(fields=["space", "-created"])]

    def __str__(self):
        return f"{self.space} · {self.code}"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked is None and self.uses < self.max_uses and self.expires > now


class JoinRequest(models.Model):
    """A coordinator's wish to become a member of a peer group, until a co-lead decides.

    A coordinator sees a group's pay, not its chat: joining one is the group's
    choice, made by its tutor or counsellor.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("waiting")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=models.Q(outcome="pending"),
                name="joinrequest_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["pending", "approved", "declined"]),
                name="joinrequest_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["space", "outcome"])]

    def __str__(self):
        return f"{self.user} → {self.space} ({self.outcome})"
