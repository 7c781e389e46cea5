"""Facts the browser tests need about the demo meetings."""

from django.utils import timezone


def prepare(data):
    from tandem.meetings.models import Meeting

    weekly = Meeting.objects.get(external_uid="demo-weekly-session")
    seminar = Meeting.objects.get(external_uid="demo-transnational-seminar")
    online = Meeting.objects.get(external_uid="demo-online-meeting")
    data["meetings"] = {
        "weekly": weekly.pk,
        "seminar": seminar.pk,
        "online": online.pk,
        "this_month": timezone.now().strftime("%Y-%m"),
        "seminar_month": seminar.start.strftime("%Y-%m"),
    }
