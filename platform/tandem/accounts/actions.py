"""Every write to people's accounts and organisations goes through here."""

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import audit

from .models import LanguageSkill, OrganisationRole, User

PROFILE_FIELDS = ("display_name", "interface_language", "time_zone", "country", "email_digest")


def create_account(*, username, password, display_name="", interface_language=""):
    """A new person, with or without an e-mail address.

    Raises ValidationError keyed by field ("username", "password", or a
    profile field), so a form can show each message beside its field.
    """
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ValidationError({"username": error.error_list}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {
                "username": ValidationError(
                    _("This username is not available. Please choose another."),
                    code="username_taken",
                )
            }
        )
    user = User(
        username=username,
        display_name=(display_name or "").strip()[:80],
        interface_language=interface_language or "",
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def update_profile(*, actor, user, **values):
    """Change one's own profile; nobody edits another person's profile here."""
    if actor.pk != user.pk:
        raise ValidationError(_("You can only change your own profile."), code="not_own")
    for field, value in values.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(field)
        setattr(user, field, value)
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=list(values))
    return user


def set_language_skills(*, actor, skills):
    """Replace one's languages with ``skills``: a list of (language, level)."""
    seen = set()
    rows = []
    for language, level in skills:
        language = language.strip()
        if not language:
            continue
        if language.lower() in seen:
            raise ValidationError(_("Each language can be listed once."), code="language_twice")
        if level not in LanguageSkill.Level.values:
            raise ValidationError(_("Choose a level."), code="level_missing")
        seen.add(language.lower())
        rows.append(LanguageSkill(user=actor, language=language[:40], level=level))
    with transaction.atomic():
        LanguageSkill.objects.filter(user=actor).delete()
        LanguageSkill.objects.bulk_create(rows)
    return rows


def save_profile(*, actor, user, skills, **values):
    """The profile page: languages and profile fields together, or neither."""
    with transaction.atomic():
        set_language_skills(actor=actor, skills=skills)
        return update_profile(actor=actor, user=user, **values)


def set_organisation_role(*, actor, organisation, user, role):
    """Operators name an organisation's staff and coordinators."""
    if not actor.is_superuser:
        raise ValidationError(_("Only operators can do this."), code="operator_only")
    with transaction.atomic():
        row, _created = OrganisationRole.objects.update_or_create(
            organisation=organisation, user=user, defaults={"role": role}
        )
        audit.record(
            actor=actor,
            action="organisation.role_set",
            target=f"user:{user.pk}",
            organisation=organisation.pk,
            role=role,
        )
    return row


def remove_organisation_role(*, actor, role):
    """Operators take an organisation role away again; audited like naming it."""
    if not actor.is_superuser:
        raise ValidationError(_("Only operators can do this."), code="operator_only")
    with transaction.atomic():
        deleted, _rows = OrganisationRole.objects.filter(pk=role.pk).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="organisation.role_removed",
                target=f"user:{role.user_id}",
                organisation=role.organisation_id,
                role=role.role,
            )
