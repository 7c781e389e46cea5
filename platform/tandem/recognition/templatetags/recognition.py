from django import template

from tandem.recognition.permissions import roles_of

register = template.Library()


@register.inclusion_tag("recognition/partials/nav.html", takes_context=True)
def recognition_nav(context):
    """The tabs of session logs, each only for those whose role does that work."""
    request = context["request"]
    return {"request": request, "roles": roles_of(request.user)}
