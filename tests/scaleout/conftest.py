"""Real daphne processes, a database of their own and (for the fault tests) Redis.

- ``world``: a database made for this folder (an SQLite file in the embedded
  profile; with ``DATABASE_URL``, a PostgreSQL database created here and dropped
  afterwards), migrated and filled by ``prepare_world.py``: a peer group, its
  people with signed-in sessions, one conversation per test.
- ``daphne(**env)``: start a daphne process on a free port of 127.0.0.1 against
  that database; every process is stopped when the test ends.
- ``services``: the test needs PostgreSQL and Redis; skipped, saying so, when
  ``DATABASE_URL`` and ``REDIS_URL`` are not set (the embedded pass).
- ``redis_server()``: a redis-server of the test's own on a free port, without
  persistence, that the test may stop and start again.
- ``stored(conversation)``: what the database holds, read in a subprocess.
"""

import contextlib
import json
import os
import shutil
import signal
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
START_SECONDS = 30


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env(workdir):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "SQLITE_", "TEST_DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tandem.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        SECRET_KEY="scaleout-tests-only-" + "k" * 40,
        AUDIT_CHAIN_KEY="scaleout-tests-only-audit-" + "a" * 40,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        SQLITE_PATH=str(workdir / "tandem.sqlite3"),
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # The tests post faster than people do; the per-person limit is tested elsewhere.
        POSTS_PER_MINUTE="100000",
    )
    if env.get("REDIS_URL"):
        env["REDIS_PREFIX"] = f"{os.environ.get('REDIS_PREFIX', 'tandem')}_scaleout_{os.getpid()}"
    return env


class PostgresDatabase:
    """A database of this folder's own, next to the one DATABASE_URL names."""

    def __init__(self, url):
        self.parts = urllib.parse.urlsplit(url)
        base = self.parts.path.lstrip("/") or "tandem"
        self.name = f"{base}_scaleout_{os.getpid()}"[:63]

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


def _run(args, env, timeout):
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


@pytest.fixture(scope="package")
def world():
    workdir = Path(tempfile.mkdtemp(prefix="tandem-scaleout-"))
    env = _base_env(workdir)
    postgres = None
    try:
        if os.environ.get("DATABASE_URL"):
            postgres = PostgresDatabase(os.environ["DATABASE_URL"])
            postgres.create()
            env["DATABASE_URL"] = postgres.url
        facts_path = workdir / "world.json"
        _run([str(HERE / "prepare_world.py"), "setup", str(facts_path)], env, timeout=180)
        facts = json.loads(facts_path.read_text())
        yield {"env": env, "workdir": workdir, **facts}
    finally:
        if postgres is not None:
            with contextlib.suppress(Exception):
                postgres.drop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def services():
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        pytest.skip(
            f"Needs PostgreSQL and Redis: {' and '.join(missing)} not set "
            "(the embedded pass; CI's second pass sets them)."
        )


@pytest.fixture
def stored(world):
    def read(conversation_id):
        out = _run([str(HERE / "prepare_world.py"), "dump", str(conversation_id)], world["env"], 60)
        return json.loads(out)

    return read


class Daphne:
    def __init__(self, env, log_path):
        self.port = free_port()
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "tandem.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def http(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self):
        return f"ws://127.0.0.1:{self.port}/ws/"

    def log(self, chars=4000):
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_until_up(self):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"daphne stopped at start-up:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.http}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        pytest.fail(f"daphne did not answer in {START_SECONDS} s:\n{self.log()}")

    def kill(self):
        """``kill -9``: no goodbye to the sockets, the channel layer or the database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def daphne(world):
    started = []

    def start(count=1, **env):
        servers = []
        for _ in range(count):
            server = Daphne(
                {**world["env"], **env}, world["workdir"] / f"daphne-{len(started)}.log"
            )
            started.append(server)
            servers.append(server)
        return [server.wait_until_up() for server in servers]

    try:
        yield start
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
        for server in started:
            with contextlib.suppress(Exception):
                server.stop()


class RedisServer:
    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def forget_everything(self):
        """FLUSHALL: Redis loses its data while every connection to it stays open."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"FLUSHALL\r\n")
            assert conn.recv(16).startswith(b"+OK")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def redis_server(world):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    servers = []

    def make():
        server = RedisServer(world["workdir"])
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            with contextlib.suppress(Exception):
                server.stop()
