import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "AUDIT_CHAIN_KEY": "a-long-random-audit-chain-key-" + "c" * 40,
    "ALLOWED_HOSTS": "tandem.example.org",
    "DJANGO_SETTINGS_MODULE": "tandem.settings",
    "PATH": os.environ.get("PATH", ""),
}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_import_platform_is_the_standard_library():
    import platform

    assert hasattr(platform, "python_version")
    assert "site-packages" not in (platform.__file__ or "")
    assert str(ROOT / "platform") not in platform.__file__
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_check_deploy_is_clean_in_production_profile():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_in_production_stops_start_up_clearly():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_audit_chain_key_in_production_stops_start_up_clearly():
    env = {k: v for k, v in PRODUCTION.items() if k != "AUDIT_CHAIN_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY is not set" in result.stderr


def test_missing_allowed_hosts_in_production_stops_start_up_clearly():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_is_off_unless_asked(settings):
    from tandem.settings import env_bool

    assert env_bool("SURELY_NOT_SET_ANYWHERE") is False
    assert settings.DEBUG is False


def test_services_profile_reads_database_and_redis_urls():
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://tandem@127.0.0.1:5432/tandem",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']);"
        "print(s.CACHES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(ROOT / "platform")},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_embedded_default_is_sqlite_in_wal_mode_and_in_memory_layer():
    env = {**PRODUCTION, "PYTHONPATH": str(ROOT / "platform")}
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print('journal_mode=WAL' in s.DATABASES['default']['OPTIONS']['init_command']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "tandem.realtime.layers.PacedInMemoryChannelLayer",
    ]
