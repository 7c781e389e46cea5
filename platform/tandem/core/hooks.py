"""Where apps add their parts to shared pages without the pages knowing them.

Each app registers, in its ``AppConfig.ready``, functions that return a
section (a dict with ``template`` and its context) or None. A section must
use a fixed number of queries, so pages keep constant query counts.
"""

_dashboard = []
_space = []
_space_links = []
_unread = []


def dashboard_section(order):
    def register(func):
        _dashboard.append((order, func))
        _dashboard.sort(key=lambda pair: pair[0])
        return func

    return register


def space_section(order):
    def register(func):
        _space.append((order, func))
        _space.sort(key=lambda pair: pair[0])
        return func

    return register


def space_link(order):
    """Register ``func(user, space) -> (label, url) | None`` for the space's menu."""

    def register(func):
        _space_links.append((order, func))
        _space_links.sort(key=lambda pair: pair[0])
        return func

    return register


def unread_counter(order):
    """Register ``func(user) -> (count, more)``: how much is new for the person in an app.

    Their sum is the badge beside "Notifications" in the header, on every page, so
    each counter is one query.
    """

    def register(func):
        _unread.append((order, func))
        _unread.sort(key=lambda pair: pair[0])
        return func

    return register


BADGE_MAX = 99


def unread_total(user):
    """``(count, more)`` summed over every app's counter; above ``BADGE_MAX`` it shows "99+"."""
    count, more = 0, False
    for _order, func in _unread:
        part, part_more = func(user)
        count, more = count + part, more or part_more
    return min(count, BADGE_MAX), more or count > BADGE_MAX


def dashboard_sections(request):
    return [s for _order, f in _dashboard if (s := f(request))]


def space_sections(request, space):
    return [s for _order, f in _space if (s := f(request, space))]


def space_links(user, space):
    return [link for _order, f in _space_links if (link := f(user, space))]
