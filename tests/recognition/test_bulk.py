"""Bulk approval tells what happened and shows the batch total before anything is written."""

from django.contrib.messages import get_messages
from django.urls import reverse
from tandem.recognition.models import SessionLog


def _texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_resubmitting_an_approved_batch_says_it_was_already_approved(rec, world, client_for):
    first, second = rec.log(days_ago=6, to="confirmed"), rec.log(days_ago=7, to="confirmed")
    client = client_for("coordinator")
    data = {"log": [first.pk, second.pk]}
    response = client.post(reverse("recognition:approve_bulk"), data, follow=True)
    assert "2 session logs approved." in response.content.decode()
    again = client.post(reverse("recognition:approve_bulk"), data)
    texts = _texts(again)
    assert "2 session logs were already approved: nothing more to do." in texts
    assert not any("approved." in t and "already" not in t for t in texts)
    assert SessionLog.objects.filter(pk__in=data["log"], state="approved").count() == 2


def test_a_log_outside_the_queue_is_counted_as_skipped(rec, world, client_for):
    log = rec.log(days_ago=6, to="confirmed")
    draft = world.objects["log_draft"]
    response = client_for("coordinator").post(
        reverse("recognition:approve_bulk"), {"log": [log.pk, draft.pk]}
    )
    texts = _texts(response)
    assert "One session log approved." in texts
    assert "One session log was skipped: it is not in your queue to approve." in texts


def test_the_review_shows_the_batch_total(rec, world, client_for):
    log = rec.log(days_ago=6, to="confirmed")  # 41.37 + 2 h × 20.00
    confirmed = world.objects["log_confirmed"]  # 91.37 with preparation
    response = client_for("coordinator").post(
        reverse("recognition:approve_review"), {"log": [log.pk, confirmed.pk]}
    )
    page = response.content.decode()
    assert response.context["batch_totals"] == {"EUR": log_amount(log) + log_amount(confirmed)}
    assert f"{log_amount(log) + log_amount(confirmed):.2f} EUR" in page


def log_amount(log):
    from tandem.recognition import queries

    return queries.attach_expected_amounts([log])[0].expected
