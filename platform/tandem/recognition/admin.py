"""Operators may look at money records here, never change them.

Every change goes through the actions (and the database refuses changes to
approved and paid records anyway), so each admin here is read-only.
"""

from django.contrib import admin

from .models import Adjustment, AuditRow, Period, RateCard, SessionLog, Statement, StatementLine


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = ["date", "space", "tutor", "counsellor", "state", "amount", "currency"]
    list_filter = ["state", "currency"]
    list_select_related = ["space", "tutor", "counsellor"]
    date_hierarchy = "date"


@admin.register(RateCard)
class RateCardAdmin(ReadOnlyAdmin):
    list_display = [
        "organisation",
        "currency",
        "fee_per_session",
        "fee_per_hour",
        "valid_from",
        "valid_until",
    ]
    list_select_related = ["organisation"]


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "start", "end", "closed_at"]
    list_select_related = ["organisation"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["tutor", "organisation", "period", "currency", "closed", "paid_at"]
    list_select_related = ["tutor", "organisation", "period"]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "date", "log", "adjustment", "hours", "amount"]
    list_select_related = [
        "statement",
        "statement__tutor",
        "statement__organisation",
        "statement__period",
        "log",
        "log__space",
        "log__tutor",
        "adjustment",
    ]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["log", "amount", "reason", "created"]
    list_select_related = ["log", "log__space", "log__tutor"]


@admin.register(AuditRow)
class AuditRowAdmin(ReadOnlyAdmin):
    list_display = ["id", "created", "actor", "action", "from_state", "to_state", "log"]
    list_select_related = ["actor", "log", "log__space", "log__tutor"]
