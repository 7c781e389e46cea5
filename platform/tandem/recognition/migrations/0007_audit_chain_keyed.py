"""From here on the audit chain is keyed (HMAC-SHA256 under ``AUDIT_CHAIN_KEY``).

Rows already stored keep their plain SHA-256 hashes: audit rows are never
changed, so nothing is re-hashed and nothing is lost. Instead one keyed row,
``chain.keyed``, is appended after them, naming how many unkeyed rows there
are and the hash of the last one. ``verify_audit_chain`` accepts unkeyed rows
only before that row, and only as many as it names with that last hash: a
chain recomputed later without the key no longer checks out.

The new row belongs to the organisation of the last stored row (audit rows
always name one). A database with no audit rows gets none.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def anchor(apps, schema_editor):
    AuditRow = apps.get_model("recognition", "AuditRow")
    ChainHead = apps.get_model("recognition", "ChainHead")
    last = AuditRow.objects.order_by("-id").first()
    if last is None:
        return
    head, _created = ChainHead.objects.get_or_create(pk=1)
    unkeyed = AuditRow.objects.count()
    row = AuditRow(
        created=timezone.now(),
        actor=None,
        action="chain.keyed",
        log=None,
        statement=None,
        organisation_id=last.organisation_id,
        from_state="",
        to_state="",
        reason="",
        data={"unkeyed_rows": unkeyed, "unkeyed_head": last.hash},
        previous_hash=last.hash,
    )
    content = {
        "created": row.created.isoformat(),
        "actor": None,
        "action": row.action,
        "log": None,
        "statement": None,
        "organisation": row.organisation_id,
        "from": "",
        "to": "",
        "reason": "",
        "data": row.data,
    }
    row.hash = hmac.new(
        settings.AUDIT_CHAIN_KEY.encode(), last.hash.encode() + _canonical(content), hashlib.sha256
    ).hexdigest()
    row.save()
    head.last_hash = row.hash
    head.save(update_fields=["last_hash"])


class Migration(migrations.Migration):
    dependencies = [("recognition", "0006_adjustment_second_approval_and_reversal")]

    operations = [migrations.RunPython(anchor, migrations.RunPython.noop)]
