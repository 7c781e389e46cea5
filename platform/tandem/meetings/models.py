"""Meetings of a space: sessions, transnational meetings, seminars, visits.

Times are stored in UTC; each meeting keeps its own IANA time zone, and
repeating meetings are expanded in that zone, so a weekly 10:00 session
stays at 10:00 local time across daylight-saving changes.

Everything that belongs to one occurrence of a meeting (an answer, a
check-in, a move, a cancellation, the minutes) is keyed by the occurrence's
*original* start in UTC, the same value iCalendar calls ``RECURRENCE-ID``.
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import validate_time_zone

validate_web_link = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address that starts with https:// or http://."),
)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", _("peer-group session")
        TRANSNATIONAL = "transnational", _("transnational meeting")
        SEMINAR = "seminar", _("seminar")
        ONLINE = "online", _("online meeting")
        STUDY_VISIT = "study_visit", _("study visit")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    class Repeat(models.TextChoices):
        NONE = "", _("does not repeat")
        WEEKLY = "weekly", _("every week")
        BIWEEKLY = "biweekly", _("every two weeks")
        MONTHLY = "monthly", _("every month on the same weekday")

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_link = models.CharField(
        _("online link"), max_length=500, blank=True, validators=[validate_web_link]
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("The languages spoken at the meeting, separated by commas."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organiser"),
    )
    uid = models.CharField(max_length=120, unique=True, editable=False)
    # A partner's UID, for meetings imported from their calendar file.
    external_uid = models.CharField(max_length=255, blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    repeat = models.CharField(_("repeats"), max_length=16, choices=Repeat.choices, blank=True)
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    repeat_count = models.PositiveSmallIntegerField(_("number of times"), null=True, blank=True)
    # From the first start to the last end of all occurrences, moved ones too,
    # so calendar windows are one indexed range query.
    span_start = models.DateTimeField(editable=False)
    span_end = models.DateTimeField(editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["session", "transnational", "seminar", "online", "study_visit"]
                ),
                name="meeting_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(repeat="")
                | models.Q(repeat_until__isnull=False)
                | models.Q(repeat_count__isnull=False),
                name="meeting_repeat_has_end",
            ),
            models.UniqueConstraint(
                fields=["space", "external_uid"],
                condition=~models.Q(external_uid=""),
                name="meeting_external_uid_once_per_space",
            ),
        ]
        indexes = [
            models.Index(fields=["space", "span_start", "span_end"]),
            models.Index(fields=["span_end"]),
        ]

    def __str__(self):
        return self.title

    @property
    def duration(self):
        return self.end - self.start

    @property
    def is_repeating(self):
        return bool(self.repeat)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def language_list(self):
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class Occurrence(models.Model):
    """What happened to one occurrence: moved, cancelled, checked in, closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    check_in_code = models.CharField(max_length=12, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_html = models.TextField(editable=False, blank=True)
    attendee_count = models.PositiveIntegerField(_("number of people who came"), null=True)
    closed = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "original_start"], name="occurrence_once"),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=False, end__gt=models.F("start")),
                name="occurrence_moved_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.original_start:%Y-%m-%d %H:%M}"

    @property
    def is_moved(self):
        return self.start is not None


class AgendaItem(models.Model):
    """A part of a (multi-day) meeting that other features may attach to."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("seminar")
        STUDY_VISIT = "study_visit", _("study visit")
        LEARNING_CAFE = "learning_cafe", _("learning café")
        REFLECTION = "reflection", _("reflection round")
        OTHER = "other", _("other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="agendaitem_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title


class Rsvp(models.Model):
    """A person's answer for one occurrence, with what they need to take part."""

    class Answer(models.TextChoices):
        YES = "yes", _("yes")
        MAYBE = "maybe", _("maybe")
        NO = "no", _("no")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    occurrence = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_rsvps"
    )
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    # A "yes" when the meeting was full: waiting for a place, first come first.
    waiting_since = models.DateTimeField(null=True, blank=True)
    interpreter = models.BooleanField(_("I need an interpreter"), default=False)
    interpreter_language = models.CharField(
        _("interpreter for language"), max_length=60, blank=True
    )
    childcare = models.BooleanField(_("I need childcare"), default=False)
    accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    other_needs = models.CharField(_("anything else"), max_length=300, blank=True)
    answered = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "occurrence", "user"], name="rsvp_once"),
            models.CheckConstraint(
                condition=models.Q(answer__in=["yes", "maybe", "no"]), name="rsvp_answer_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "occurrence", "answer"]),
            models.Index(fields=["user", "occurrence"]),
        ]

    def __str__(self):
        return f"{self.user} · {self.answer}"

    @property
    def is_waiting(self):
        return self.waiting_since is not None

    @property
    def has_needs(self):
        return bool(self.interpreter or self.childcare or self.accessibility or self.other_needs)


class CheckIn(models.Model):
    """Someone was there: the attendance record of one occurrence."""

    class How(models.TextChoices):
        CODE = "code", _("checked in with the code")
        ORGANISER = "organiser", _("ticked by an organiser")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="check_ins")
    occurrence = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_check_ins"
    )
    at = models.DateTimeField(auto_now_add=True)
    how = models.CharField(max_length=12, choices=How.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "occurrence", "user"], name="checkin_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.meeting}"


class FeedToken(models.Model):
    """The secret in a person's calendar subscription URL (all spaces, or one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feeds"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "space"],
                condition=models.Q(revoked__isnull=True),
                name="feedtoken_one_live_per_scope",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.space or '*'}"


class MeetingPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_preference"
    )
    reminders = models.BooleanField(_("remind me of meetings I said yes to"), default=True)
    email_reminders = models.BooleanField(_("also by e-mail, when I have an address"), default=True)

    class Meta:
        verbose_name = _("meeting preference")
        verbose_name_plural = _("meeting preferences")

    def __str__(self):
        return str(self.user)


class ReminderSent(models.Model):
    """One reminder per person per occurrence, never two."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent = models.DateTimeField(auto_now_add=True)
    # The e-mail copy did not go yet (or failed): the next run of the reminders tries again.
    email_pending = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "occurrence", "user"], name="reminder_once")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.meeting_id} · {self.occurrence:%Y-%m-%d %H:%M}"


class CalendarImport(models.Model):
    """A checked partner calendar file, waiting for the organiser's confirmation."""

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    # How far the confirmation got: {"applied": n, "created": n, "updated": n, "left_out": n};
    # the first ``applied`` events are in the calendar, the rest wait for a confirm.
    progress = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    done = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.filename

    @property
    def applied(self):
        return (self.progress or {}).get("applied", 0)
