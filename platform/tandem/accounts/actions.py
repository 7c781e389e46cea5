"""Every write to people's accounts and organisations goes through here."""

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import audit

from .models import LanguageSkill, OrganisationRole, User
from .names import clean_display_name, name_key

PROFILE_FIELDS = ("display_name", "interface_language", "time_zone", "country", "email_digest")


def check_name_free(*, name, user=None, spaces=None):
    """Refuse a display name that copies a co-lead's in one of ``spaces``.

    ``spaces``: the spaces the person is in (default: those of ``user``) or is
    joining. Raises ValidationError keyed "display_name" (code "name_of_co_lead").
    """
    from tandem.spaces.models import Membership, Role

    key = name_key(name)
    if not key:
        return
    if spaces is None:
        spaces = Membership.objects.filter(user_id=getattr(user, "pk", None)).values("space_id")
    leads = (
        Membership.objects.filter(space__in=spaces, role__in=[Role.TUTOR, Role.COUNSELLOR])
        .exclude(user_id=getattr(user, "pk", None))
        .select_related("user", "space")
    )
    for lead in leads:
        if key in (name_key(lead.user.display_name), name_key(lead.user.username)):
            raise ValidationError(
                {
                    "display_name": ValidationError(
                        _(
                            "This name is too close to that of %(name)s, a co-lead in "
                            "%(space)s. Please choose another."
                        )
                        % {"name": lead.user.name, "space": lead.space.name},
                        code="name_of_co_lead",
                    )
                }
            )


def create_account(*, username, password, display_name="", interface_language="", space=None):
    """A new person, with or without an e-mail address (joining ``space``, if given).

    Raises ValidationError keyed by field ("username", "password", or a
    profile field), so a form can show each message beside its field.
    """
    username = (username or "").strip()
    display_name = clean_display_name(display_name)[:80]
    if space is not None:
        check_name_free(name=display_name or username, spaces=[space.pk])
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
        display_name=display_name,
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
        if field == "display_name":
            value = clean_display_name(value)[:80]
            check_name_free(name=value or user.username, user=user)
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
