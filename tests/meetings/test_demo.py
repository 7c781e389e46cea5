import io

from django.core.management import call_command
from tandem.meetings.models import AgendaItem, Meeting, Rsvp


def test_demo_meetings_are_made_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Meeting.objects.filter(external_uid__startswith="demo-").count() == 3
    weekly = Meeting.objects.get(external_uid="demo-weekly-session")
    assert weekly.repeat == "weekly" and weekly.space.is_peer_group
    assert Rsvp.objects.filter(meeting=weekly, interpreter=True).count() == 1
    seminar_items = AgendaItem.objects.filter(meeting__external_uid="demo-transnational-seminar")
    assert seminar_items.count() == 5
