"""The chat without JavaScript: a page with a form, history pages, moderation pages."""

import asyncio
import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tandem.chat import actions
from tandem.chat.models import Message, Report

from tests.realtime.helpers import accept_rules


@pytest.fixture
def chat(world, settings):
    # Tests post many messages quickly; the rate limit has tests of its own.
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    for role in ("member", "tutor", "counsellor"):
        accept_rules(world.people[role], world.spaces["group_a"])
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    return conversation


def url(chat, **params):
    base = reverse("chat:conversation", args=[chat.space_id, chat.pk])
    if params:
        base += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return base


def many(world, chat, count, role="tutor", prefix="m"):
    for n in range(count):
        actions.post_message(
            actor=world.people[role],
            conversation=chat,
            body=f"{prefix} {n}",
            client_id=f"{prefix}-{n}",
        )
    chat.refresh_from_db()


def client_id_in(body):
    return re.search(r'name="client_id" value="([^"]+)"', body).group(1)


def test_index_leads_to_the_main_conversation(world, client_for, chat):
    response = client_for("member").get(reverse("chat:index", args=[chat.space_id]))
    assert response.status_code == 302 and response["Location"] == url(chat)


def test_member_reads_messages_with_language_and_direction(world, client_for, chat):
    body = client_for("member").get(url(chat)).content.decode()
    message = world.objects["message_group_a"]
    assert message.body in body
    # Its lang is kept; each paragraph takes its direction from its text (tandem.css).
    assert '<div class="chat-body" lang="en">' in body
    # The hidden message shows as hidden, its text and reason do not.
    hidden = world.objects["message_group_a_hidden"]
    assert hidden.body not in body and hidden.hidden_reason not in body
    assert "A co-lead hid this message." in body


@pytest.mark.parametrize("role", ["coordinator", "staff", "other_coordinator", "outsider"])
def test_coordinators_and_staff_who_are_not_members_never_read_the_chat(
    world, client_for, chat, role
):
    response = client_for(role).get(url(chat))
    assert response.status_code in (403, 404)
    assert world.objects["message_group_a"].body not in response.content.decode()


def test_chat_link_in_space_menu_only_for_readers(world, client_for, chat):
    home = reverse("spaces:home", args=[chat.space_id])
    chat_url = reverse("chat:index", args=[chat.space_id])
    assert chat_url in client_for("member").get(home).content.decode()
    assert chat_url not in client_for("coordinator").get(home).content.decode()


def test_posting_over_http_redirects_to_the_message(world, client_for, chat):
    client = client_for("member")
    client_id = client_id_in(client.get(url(chat)).content.decode())
    response = client.post(url(chat), {"body": "hei *kaikki*", "client_id": client_id})
    message = Message.objects.get(client_id=client_id)
    assert response.status_code == 302 and response["Location"].endswith(f"#m-{message.seq}")
    assert message.body_html == "<p>hei <em>kaikki</em></p>"


def test_a_resubmitted_form_never_posts_twice(world, client_for, chat):
    client = client_for("member")
    client_id = client_id_in(client.get(url(chat)).content.decode())
    for _ in range(3):
        client.post(url(chat), {"body": "once please", "client_id": client_id})
    assert Message.objects.filter(client_id=client_id).count() == 1


def test_each_page_load_has_a_new_client_id(world, client_for, chat):
    client = client_for("member")
    first = client_id_in(client.get(url(chat)).content.decode())
    second = client_id_in(client.get(url(chat)).content.decode())
    assert first != second


@pytest.mark.django_db(transaction=True)
async def test_same_client_id_ten_times_at_once_over_http(world, chat):
    """Ten posts at once through the real ASGI handler: one message, ten equal answers."""
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    from tests.realtime.helpers import session_key

    key = await sync_to_async(session_key)(world.people["member"])

    async def send():
        client = AsyncClient()
        client.cookies["sessionid"] = key
        response = await client.post(url(chat), {"body": "at once", "client_id": "http-same"})
        return response.status_code, response.get("Location")

    results = await asyncio.gather(*(send() for _ in range(10)))
    count = await sync_to_async(Message.objects.filter(client_id="http-same").count)()
    assert count == 1
    assert len(set(results)) == 1 and results[0][0] == 302


@pytest.mark.django_db(transaction=True)
def test_same_client_id_ten_threads_at_once_on_postgresql(world, chat):
    """Truly parallel requests need a server database (SQLite in memory locks tables)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the services profile)")
    member = world.people["member"]
    results = []
    barrier = threading.Barrier(10)

    def send():
        client = Client()
        client.force_login(member)
        barrier.wait()
        response = client.post(url(chat), {"body": "at once", "client_id": "http-threads"})
        results.append((response.status_code, response.get("Location")))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Message.objects.filter(client_id="http-threads").count() == 1
    assert len(results) == 10 and len(set(results)) == 1


def test_same_client_id_with_other_text_is_refused_over_http(world, client_for, chat):
    client = client_for("member")
    client.post(url(chat), {"body": "first", "client_id": "http-2"})
    response = client.post(url(chat), {"body": "second", "client_id": "http-2"})
    assert response.status_code == 200
    assert "This message id was already used" in response.content.decode()
    assert Message.objects.get(client_id="http-2").body == "first"


@pytest.mark.parametrize(("body", "error"), [("   ", "This field is required"), ("x" * 4001, "")])
def test_bad_posts_show_an_error_and_store_nothing(world, client_for, chat, body, error):
    count = Message.objects.count()
    response = client_for("member").post(url(chat), {"body": body, "client_id": "bad-http"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Message.objects.count() == count


def test_script_in_a_message_is_shown_as_text(world, client_for, chat):
    client = client_for("member")
    client.post(url(chat), {"body": "<script>alert(1)</script>", "client_id": "xss-1"})
    body = client.get(url(chat)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_rules_are_shown_before_the_first_post(world, client_for):
    conversation = world.objects["conversation_group_a"]
    client = client_for("member")
    body = client.get(url(conversation)).content.decode()
    assert world.spaces["group_a"].rules in body
    assert 'id="post-form"' not in body
    response = client.post(url(conversation), {"body": "hi", "client_id": "rules-1"})
    assert response.status_code == 302
    assert reverse("spaces:rules", args=[conversation.space_id]) in response["Location"]
    assert not Message.objects.filter(client_id="rules-1").exists()
    client.post(reverse("spaces:rules", args=[conversation.space_id]), {"next": url(conversation)})
    assert 'id="post-form"' in client.get(url(conversation)).content.decode()


def test_older_links_walk_back_through_history_once(world, client_for, chat, settings):
    settings.TANDEM = {**settings.TANDEM, "PAGE_SIZE": 5}
    many(world, chat, 12)
    client = client_for("member")
    seen = []
    page = url(chat)
    for _ in range(10):
        body = client.get(page).content.decode()
        seen = [int(s) for s in re.findall(r'data-seq="(\d+)"', body)] + seen
        older = re.search(r'href="\?before=(\d+)" rel="prev"', body)
        if not older:
            break
        page = url(chat, before=older.group(1))
    messages = list(Message.objects.filter(conversation=chat).values_list("seq", flat=True))
    assert seen == sorted(messages)


def _count_queries(client, address):
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_count_is_constant_on_the_chat_page(world, client_for, chat):
    client = client_for("member")
    many(world, chat, 3, prefix="a")
    client.get(url(chat))
    many(world, chat, 1, prefix="b")
    few = _count_queries(client, url(chat))
    many(world, chat, 40, prefix="c", role="counsellor")
    lots = _count_queries(client, url(chat))
    assert few == lots


def test_chat_page_stays_within_ten_queries_however_long_the_history(world, client_for, chat):
    """A return visit with nothing new (mark_read then has nothing to do)."""
    client = client_for("member")
    topic = world.objects["topic_group_a"]
    topic.space = chat.space
    counts = []
    for size in (10, 30):
        many(world, chat, size, prefix=f"h{size}", role="counsellor")
        for n in range(size):
            actions.post_message(
                actor=world.people["tutor"], conversation=topic, body="t", client_id=f"t{size}-{n}"
            )
        client.get(url(chat))
        counts.append(_count_queries(client, url(chat)))
    # 8 for the page itself, the people the message box offers to mention, and the
    # header's unread badge (notifications and messages)
    assert counts[0] == counts[1] <= 10, counts


def test_query_count_is_constant_on_history_pages(world, client_for, chat, settings):
    settings.TANDEM = {**settings.TANDEM, "PAGE_SIZE": 10}
    many(world, chat, 5, prefix="a")
    client = client_for("member")
    few = _count_queries(client, url(chat, before=chat.last_seq))
    many(world, chat, 30, prefix="b", role="counsellor")
    lots = _count_queries(client, url(chat, before=chat.last_seq))
    assert few == lots


def test_date_separators_are_in_the_readers_time_zone(world, client_for, chat):
    late = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    Message.objects.filter(conversation=chat).update(created=late)
    member = world.people["member"]
    member.time_zone = "Asia/Tokyo"
    member.save()
    assert "2 January 2026" in client_for("member").get(url(chat)).content.decode()
    member.time_zone = "America/Bogota"
    member.save()
    body = client_for("member").get(url(chat)).content.decode()
    assert "1 January 2026" in body and "2 January 2026" not in body


def _line_of(body, message):
    start = body.index(f'id="m-{message.seq}"')
    return body[start : body.index("</li>", start)]


def test_each_message_links_to_its_own_actions_at_the_readers_time(world, client_for, chat):
    many(world, chat, 1, role="member", prefix="mine")
    many(world, chat, 1, role="counsellor", prefix="theirs")
    mine = Message.objects.get(client_id="mine-0")
    theirs = Message.objects.get(client_id="theirs-0")
    Message.objects.filter(pk=mine.pk).update(created=datetime(2026, 3, 5, 7, 5, tzinfo=UTC))
    tutor = world.people["tutor"]
    tutor.time_zone = "Asia/Kolkata"
    tutor.save()
    space = chat.space_id
    body = client_for("tutor").get(url(chat)).content.decode()
    line = _line_of(body, mine)
    # A co-lead reads others' messages: report, hide and pause, each for that message.
    for name, key in (
        ("message_report", mine.pk),
        ("message_hide", mine.pk),
        ("member_mute", mine.author_id),
    ):
        assert f'href="{reverse(f"chat:{name}", args=[space, key])}"' in line
    assert reverse("chat:message_edit", args=[space, mine.pk]) not in line
    assert '<time datetime="2026-03-05T12:35:00+05:30">12:35</time>' in line
    own = _line_of(client_for("counsellor").get(url(chat)).content.decode(), theirs)
    for name in ("message_edit", "message_delete"):
        assert f'href="{reverse(f"chat:{name}", args=[space, theirs.pk])}"' in own
    assert reverse("chat:member_mute", args=[space, theirs.author_id]) not in own


def test_new_messages_divider_shows_what_came_since_last_visit(world, client_for, chat):
    client = client_for("member")
    client.get(url(chat))
    assert 'id="new"' not in client.get(url(chat)).content.decode()
    many(world, chat, 2, prefix="fresh")
    body = client.get(url(chat)).content.decode()
    divider = body.index('id="new"')
    assert body.index("fresh 0") > divider
    assert 'id="new"' not in client.get(url(chat)).content.decode()


def test_dashboard_shows_unread_counts(world, client_for, chat):
    many(world, chat, 2)
    body = client_for("member").get(reverse("dashboard")).content.decode()
    assert "3 new messages" in body
    assert url(chat) in body
    body = client_for("coordinator").get(reverse("dashboard")).content.decode()
    assert url(chat) not in body


def test_edit_and_delete_own_message_over_http(world, client_for, chat):
    client = client_for("member")
    message = world.objects["message_group_a"]
    edit = reverse("chat:message_edit", args=[chat.space_id, message.pk])
    assert client.post(edit, {"body": "changed text"}).status_code == 302
    message.refresh_from_db()
    assert message.body == "changed text" and message.edited
    assert "edited" in client.get(url(chat)).content.decode()
    assert client_for("tutor").post(edit, {"body": "not mine"}).status_code == 403
    delete = reverse("chat:message_delete", args=[chat.space_id, message.pk])
    assert client.post(delete).status_code == 302
    message.refresh_from_db()
    assert message.deleted
    assert "This message was deleted." in client.get(url(chat)).content.decode()


def test_report_then_hide_from_the_queue(world, client_for, chat):
    message = world.objects["message_group_a_tutor"]
    report = reverse("chat:message_report", args=[chat.space_id, message.pk])
    assert client_for("counsellor").post(report, {"reason": "mean"}).status_code == 302
    queue = reverse("chat:reports", args=[chat.space_id])
    assert client_for("member").get(queue).status_code == 403
    body = client_for("tutor").get(queue).content.decode()
    assert "mean" in body and message.body in body
    hide = reverse("chat:message_hide", args=[chat.space_id, message.pk])
    response = client_for("counsellor").post(hide, {"reason": ""})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert client_for("counsellor").post(hide, {"reason": "mean"}).status_code == 302
    message.refresh_from_db()
    assert message.hidden and message.hidden_reason == "mean"
    assert not Report.objects.filter(outcome="open", message=message).exists()


def test_dismissing_a_report(world, client_for, chat):
    report = world.objects["report_group_a"]
    dismiss = reverse("chat:report_dismiss", args=[chat.space_id, report.pk])
    assert client_for("member").post(dismiss).status_code == 403
    assert client_for("tutor").post(dismiss).status_code == 302
    report.refresh_from_db()
    assert report.outcome == "dismissed"


def test_mute_from_the_page(world, client_for, chat):
    mute = reverse("chat:member_mute", args=[chat.space_id, world.people["member"].pk])
    response = client_for("tutor").post(mute, {"hours": "99999", "reason": "x"})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert client_for("tutor").post(mute, {"hours": "2", "reason": "calm"}).status_code == 302
    body = client_for("member").get(url(chat)).content.decode()
    assert "paused your messages" in body and 'id="post-form"' not in body


def test_co_leads_add_topics(world, client_for, chat):
    new = reverse("chat:topic_new", args=[chat.space_id])
    assert client_for("member").get(new).status_code == 403
    response = client_for("tutor").post(new, {"title": "Courses and training"})
    assert response.status_code == 302
    assert "Courses and training" in client_for("member").get(response["Location"]).content.decode()


def test_a_tampered_form_without_client_id_says_so_and_stores_nothing(world, client_for, chat):
    count = Message.objects.count()
    response = client_for("member").post(url(chat), {"body": "hello"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The form was incomplete" in body
    assert Message.objects.count() == count
    assert client_id_in(body)


def test_other_topics_show_their_unread_counts(world, client_for, chat):
    topic = world.objects["topic_group_a"]
    topic.space = chat.space
    for n in range(2):
        actions.post_message(
            actor=world.people["tutor"], conversation=topic, body=f"t {n}", client_id=f"t-{n}"
        )
    body = client_for("member").get(url(chat)).content.decode()
    assert "2 new" in body
