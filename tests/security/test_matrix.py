"""The authorization matrix: every URL of the project, for every role.

URL patterns come from the resolver; each must be listed in
``tests/security/routes/``. Each role gets the expected outcome and no
response shows a canary of a space (or a person) that the role may not see.
"""

import importlib
import pathlib
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.world import ROLES, VISIBLE

ROUTES = {}
for _path in sorted((pathlib.Path(__file__).parent / "routes").glob("*.py")):
    if _path.stem != "__init__":
        ROUTES.update(importlib.import_module(f"tests.security.routes.{_path.stem}").ROUTES)


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


def url_names():
    names = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        names.setdefault(name, pattern)
    return names


PROJECT_URLS = {n: p for n, p in url_names().items() if not n.startswith("admin:")}
ADMIN_URLS = {n: p for n, p in url_names().items() if n.startswith("admin:")}


def test_every_url_is_in_the_matrix():
    missing = sorted(set(PROJECT_URLS) - set(ROUTES))
    assert not missing, f"URLs with no rule in tests/security/routes/: {missing}"


def test_every_url_pattern_has_a_name():
    unnamed = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif not entry.name and not prefix.startswith("operators/"):
                unnamed.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns)
    assert not unnamed, f"unnamed URL patterns cannot be checked: {unnamed}"


def _url(world, name, route):
    pattern = PROJECT_URLS[name]
    params = set(pattern.pattern.regex.groupindex)
    kwargs = route.kwargs(world) if callable(route.kwargs) else dict(route.kwargs or {})
    return reverse(name, kwargs={k: v for k, v in kwargs.items() if k in params} or None)


def _client(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    return client


def check(response, expected, *, role, label):
    status = response.status_code
    location = response.get("Location", "")
    if expected == "login":
        assert status == 302 and "/accounts/login/" in location, (label, status, location)
    elif expected == "denied":
        assert status in (403, 404), (label, status)
    elif expected == "redirect":
        assert status in (302, 303) and "/accounts/login/" not in location, (label, status)
    elif expected == "any":
        assert status < 500, (label, status)
    else:
        assert status == expected, (label, status, location)


def assert_no_foreign_canary(world, role, body, label, reveals=frozenset()):
    visible = VISIBLE[role] | {f"user:{role}"} | set(reveals)
    leaked = [c for c, owner in world.canaries.items() if owner not in visible and c in body]
    assert not leaked, f"{label}: {role} sees {leaked}"


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("name", sorted(PROJECT_URLS))
def test_get(world, name):
    route = ROUTES[name]
    for role in ROLES:
        expected = route.get.get(role)
        assert expected is not None, f"{name}: no GET outcome for {role}"
        if expected == "skip":
            continue
        url = _url(world, name, route)
        response = _client(world, role).get(url)
        label = f"GET {name} as {role}"
        check(response, expected, role=role, label=label)
        assert_no_foreign_canary(world, role, _body(response), label, route.reveals)


POSTS = [(n, r) for n in sorted(PROJECT_URLS) if n in ROUTES and ROUTES[n].post for r in ROLES]


@pytest.mark.parametrize(("name", "role"), POSTS)
def test_post(world, name, role):
    route = ROUTES[name]
    expected = route.post.get(role)
    assert expected is not None, f"{name}: no POST outcome for {role}"
    if expected == "skip":
        return
    url = _url(world, name, route)
    data = route.post_data(world) if route.post_data else {}
    response = _client(world, role).post(url, data)
    label = f"POST {name} as {role}"
    check(response, expected, role=role, label=label)
    assert_no_foreign_canary(world, role, _body(response), label, route.reveals)


def _admin_url(name, pattern):
    params = list(pattern.pattern.regex.groupindex)
    if not params:
        return reverse(name)
    match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history)$", name)
    if params == ["object_id"] and match:
        return reverse(name, kwargs={"object_id": "1"})
    if params == ["id"]:
        return reverse(name, kwargs={"id": "1"})
    if params == ["app_label"]:
        return reverse(name, kwargs={"app_label": "spaces"})
    if set(params) == {"content_type_id", "object_id"}:
        return reverse(name, kwargs={"content_type_id": 1, "object_id": 1})
    raise AssertionError(f"admin URL {name} has arguments the matrix cannot fill: {params}")


@pytest.mark.parametrize("name", sorted(ADMIN_URLS))
def test_admin_is_for_operators_only(world, name):
    url = _admin_url(name, ADMIN_URLS[name])
    for role in ROLES:
        response = _client(world, role).get(url)
        if role == "staff":
            assert response.status_code < 500, (name, response.status_code)
        elif name in ("admin:login", "admin:logout"):
            assert response.status_code in (200, 302, 405), (name, role)
        else:
            assert response.status_code == 302, (name, role, response.status_code)
            assert "/login/" in response["Location"], (name, role)


# --- the same pages of the other kind of space ---------------------------------------------
# The outcomes above are written for group A, a peer group. Every page that takes only a
# space is opened again for the practitioner space: those with no part in it are refused,
# and nobody who gets an answer sees anything of a space not theirs.

PRACTICE_INSIDERS = {"participant", "facilitator", "coordinator"}


def _takes_only_a_space(name):
    route = ROUTES.get(name)
    if route is None or not callable(route.kwargs):
        return False
    params = set(PROJECT_URLS[name].pattern.regex.groupindex)
    return params == {"space_id"}


SPACE_PAGES = sorted(n for n in PROJECT_URLS if _takes_only_a_space(n))


def test_the_practitioner_space_walk_is_not_empty():
    assert len(SPACE_PAGES) >= 10, SPACE_PAGES


@pytest.mark.parametrize("name", SPACE_PAGES)
def test_pages_of_the_practitioner_space(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs={"space_id": world.spaces["practice"].pk})
    data = route.post_data(world) if route.post_data else {}
    for role in ROLES:
        for method in ("get", "post") if route.post else ("get",):
            client = _client(world, role)
            response = client.get(url) if method == "get" else client.post(url, data)
            label = f"{method.upper()} {name} (practitioner space) as {role}"
            status = response.status_code
            if role == "anonymous":
                assert status == 405 or "/accounts/login/" in response.get("Location", ""), label
            elif role not in PRACTICE_INSIDERS:
                assert status in (403, 404, 405), (label, status)
            else:
                assert status < 500, (label, status)
            assert_no_foreign_canary(world, role, _body(response), label)
