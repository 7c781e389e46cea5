from .models import AuditEntry


def record(*, actor, action, space=None, target="", **data):
    """Add one audit row; callers run it inside their action's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        space=space,
        target=str(target)[:200],
        data=data,
    )
