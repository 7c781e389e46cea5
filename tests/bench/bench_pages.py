"""Pages and growth data in the bench database, and queries per page (run under Django).

bench_pages.py setup <growth sizes, comma-separated>
    a "Pages group" with 10 members, a conversation of 50 messages (posted through
    chat's action), meetings, a tutor's statement; one conversation per growth size,
    its rows bulk-inserted with SQL. Prints the URLs and session keys as JSON.
bench_pages.py queries <json file of {name: url}> <user id>
    queries per page, measured in-process with CaptureQueriesContext (second visit),
    and EXPLAIN of each list query: does it use an index?
"""

import datetime as dt
import json
import sys
import traceback
from decimal import Decimal

import django

django.setup()

from bench_setup import session_for  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from tandem.accounts.models import Organisation, OrganisationRole, User  # noqa: E402
from tandem.spaces.models import Membership, Role, Space  # noqa: E402

TEXT = (
    "Hyvää huomenta! I sent two applications yesterday and have an interview on **Friday**; "
    "could someone practise the usual questions with me? Kiitos."
)


def person(name, **extra):
    user, made = User.objects.get_or_create(
        username=name, defaults={"display_name": name.title(), **extra}
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def member(space, user, role, granted_by=None):
    Membership.objects.get_or_create(
        space=space,
        user=user,
        defaults={"role": role, "rules_accepted": timezone.now(), "granted_by": granted_by},
    )


def chat_page(space, people, notes):
    from tandem.chat import actions as chat

    conversation = chat.main_conversation(space=space)
    for i in range(50 - conversation.last_seq):
        chat.post_message(
            actor=people[i % len(people)],
            conversation=conversation,
            body=f"{TEXT} ({i})",
            client_id=f"pages-{i}",
        )
    # what one post costs: its queries, counted in-process
    import time

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.process_time()
        chat.post_message(
            actor=people[1], conversation=conversation, body=TEXT, client_id="pages-cost"
        )
        took = time.process_time() - t0
    notes.append(
        f"one chat post (chat.actions.post_message) runs {len(ctx.captured_queries)} queries "
        f"and took {took * 1000:.1f} ms of CPU in-process"
    )
    return f"/spaces/{space.pk}/chat/{conversation.pk}/"


def meetings(space, organiser, notes):
    from tandem.meetings import actions as meet

    tz = "Europe/Helsinki"
    base = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0)
    kinds = __import__("tandem.meetings.models", fromlist=["Meeting"]).Meeting.Kind.values
    for i in range(6):
        start = (base + dt.timedelta(days=i * 3 + 1)).replace(tzinfo=None)
        meet.schedule_meeting(
            actor=organiser,
            space=space,
            title=f"Peer meeting {i}",
            kind=kinds[0],
            time_zone=tz,
            start=start,
            end=start + dt.timedelta(hours=2),
            repeat="weekly" if i == 0 else "",
            repeat_count=8 if i == 0 else None,
        )
    return f"/spaces/{space.pk}/meetings/"


def statement(space, org, tutor, counsellor, coordinator, attendee, notes):
    from tandem.recognition import actions as rec
    from tandem.recognition.models import Statement

    rec.create_rate_card(
        actor=coordinator,
        organisation=org,
        currency="EUR",
        fee_per_session=Decimal("40.00"),
        fee_per_hour=Decimal("20.00"),
        preparation_paid=True,
        valid_from=timezone.localdate() - dt.timedelta(days=3650),
    )
    for i in range(10):
        day = timezone.now() - dt.timedelta(days=i + 1)
        start = day.replace(hour=7 + (i % 5), minute=0, second=0, microsecond=0)
        log = rec.create_log(
            actor=tutor,
            space=space,
            counsellor=counsellor,
            start=start,
            end=start + dt.timedelta(hours=1),
            preparation_minutes=15,
            attendees=[attendee],
            topics="CV writing",
        )
        rec.submit_log(actor=tutor, log=log)
        rec.confirm_log(actor=counsellor, log=log)
        rec.approve_log(actor=coordinator, log=log)
    found = Statement.objects.filter(tutor=tutor).order_by("-pk").first()
    if found is None:
        notes.append("statement: approving logs made no statement")
        return None
    return f"/statements/{found.pk}/"


def grow(space, author, sizes):
    """One conversation per size, filled with bulk SQL inserts (messages and their events)."""
    from tandem.chat.models import ChatEvent, Conversation, Message
    from tandem.core import richtext

    html = richtext.render(TEXT)
    out = {}
    msg_table = Message._meta.db_table
    ev_table = ChatEvent._meta.db_table
    posted = ChatEvent.Kind.POSTED
    for size in sizes:
        conversation = Conversation.objects.create(space=space, title=f"Growth {size}")
        now = timezone.now()
        batch = 20000
        with connection.cursor() as cur:
            for lo in range(1, size + 1, batch):
                hi = min(lo + batch, size + 1)
                with transaction.atomic():
                    cur.executemany(
                        f"INSERT INTO {msg_table} (conversation_id, author_id, body, body_html, "  # noqa: S608
                        "lang, client_id, seq, created, hidden_reason) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [
                            (
                                conversation.pk,
                                author.pk,
                                TEXT,
                                html,
                                "en",
                                f"g{conversation.pk}-{seq}",
                                seq,
                                now - dt.timedelta(seconds=size - seq),
                                "",
                            )
                            for seq in range(lo, hi)
                        ],
                    )
                    cur.execute(
                        f"INSERT INTO {ev_table} (conversation_id, seq, kind, message_id, created) "  # noqa: S608
                        f"SELECT conversation_id, seq, %s, id, created FROM {msg_table} "
                        "WHERE conversation_id = %s AND seq >= %s AND seq < %s",
                        [posted, conversation.pk, lo, hi],
                    )
        Conversation.objects.filter(pk=conversation.pk).update(last_seq=size)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {msg_table}")
                cur.execute(f"ANALYZE {ev_table}")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        out[size] = {
            "latest": f"/spaces/{space.pk}/chat/{conversation.pk}/",
            "history": f"/spaces/{space.pk}/chat/{conversation.pk}/?before={size // 2}",
        }
    return out


def setup(sizes):
    notes = []
    org, _ = Organisation.objects.get_or_create(name="Pages organisation")
    space, _ = Space.objects.get_or_create(
        name="Pages group", organisation=org, defaults={"kind": Space.Kind.PEER_GROUP}
    )
    people = [person(f"pages{i:02d}") for i in range(10)]
    for p in people:
        member(space, p, Role.MEMBER)
    tutor = person("pagestutor")
    counsellor = person("pagescounsellor")
    coordinator = person("pagescoordinator")
    # a second coordinator grants the co-leads' roles, so the first may approve (four eyes)
    granter = person("pagescoordinator2")
    for who in (coordinator, granter):
        OrganisationRole.objects.get_or_create(
            organisation=org, user=who, defaults={"role": OrganisationRole.Role.COORDINATOR}
        )
    member(space, tutor, Role.TUTOR, granted_by=granter)
    member(space, counsellor, Role.COUNSELLOR, granted_by=granter)
    urls = {"dashboard": "/"}
    for name, make in [
        ("chat page (50 messages)", lambda: chat_page(space, people, notes)),
        ("space calendar", lambda: meetings(space, tutor, notes)),
        ("my calendar", lambda: "/meetings/"),
        (
            "statement",
            lambda: statement(space, org, tutor, counsellor, coordinator, people[0], notes),
        ),
    ]:
        try:
            url = make()
            if url:
                urls[name] = url
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            notes.append(f"{name}: not measured ({exc.__class__.__name__}: {exc})")
    notes.append("board (café): not measured, the café app does not exist yet")
    growth = {}
    if sizes:
        try:
            growth = grow(space, people[1], sizes)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            notes.append(f"growth: not measured ({exc.__class__.__name__}: {exc})")
    viewer = people[0]
    print(
        json.dumps(
            {
                "urls": urls,
                "viewer": viewer.pk,
                "session": session_for(viewer),
                "tutor": tutor.pk,
                "tutor_session": session_for(tutor),
                "growth": growth,
                "notes": notes,
            }
        )
    )


def explain(sql, params):
    """(uses an index?, plan text) for one SELECT."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[-1] for row in cur.fetchall()]
            scans = [
                p
                for p in plan
                if p.startswith("SCAN ")
                and "USING" not in p
                and "CONSTANT ROW" not in p
                and "SUBQUERY" not in p
            ]
            return not scans, "; ".join(plan)
        # Tables this small are read whole whatever their indexes: with sequential scans
        # discouraged, a Seq Scan left in the plan means no index can serve that read.
        with transaction.atomic():
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cur.fetchall()]
        seq = [p.strip() for p in plan if "Seq Scan" in p]
        return not seq, "; ".join(seq or [p.strip() for p in plan])


def queries(path, user_id, tutor_id):
    urls = json.load(open(path))  # noqa: SIM115
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    out = {}
    for name, url in urls.items():
        uid = tutor_id if name == "statement" else user_id
        client = Client()
        client.force_login(User.objects.get(pk=uid))
        client.get(url)  # warm caches and mark read, like a second visit
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        lists = []
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            # the logged SQL has the values inlined: explain it as it stands
            try:
                uses_index, plan = explain(sql, None)
            except Exception as exc:
                uses_index, plan = None, f"not explained: {exc}"
            lists.append({"sql": sql[:300], "index": uses_index, "plan": plan[:300]})
        out[name] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "selects": lists,
            "writes": [
                q["sql"][:120]
                for q in ctx.captured_queries
                if not q["sql"].lstrip().upper().startswith("SELECT")
            ],
        }
    print(json.dumps({"vendor": connection.vendor, "pages": out}))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup([int(s) for s in sys.argv[2].split(",") if s])
    else:
        queries(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
