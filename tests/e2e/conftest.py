"""The real-browser harness: a live daphne server and Debian's Chromium.

One server per run of this folder (package scope), started as a subprocess against a
database of its own: an SQLite file in a temporary folder in the embedded
profile, or, when ``DATABASE_URL`` is set (CI's second pass), a PostgreSQL
database that this harness creates and drops, with the same ``REDIS_URL``
under a prefix of its own. The database is migrated and filled by
``tests/e2e/prepare.py`` (the demo data plus what the tests need); its facts
(ids, an invitation code) are in the ``e2e_data`` fixture.

Fixtures:

- ``server_url``: the live server, e.g. ``http://127.0.0.1:41234``.
- ``e2e_data``: the facts written by ``prepare.py`` (and apps' ``e2e_data.py``).
- ``browser``: a headless Chromium (session scope).
- ``page_as(username, language="en", width=None)``: a new page in a fresh
  browser context, signed in as ``username`` through the real login form (once
  per run; later pages reuse the cookies) with the interface language set
  through the language switcher; ``None`` for a visitor who is not signed in.
- ``axe_check(page)``: an axe-core scan of the page; fails on any violation
  and prints each one readably.
- ``server_errors``: used by ``page_as``; a 5xx answer to any request of
  its pages fails the test and shows the server's log of that test.
- ``no_horizontal_scroll(page)``: fails when the page is wider than its viewport.
- ``no_broken_words(page)``: fails when a word, number or date in a table cell,
  a badge or the header is split across two lines.

With ``TANDEM_HTML_CHECK_DIR`` set, every HTML page the tests' browsers load is
saved there as the server sent it, for the Nu HTML Checker (``.ci/run``).

The tests are sync: Playwright's sync API cannot run inside a running asyncio
loop, and none of these fixtures starts one. While Playwright's sync API runs,
it keeps an event loop running in the main thread, so Django's ORM refuses to
work in that thread: the harness is package-scoped, so it is stopped before the
tests of the other folders run, and browser tests reach the server's database
only through the browser (or ``prepare.py``). The fixture is not called
``live_server``: that name belongs to pytest-django's in-process server.

Every test in this folder is marked ``browser``. Without Chromium they skip
with a clear message, unless ``TANDEM_REQUIRE_BROWSER=1`` (CI): then they fail.
"""

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PASSWORD = "tandem-demo"  # the published demo password, see seed_demo
SERVER_START_SECONDS = 90


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def find_chromium():
    """Debian's Chromium (or the one named by TANDEM_CHROMIUM), else None."""
    explicit = os.environ.get("TANDEM_CHROMIUM")
    candidates = (
        [explicit]
        if explicit
        else [
            "/usr/bin/chromium",
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
            shutil.which("google-chrome"),
        ]
    )
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _require_browser():
    return os.environ.get("TANDEM_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="package")
def chromium_path():
    path = find_chromium()
    if path is None:
        message = (
            "No Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser; "
            "set TANDEM_CHROMIUM to its path). On Debian or Ubuntu: "
            "`sudo apt-get install chromium fonts-noto-core`."
        )
        if _require_browser():
            pytest.fail(f"TANDEM_REQUIRE_BROWSER=1 but the browser tests cannot run: {message}")
        pytest.skip(f"Browser tests skipped: {message}")
    return path


@pytest.fixture(autouse=True)
def _browser_available(chromium_path):
    """Decide skip/fail before the costly server starts."""


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _PostgresDatabase:
    """A database of the server's own, next to the one DATABASE_URL names."""

    def __init__(self, url):
        self.parts = urllib.parse.urlsplit(url)
        base = self.parts.path.lstrip("/") or "tandem"
        self.name = f"{base}_e2e_{os.getpid()}"[:63]

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host=self.parts.hostname or "127.0.0.1",
            port=self.parts.port or 5432,
            user=urllib.parse.unquote(self.parts.username or "postgres"),
            password=urllib.parse.unquote(self.parts.password or "") or None,
            dbname="postgres",
            autocommit=True,
        )

    @property
    def url(self):
        return urllib.parse.urlunsplit(self.parts._replace(path=f"/{self.name}"))

    def create(self):
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _server_env(workdir, port):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "SQLITE_", "TEST_DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tandem.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        SECRET_KEY="browser-tests-only-" + "k" * 40,
        AUDIT_CHAIN_KEY="browser-tests-only-audit-" + "a" * 40,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        SQLITE_PATH=str(workdir / "tandem.sqlite3"),
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if env.get("REDIS_URL"):
        env["REDIS_PREFIX"] = f"{os.environ.get('REDIS_PREFIX', 'tandem')}_e2e"
    return env


def _wait_until_up(url, process, log_path):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The live server stopped at start-up:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"The live server did not answer in time:\n{log_path.read_text()[-4000:]}")


def _die_with_parent():
    """In the server's process (Linux): stop when the test run is killed outright."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="package")
def tandem_server(chromium_path):
    """Start daphne on a free port against a fresh, prepared database."""
    workdir = Path(tempfile.mkdtemp(prefix="tandem-e2e-"))
    port = _free_port()
    env = _server_env(workdir, port)
    postgres = None
    if os.environ.get("DATABASE_URL"):
        postgres = _PostgresDatabase(os.environ["DATABASE_URL"])
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    log_path = workdir / "server.log"
    process = None
    try:
        data_path = workdir / "e2e_data.json"
        prepared = subprocess.run(
            [sys.executable, str(HERE / "prepare.py"), str(data_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if prepared.returncode != 0:
            pytest.fail(
                "Preparing the live server's database failed:\n"
                f"{prepared.stdout[-2000:]}\n{prepared.stderr[-4000:]}"
            )
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "tandem.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process, log_path)
        yield {
            "url": url,
            "data": json.loads(data_path.read_text()),
            "log": log_path,
            "env": env,
        }
    finally:
        if process is not None:
            _stop(process)
        if postgres is not None:
            with contextlib.suppress(Exception):
                postgres.drop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="package")
def server_url(tandem_server):
    return tandem_server["url"]


@pytest.fixture(scope="package")
def e2e_data(tandem_server):
    return tandem_server["data"]


@pytest.fixture(scope="package")
def _playwright():
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    playwright = manager.start()
    try:
        yield playwright
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture(scope="package")
def browser(_playwright, chromium_path):
    browser = _playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package")
def _signed_in_states():
    return {}


def sign_in(page, server_url, username, password=PASSWORD):
    """Sign in through the real login form; returns when the dashboard shows."""
    page.goto(f"{server_url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{server_url}/", timeout=15000)


def set_language(page, server_url, language):
    """Choose the interface language through the language switcher's form."""
    token = next(
        (c["value"] for c in page.context.cookies(server_url) if c["name"] == "csrftoken"), None
    )
    if token is None:
        page.goto(f"{server_url}/accounts/login/")
        token = next(
            c["value"] for c in page.context.cookies(server_url) if c["name"] == "csrftoken"
        )
    response = page.request.post(
        f"{server_url}/language/",
        form={"language": language, "next": "/", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{server_url}/"},
        max_redirects=0,
    )
    assert response.status in (302, 303), f"language switch failed: {response.status}"


def server_log_tail(tandem_server, since=0, chars=6000):
    """The end of what the live server wrote since byte ``since``."""
    with open(tandem_server["log"], errors="replace") as log:
        log.seek(since)
        return log.read()[-chars:]


@pytest.fixture
def server_errors(tandem_server):
    """Fail the test when the server answered any request with a 5xx.

    Pages record the failing responses; the server log of the test is shown.
    """
    errors = []
    start = tandem_server["log"].stat().st_size
    yield errors
    if errors:
        pytest.fail(
            "The live server failed: "
            + ", ".join(errors)
            + "\n--- server log ---\n"
            + server_log_tail(tandem_server, start),
            pytrace=False,
        )


@pytest.fixture
def page_as(browser, server_url, _signed_in_states, server_errors):
    """``page_as(username, language="en", width=None)``: a fresh page, signed in."""
    contexts = []
    documents = []

    def keep(response):
        documents.append(response)

    def watch(response):
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def make(username, language="en", width=None, height=800, javascript=True):
        options = {"locale": language, "java_script_enabled": javascript}
        if width:
            options["viewport"] = {"width": width, "height": height}
        if username is not None and username in _signed_in_states:
            options["storage_state"] = _signed_in_states[username]
        context = browser.new_context(**options)
        context.set_default_timeout(15000)
        context.on("response", watch)
        if HTML_CHECK_DIR:
            context.on("response", keep)
        contexts.append(context)
        page = context.new_page()
        if username is not None and username not in _signed_in_states:
            sign_in(page, server_url, username)
            _signed_in_states[username] = context.storage_state()
        if language:
            set_language(page, server_url, language)
        return page

    yield make
    save_html(documents)
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


HTML_CHECK_DIR = os.environ.get("TANDEM_HTML_CHECK_DIR", "").strip()


def save_html(responses):
    """Save each HTML page as the server sent it, once per distinct content."""
    if not HTML_CHECK_DIR:
        return
    folder = Path(HTML_CHECK_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for response in responses:
        if response.request.resource_type != "document" or response.status != 200:
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        body = None
        with contextlib.suppress(Exception):  # a page closed before its body was read
            body = response.body()
        if body is None:
            continue
        path = urllib.parse.urlsplit(response.url).path.strip("/") or "dashboard"
        slug = "".join(c if c.isalnum() else "-" for c in path)[:80]
        digest = hashlib.sha256(body).hexdigest()[:12]
        (folder / f"{slug}-{digest}.html").write_bytes(body)


def format_violations(violations):
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation.get('helpUrl', '')}"
        )
        for node in violation.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            lines.append(f"    at {target}\n      {summary}")
            html = (node.get("html") or "")[:200]
            if html:
                lines.append(f"      html: {html}")
    return "\n".join(lines)


# Every rule axe runs by default, and WCAG 2.2 AA's target size (2.5.8), which it leaves off.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture(scope="package")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe_check(_axe):
    """``axe_check(page)``: fail on any axe-core violation, listing each one."""

    def check(page, context=None):
        results = _axe.run(page, context=context, options=AXE_OPTIONS)
        violations = results.response["violations"]
        if violations:
            pytest.fail(f"{page.url}\n{format_violations(violations)}", pytrace=False)
        return results

    return check


@pytest.fixture
def no_horizontal_scroll():
    """``no_horizontal_scroll(page)``: fail when the page scrolls sideways."""

    def check(page):
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth})"
        )
        if widths["scroll"] > widths["client"]:
            wide = page.evaluate(
                """() => {
                  const limit = document.documentElement.clientWidth;
                  return [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > limit + 1
                               || el.getBoundingClientRect().left < -1)
                    .slice(0, 8)
                    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                               + ' ' + Math.round(el.getBoundingClientRect().width) + 'px');
                }"""
            )
            pytest.fail(
                f"{page.url} scrolls sideways: {widths['scroll']}px wide in a "
                f"{widths['client']}px viewport; too wide: {wide}",
                pytrace=False,
            )

    return check


# For each text node of the checked elements, each word's line boxes: a word whose
# boxes lie on two lines was split (``overflow-wrap``, a too narrow column).
BROKEN_WORDS = """
(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.getClientRects().length) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A line may end after a hyphen between letters ("job-/seekers"), not inside a number.
      const words = [];
      for (const match of node.data.matchAll(/\\S+/g)) {
        let start = match.index;
        for (const part of match[0].split(/(?<=\\p{L}-)(?=\\p{L})/u)) {
          words.push([start, part]);
          start += part.length;
        }
      }
      for (const [start, word] of words) {
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        const boxes = [...range.getClientRects()].filter(box => box.width > 0 && box.height > 0);
        if (boxes.length < 2) continue;
        const first = boxes[0];
        if (boxes.some(box => box.top >= first.bottom - 1 || box.bottom <= first.top + 1)) {
          const lines = boxes.map(box => Math.round(box.top));
          const name = element.className ? `.${element.className}` : "";
          const where = element.tagName.toLowerCase() + name;
          broken.push(`${where}: "${word}" on lines at ${[...new Set(lines)].join(", ")} px`);
        }
      }
    }
  }
  return broken;
}
"""
WORD_CHECKED = (
    "td, th, .badge, .rec-state, .site-header a, .site-header label,"
    " .site-header button, .site-header summary, time"
)


@pytest.fixture
def no_broken_words():
    """``no_broken_words(page)``: fail when a word, number or date is split across lines.

    Checks table cells, badges, times and the header's controls, the places where
    a squeezed column or a narrow phone used to cut "91.25" into "91.2 / 5".
    """

    def check(page, selector=WORD_CHECKED):
        broken = page.evaluate(BROKEN_WORDS, selector)
        if broken:
            width = page.viewport_size["width"] if page.viewport_size else "?"
            pytest.fail(
                f"{page.url} at {width}px splits {len(broken)} word(s):\n  "
                + "\n  ".join(broken[:20]),
                pytrace=False,
            )

    return check
