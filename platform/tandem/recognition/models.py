"""Tutors' session logs, the rates they are paid at, statements and the audit chain.

Money rows are append-only once they count: approved and paid logs, statement
lines, paid statements, closed periods and audit rows are guarded by database
triggers (see the migration ``0002_money_guards``) besides the actions' checks.
"""

import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CURRENCIES = [
    ("EUR", _("euro (EUR)")),
    ("SEK", _("Swedish krona (SEK)")),
    ("NOK", _("Norwegian krone (NOK)")),
    ("DKK", _("Danish krone (DKK)")),
    ("PLN", _("Polish złoty (PLN)")),
    ("CHF", _("Swiss franc (CHF)")),
    ("GBP", _("pound sterling (GBP)")),
]
CURRENCY_CODES = [code for code, _label in CURRENCIES]
# The currency an organisation pays in when several rate cards are in force.
HOME_CURRENCY = {"SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN"}

MAX_SESSION_HOURS = 12
MAX_PREPARATION_MINUTES = 600
CENT = Decimal("0.01")
# Decimal places of each currency's minor unit (ISO 4217); every listed one has cents.
MINOR_UNIT_DIGITS = {code: 2 for code in CURRENCY_CODES}
_MICROSECONDS_PER_HOUR = 3600 * 10**6


def exact_amount(*, currency, fee_per_session, fee_per_hour, duration, preparation_minutes):
    """fee per session + fee per hour × (``duration`` + preparation), rounded once.

    Works in whole minor units and microseconds, so nothing is rounded before
    the one half-up rounding of the amount to the currency's minor unit.
    ``preparation_minutes`` is what is paid (0 where preparation is not).
    """
    scale = 10 ** MINOR_UNIT_DIGITS.get(currency, 2)
    per_session = int((fee_per_session or Decimal(0)) * scale)
    per_hour = int((fee_per_hour or Decimal(0)) * scale)
    microseconds = duration // timedelta(microseconds=1) + preparation_minutes * 60 * 10**6
    units, rest = divmod(per_hour * microseconds, _MICROSECONDS_PER_HOUR)
    if 2 * rest >= _MICROSECONDS_PER_HOUR:
        units += 1
    return Decimal(per_session + units) / scale


class RateCard(models.Model):
    """What an organisation pays for a session, from ``valid_from`` to ``valid_until``."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="rate_cards"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    fee_per_session = models.DecimalField(
        _("fee per session"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_per_hour = models.DecimalField(
        _("fee per hour"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    preparation_paid = models.BooleanField(_("preparation time is paid"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty while it is in force.")
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")
        ordering = ["organisation", "currency", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__in=CURRENCY_CODES), name="ratecard_currency_known"
            ),
            models.CheckConstraint(
                condition=Q(fee_per_session__isnull=False) | Q(fee_per_hour__isnull=False),
                name="ratecard_has_a_fee",
            ),
            models.CheckConstraint(
                condition=(Q(fee_per_session__isnull=True) | Q(fee_per_session__gte=0))
                & (Q(fee_per_hour__isnull=True) | Q(fee_per_hour__gte=0)),
                name="ratecard_fees_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="ratecard_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "currency", "valid_from"])]

    def __str__(self):
        return f"{self.organisation} · {self.currency} · {self.valid_from}"

    def covers(self, day):
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def amount_for(self, duration, preparation_minutes):
        """The pay for a session lasting ``duration`` (a timedelta), rounded once."""
        return exact_amount(
            currency=self.currency,
            fee_per_session=self.fee_per_session,
            fee_per_hour=self.fee_per_hour,
            duration=duration,
            preparation_minutes=preparation_minutes if self.preparation_paid else 0,
        )


class SessionLog(models.Model):
    """A tutor's record of one session they co-led: the thing that gets paid."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        CONFIRMED = "confirmed", _("confirmed")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")

    FROZEN_STATES = ("approved", "paid")

    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_logs"
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.PROTECT,
        related_name="session_logs",
        verbose_name=_("peer group"),
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="session_logs_to_confirm",
        verbose_name=_("co-leading counsellor"),
    )
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    preparation_minutes = models.PositiveIntegerField(
        _("preparation (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_PREPARATION_MINUTES)],
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sessions_attended",
        verbose_name=_("members present"),
    )
    topics = models.TextField(_("topics"), blank=True)
    methods = models.TextField(_("methods"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The scheduled meeting (tandem.meetings) and the occurrence, by its original
    # start, that this session was. A plain number, not a foreign key: a log
    # that counts for money outlives any change to the calendar.
    meeting_id = models.PositiveIntegerField(null=True, blank=True)
    meeting_occurrence = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    returned_reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Frozen at approval: later changes to the rate card never reach these.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rate_card = models.ForeignKey(RateCard, null=True, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, blank=True)
    fee_per_session = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    fee_per_hour = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    preparation_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "confirmed", "approved", "paid"]),
                name="sessionlog_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="sessionlog_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(preparation_minutes__lte=MAX_PREPARATION_MINUTES),
                name="sessionlog_preparation_bounded",
            ),
            models.CheckConstraint(
                condition=~Q(tutor=models.F("counsellor")),
                name="sessionlog_two_co_leads",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "confirmed"])
                | Q(
                    amount__isnull=False,
                    amount__gte=0,
                    hours__isnull=False,
                    rate_card__isnull=False,
                    approved_at__isnull=False,
                    approved_by__isnull=False,
                    currency__in=CURRENCY_CODES,
                ),
                name="sessionlog_approved_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(paid_at__isnull=False),
                name="sessionlog_paid_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["tutor", "-start"]),
            # The dashboard's count of a tutor's drafts, from the index alone.
            models.Index(fields=["tutor", "state"]),
            models.Index(fields=["space", "state"]),
            models.Index(fields=["counsellor", "state"]),
            models.Index(fields=["state", "date"]),
        ]

    def __str__(self):
        return f"{self.space} · {self.date} · {self.tutor}"

    @property
    def is_frozen(self):
        return self.state in self.FROZEN_STATES

    @property
    def duration_hours(self):
        """Hours to show, to cents; the amount is priced from the exact duration."""
        return (Decimal((self.end - self.start).total_seconds()) / Decimal(3600)).quantize(CENT)

    def exact_amount(self):
        """What an approved log comes to at its frozen fees, priced from minutes."""
        return exact_amount(
            currency=self.currency,
            fee_per_session=self.fee_per_session,
            fee_per_hour=self.fee_per_hour,
            duration=self.end - self.start,
            preparation_minutes=self.preparation_minutes if self.rate_card.preparation_paid else 0,
        )


class Period(models.Model):
    """A stretch of days whose approved logs go on one statement per tutor and currency.

    A month by default; a coordinator may set another range before approving
    into it. Once closed, nothing more is approved into it.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="recognition_periods"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["organisation", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="period_days_ordered"
            ),
            models.UniqueConstraint(fields=["organisation", "start"], name="period_start_once"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.start} – {self.end}"

    @property
    def is_closed(self):
        return self.closed_at is not None


class Statement(models.Model):
    """One tutor's approved sessions and adjustments in one period and currency."""

    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="statements"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="statements")
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    closed = models.BooleanField(default=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-period__start", "tutor_id", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["tutor", "period", "currency"], name="statement_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=CURRENCY_CODES), name="statement_currency_known"
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(closed=True),
                name="statement_paid_only_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "period"])]

    def __str__(self):
        return f"{self.tutor} · {self.period} · {self.currency}"

    @property
    def is_paid(self):
        return self.paid_at is not None


class Adjustment(models.Model):
    """A correction of an approved log found later: it points at the original."""

    log = models.ForeignKey(SessionLog, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The second coordinator who approved a correction above the share one may make alone.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The mistaken adjustment this one cancels (its amount negated); shown beside it.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
        ]

    def __str__(self):
        return f"{self.log} · {self.amount}"


class AdjustmentRequest(models.Model):
    """A correction too large for one coordinator: it waits for a second one.

    Nothing counts until another coordinator approves it; the adjustment it
    then becomes names both.
    """

    log = models.ForeignKey(
        SessionLog, on_delete=models.PROTECT, related_name="adjustment_requests"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adjustment = models.OneToOneField(
        Adjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )

    class Meta:
        verbose_name = _("adjustment waiting for approval")
        verbose_name_plural = _("adjustments waiting for approval")
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustmentrequest_not_zero"),
        ]

    def __str__(self):
        return f"{self.log} · {self.amount}"


class StatementLine(models.Model):
    """One approved log, or one adjustment, on a statement. Never changed."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    log = models.OneToOneField(
        SessionLog, null=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    adjustment = models.OneToOneField(
        Adjustment, null=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(log__isnull=False) & Q(adjustment__isnull=True))
                | (Q(log__isnull=True) & Q(adjustment__isnull=False)),
                name="statementline_log_or_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(adjustment__isnull=False) | Q(amount__gte=0, hours__gt=0),
                name="statementline_session_amount_valid",
            ),
        ]

    def __str__(self):
        return f"{self.statement} · {self.date} · {self.amount}"

    @property
    def preparation_hours(self):
        """Paid preparation in this line (frozen on the log at approval); none on corrections."""
        return (self.log.preparation_hours or Decimal(0)) if self.log_id else Decimal(0)


def canonical(fields):
    """The bytes an audit row's hash covers: sorted-key JSON, no whitespace."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


class AuditRow(models.Model):
    """One change of money or of a log's state: who, when, from, to, why.

    Rows form a chain: ``hash`` is the HMAC-SHA256, under a key kept outside
    the database (``AUDIT_CHAIN_KEY``), of the previous row's hash and this
    row's canonical content, so an edited or removed row shows (``chain.py``).
    """

    created = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    log = models.ForeignKey(
        SessionLog, null=True, on_delete=models.PROTECT, related_name="audit_rows"
    )
    statement = models.ForeignKey(
        Statement, null=True, on_delete=models.PROTECT, related_name="audit_rows"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("recognition audit row")
        verbose_name_plural = _("recognition audit rows")
        ordering = ["id"]
        indexes = [models.Index(fields=["log", "id"])]

    def __str__(self):
        return f"{self.pk} {self.action} {self.from_state}->{self.to_state}"

    def content(self):
        return {
            "created": self.created.isoformat(),
            "actor": self.actor_id,
            "action": self.action,
            "log": self.log_id,
            "statement": self.statement_id,
            "organisation": self.organisation_id,
            "from": self.from_state,
            "to": self.to_state,
            "reason": self.reason,
            "data": self.data,
        }


class ChainHead(models.Model):
    """The one row writers lock to append to the audit chain in order."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return self.last_hash
