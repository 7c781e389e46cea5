"""Tandem's one settings module.

Every value comes from the environment. Unset means the embedded default
(SQLite, in-memory channel layer, local-memory cache, console e-mail);
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
Production is a set of environment values, not another file.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a "
            "long random value (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"

# The key of the money audit chain's HMAC (tandem.recognition.chain). It lives
# outside the database, so someone who can write the database still cannot
# rewrite the chain so that it checks out. Changing it makes every row written
# before unverifiable: keep it as long as the data.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY")
if not AUDIT_CHAIN_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEY is not set. Set the AUDIT_CHAIN_KEY environment variable to a "
            "long random value, different from SECRET_KEY and kept outside the database "
            "(or DEBUG=1 for local development)."
        )
    AUDIT_CHAIN_KEY = "development-only-audit-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the comma-separated host names Tandem is served under."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "tandem.core.views.csrf_failure"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    "tandem.core",
    "tandem.accounts",
    "tandem.spaces",
    "tandem.realtime",
    "tandem.chat",
    "tandem.meetings",
    "tandem.recognition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tandem.core.middleware.UserPreferencesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
ASGI_APPLICATION = "tandem.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "tandem.core.context_processors.tandem",
            ],
        },
    },
]

# Database: SQLite (WAL) unless DATABASE_URL names another.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
            "TEST_DATABASE_NAME", "test_tandem"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "var" / "tandem.sqlite3")),
            # Sockets' database work runs on one shared thread; opening SQLite (and its
            # pragmas) again for every socket action cost more than the action itself.
            # Requests each run on a thread of their own, whose connection ends with it.
            "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # The layer waits 5 s on each read (BZPOPMIN); redis-py's default socket
                # timeout is also 5 s, which would end the read, and the socket, first.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": env("REDIS_PREFIX", "tandem"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("REDIS_PREFIX", "tandem"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "tandem.realtime.layers.PacedInMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: an e-mail address is optional, usernames always work.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_ADAPTER = "tandem.accounts.adapter.AccountAdapter"
# The same answer for a known and a new e-mail address (accounts.forms.SignupForm).
ACCOUNT_FORMS = {"signup": "tandem.accounts.forms.SignupForm"}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # "key" is the account at one address (accounts.adapter): a wrong password
    # typed elsewhere never locks a person out; the account-wide ceiling is more
    # than one address can reach at 5 per 5 minutes.
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("uk", _("Ukrainian")),
    ("tr", _("Turkish")),
    ("so", _("Somali")),
]
LOCALE_PATHS = [Path(env("LOCALE_DIR", str(BASE_DIR / "locale")))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Tandem's own English (European: day first, 24-hour clock, Monday) and Somali formats.
FORMAT_MODULE_PATH = ["tandem.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", True)
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Tandem <tandem@localhost>")

# Behind a proxy that terminates TLS, the proxy says the scheme.
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# How many proxies append to X-Forwarded-For before a request reaches Tandem; only
# their entries are trusted for the client's address (core.ratelimit.client_ip,
# which allauth's limits use too). Without it, behind a proxy everyone would share
# the proxy's address and one person's failed sign-ins would stop everybody.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY") else 0)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# Tandem's own limits, kept in one place.
TANDEM = {
    "SITE_URL": env("SITE_URL", "http://127.0.0.1:8000"),
    "INVITE_DAYS": env_int("INVITE_DAYS", 14),
    "JOIN_ATTEMPTS_PER_MINUTE": env_int("JOIN_ATTEMPTS_PER_MINUTE", 10),
    "WS_MAX_FRAME_BYTES": env_int("WS_MAX_FRAME_BYTES", 16 * 1024),
    "WS_MAX_TOPICS": env_int("WS_MAX_TOPICS", 50),
    "WS_MAX_CONNECTIONS_PER_USER": env_int("WS_MAX_CONNECTIONS_PER_USER", 20),
    "POSTS_PER_MINUTE": env_int("POSTS_PER_MINUTE", 30),
    "MESSAGE_MAX_CHARS": env_int("MESSAGE_MAX_CHARS", 4000),
    "PAGE_SIZE": env_int("PAGE_SIZE", 50),
    "WS_FRAMES_PER_MINUTE": env_int("WS_FRAMES_PER_MINUTE", 600),
    "WS_HEARTBEAT_SECONDS": env_int("WS_HEARTBEAT_SECONDS", 25),
    "WS_REVALIDATE_SECONDS": env_int("WS_REVALIDATE_SECONDS", 600),
    "WS_ACCESS_CHECK_SECONDS": env_int("WS_ACCESS_CHECK_SECONDS", 40),
    # How far one coordinator alone may raise a session's pay by adjustments, in percent
    # of its approved amount; beyond that a second coordinator approves.
    "ADJUSTMENT_SHARE_PERCENT": env_int("ADJUSTMENT_SHARE_PERCENT", 50),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
