import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("BE", _("Belgium")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
]


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone we know."),
            code="unknown_time_zone",
            params={"zone": value},
        )


class User(AbstractUser):
    """A person. The e-mail address is optional: many members have none."""

    email = models.EmailField(_("e-mail address"), blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    interface_language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Helsinki",
        validators=[validate_time_zone],
    )
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, blank=True)
    email_digest = models.BooleanField(_("send me e-mail about what I missed"), default=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.username


class LanguageSkill(models.Model):
    """A language a person speaks, with a CEFR level for the host language."""

    class Level(models.TextChoices):
        A1 = "A1", "A1"
        A2 = "A2", "A2"
        B1 = "B1", "B1"
        B2 = "B2", "B2"
        C1 = "C1", "C1"
        C2 = "C2", "C2"
        NATIVE = "native", _("first language")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=40)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)

    class Meta:
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "language"], name="languageskill_once_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=["A1", "A2", "B1", "B2", "C1", "C2", "native"]),
                name="languageskill_level_valid",
            ),
        ]

    def __str__(self):
        return f"{self.language} ({self.level})"


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationRole(models.Model):
    """A person's role in an organisation: its staff, or a coordinator."""

    class Role(models.TextChoices):
        STAFF = "staff", _("staff")
        COORDINATOR = "coordinator", _("coordinator")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisationrole_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=["staff", "coordinator"]),
                name="organisationrole_role_valid",
            ),
        ]
        # With the organisation in it, "which organisations does this person
        # coordinate" (asked on most pages) is read from the index alone.
        indexes = [models.Index(fields=["user", "role", "organisation"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
