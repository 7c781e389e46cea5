"""Failed sign-ins slow the one who fails, not the person whose account it is, nor
everyone behind the same proxy."""

import pytest
from django.test import Client
from django.urls import reverse
from tandem.core.ratelimit import client_ip

from tests.world import PASSWORD

TOO_MANY = "Too many failed login attempts"

ATTACKER = "203.0.113.9"
PERSON = "198.51.100.7"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def fresh_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def _sign_in(login, password, *, remote=None, forwarded=None):
    extra = {"REMOTE_ADDR": remote or PROXY}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client(**extra)
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _signed_in(response):
    return response.status_code == 302 and TOO_MANY not in response.content.decode()


def _refused_for_tries(response):
    return response.status_code == 429 or TOO_MANY in response.content.decode()


def test_wrong_passwords_from_one_address_do_not_lock_the_person_out(world):
    for _try in range(6):
        last = _sign_in("member", "wrong guess", remote=ATTACKER)
    assert _refused_for_tries(last)
    # The attacker is slowed; the person, elsewhere, signs in.
    assert _signed_in(_sign_in("member", PASSWORD, remote=PERSON))
    assert _refused_for_tries(_sign_in("member", PASSWORD, remote=ATTACKER))


def test_behind_the_proxy_one_address_failing_does_not_stop_the_site(world, behind_one_proxy):
    for n in range(11):
        last = _sign_in(f"nobody-{n}", "wrong guess", forwarded=ATTACKER)
    assert _refused_for_tries(last)
    assert _signed_in(_sign_in("member", PASSWORD, forwarded=PERSON))


def test_a_forged_forwarded_for_neither_escapes_nor_spends_another_budget(world, behind_one_proxy):
    # The attacker writes the person's address first; the proxy appends the real one.
    for n in range(11):
        last = _sign_in(f"nobody-{n}", "wrong", forwarded=f"{PERSON}, 192.0.2.{n}, {ATTACKER}")
    assert _refused_for_tries(last)
    assert _signed_in(_sign_in("tutor", PASSWORD, forwarded=PERSON))


def test_an_account_wide_ceiling_still_stops_a_spread_out_guess(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "12/h/key",
    }
    for n in range(12):
        wrong = _sign_in("member", "wrong", remote=f"192.0.2.{n // 4}")
        assert wrong.status_code == 200 and not _refused_for_tries(wrong)
    assert _refused_for_tries(_sign_in("member", PASSWORD, remote="192.0.2.200"))
    # Other accounts are not touched.
    assert _signed_in(_sign_in("tutor", PASSWORD, remote="192.0.2.200"))


def test_a_right_password_does_not_count_towards_the_ceiling(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "3/h/key",
    }
    for n in range(4):
        assert _signed_in(_sign_in("member", PASSWORD, remote=f"192.0.2.{n}"))


def test_join_code_tries_count_per_real_address(world, behind_one_proxy, settings, one_rate_window):
    limit = settings.TANDEM["JOIN_ATTEMPTS_PER_MINUTE"]
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    for _try in range(limit):
        attacker.post(reverse("spaces:join"), {"code": "ABCD-EFGH"})
    assert attacker.post(reverse("spaces:join"), {"code": "ABCD-EFGH"}).status_code == 429
    person = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ATTACKER}, {PERSON}")
    assert person.post(reverse("spaces:join"), {"code": "ABCD-EFGH"}).status_code == 200


class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        self.headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "198.51.100.1", "192.0.2.1"),  # no proxy: the header is ignored
        (1, PROXY, "198.51.100.1", "198.51.100.1"),
        (1, PROXY, "1.2.3.4, 5.6.7.8, 198.51.100.1", "198.51.100.1"),
        (2, PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, PROXY, "198.51.100.1", PROXY),  # not through both proxies: the peer
        (1, PROXY, None, PROXY),
        (1, PROXY, "not an address", "unknown"),
        (0, "2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::"),  # a device's /64
    ],
)
def test_client_ip_trusts_only_the_proxies_entries(settings, count, remote, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    assert client_ip(FakeRequest(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "0"),
        ({"BEHIND_PROXY": "1"}, "1"),
        ({"BEHIND_PROXY": "1", "TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_behind_a_proxy_its_forwarded_address_is_trusted(environment, expected):
    """A deployment behind the proxy counts sign-ins by the proxy's forwarded address."""
    from tests.core.test_settings import PRODUCTION, run_manage

    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = run_manage("shell", "-c", code, env={**PRODUCTION, **environment})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
