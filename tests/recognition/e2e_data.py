"""Facts the browser tests need about the demo session logs."""


def prepare(data):
    from tandem.recognition.models import SessionLog, Statement

    tutor = data["demo"]["people"]["tutor"]
    logs = {log.state: log.pk for log in SessionLog.objects.filter(tutor=tutor)}
    statement = Statement.objects.filter(tutor=tutor).order_by("-paid_at").first()
    data["recognition"] = {
        "logs": logs,
        "statement": statement.pk if statement else None,
        "organisation": statement.organisation_id if statement else None,
    }
