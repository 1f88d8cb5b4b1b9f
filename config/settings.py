"""Almanac settings: one module, driven by the environment (see .env.example).

Without DATABASE_URL the project runs on SQLite under ALMANAC_VAR_DIR; without
REDIS_URL Celery tasks run eagerly in-process; without SMTP_HOST mail goes to the
console and to .eml files under ALMANAC_VAR_DIR/mail. Production values are in
.env.example; with them `manage.py check --deploy --fail-level WARNING` is clean.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import schedules
from config.env import (
    check_redis_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ALMANAC_VAR_DIR", str(BASE_DIR / "var")))
if not VAR_DIR.is_absolute():
    VAR_DIR = BASE_DIR / VAR_DIR

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
    SECRET_KEY = "django-insecure-development-only-key-never-used-when-debug-is-off-0000"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "simple_history",
    "axes",
    "core",
    "planner",
    "kpis",
    "channels",
    "content",
    "monitoring",
    "budget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.almanac",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASE = parse_database_url(env_str("DATABASE_URL"), default_sqlite=VAR_DIR / "almanac.sqlite3")
if DATABASE.engine.endswith("sqlite3"):
    Path(DATABASE.name).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": DATABASE.as_django()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = check_redis_url(env_str("REDIS_URL"))
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "planner:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after N failures a username is locked whatever IP the
# attempts come from, and an IP is locked whatever usernames it tries. Behind a
# reverse proxy set PROXY_COUNT, or every client shares the proxy's address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed static files need `collectstatic` first (the Dockerfile
# runs it); development and the test suites serve them from the source tree.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_ROOT = VAR_DIR / "media"

# Security. Production values are the defaults whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if AXES_IPWARE_PROXY_COUNT else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
# Request bodies: JSON and forms up to 5 MB (read into memory), uploads up to the largest
# import (monitoring/importer.py, 128 MiB) plus the form around it; 413 beyond, unread.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_MAX_UPLOAD_BYTES = env_int("REQUEST_MAX_UPLOAD_MB", 130, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# No inline scripts anywhere: htmx and plotly come from our static files and
# figures travel as JSON in <script type="application/json">. Plotly injects
# <style> elements, hence inline styles (never inline scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Email: SMTP when configured, else console + .eml files (see core/mail.py).
SMTP_HOST = env_str("SMTP_HOST")
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_PORT = env_int("SMTP_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", False)
    EMAIL_USE_SSL = env_bool("SMTP_SSL", False)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "core.mail.ConsoleAndFileBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Almanac <almanac@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis broker in the services setup, eager in-process otherwise.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = schedules.BEAT_SCHEDULE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated API call gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Almanac API",
    "DESCRIPTION": (
        "Annual marketing plan: plans, memberships and lifecycle. Token auth: POST "
        "/api/v1/auth/token/ then send `Authorization: Token <token>`. Every PATCH, PUT and "
        "DELETE needs `If-Match` with the ETag of the object (412 when stale, 428 when missing)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "planner.models.Role",
        "ActivityKindEnum": "planner.execution.activity_models.ActivityKind",
        "ActivityStatusEnum": "planner.execution.activity_models.ActivityStatus",
        "ClashKindEnum": "planner.execution.activity_api.CLASH_KINDS",
        "PlanStatusEnum": "planner.models.PlanStatus",
        "GoalKindEnum": "kpis.models.GoalKind",
        "GoalFamilyEnum": "kpis.models.GoalFamily",
        "KpiUnitEnum": "kpis.models.Unit",
        "HistoryKindEnum": "planner.api.HISTORY_KINDS",
        "ChannelFamilyEnum": "channels.models.ChannelFamily",
        "ChannelGroupEnum": "channels.models.ChannelGroup",
        "ContentFormatEnum": "channels.models.ContentFormat",
        "RoiLayerEnum": "channels.models.RoiLayer",
        "CreatorTierEnum": "channels.models.CreatorTier",
        "CampaignThemeEnum": "content.models.ThemeType",
        "CampaignStatusEnum": "content.models.CampaignStatus",
        "AssetReviewStatusEnum": "content.models.ReviewStatus",
        "ContentLayerEnum": "content.models.ContentLayer",
        "ElementKindEnum": "content.models.ElementKind",
        "LicenceTerritoryEnum": "content.models.Territory",
        "SpecKindEnum": "content.models.SpecKind",
        "MechanismKindEnum": "content.models.MechanismKind",
        "CommunityLevelEnum": "content.models.CommunityLevel",
        "ImportStatusEnum": "monitoring.models.ImportStatus",
        "ObservationKindEnum": "monitoring.competitors.ObservationKind",
        "FeatureLevelEnum": "monitoring.competitors.Level",
        "CompetitorImportKindEnum": "monitoring.competitor_import.IMPORT_KINDS",
        "AlertStatusEnum": "monitoring.models.AlertStatus",
        "AlertSeverityEnum": "monitoring.models.Severity",
        "AlertSourceEnum": "monitoring.models.AlertSource",
        "KpiSourceEnum": "kpis.models.Source",
        "RuleMetricEnum": "monitoring.models.Metric",
        "RuleKindEnum": "monitoring.models.RuleKind",
        "ChannelGradeEnum": "monitoring.models.Grade",
        # budget: departments and collaboration
        "WorkstreamKindEnum": "budget.models.teams.WorkstreamKind",
        "RaciRoleEnum": "budget.models.teams.RaciRole",
        "CommunicationKindEnum": "budget.models.teams.RuleKind",
        "MeetingCadenceEnum": "budget.models.teams.Cadence",
        "MessagingToolEnum": "budget.models.teams.MessagingTool",
        "ConflictStatusEnum": "budget.models.teams.ConflictStatus",
        # budget: suppliers (ActionEnum keeps the plan transitions' name beside the flag's)
        "ActionEnum": "planner.models.PlanTransition.Action",
        "SupplierCategoryEnum": "budget.models.suppliers.SupplierCategory",
        "SupplierTierEnum": "budget.models.suppliers.SupplierTier",
        "SupplierFlagStatusEnum": "budget.models.suppliers.FlagStatus",
        "SupplierFlagActionEnum": "budget.models.suppliers.FlagAction",
        "RiskClauseKindEnum": "budget.models.suppliers.ClauseKind",
        "InnovationProjectStatusEnum": "budget.models.suppliers.ProjectStatus",
        "BudgetRequestStatusEnum": "budget.models.RequestStatus",
        "BudgetDecisionActionEnum": "budget.models.DecisionAction",
        "ReserveDrawStatusEnum": "budget.models.DrawStatus",
        "ReallocationMoveStatusEnum": "budget.models.MoveStatus",
        "MilestoneStatusEnum": "planner.execution.models.MilestoneStatus",
        "RiskStatusEnum": "planner.execution.models.RiskStatus",
        # notifications
        "DigestCadenceEnum": "planner.notify.models.DigestCadence",
        "DeliveryStatusEnum": "planner.notify.models.DeliveryStatus",
        "DeliveryKindEnum": "planner.notify.models.DeliveryKind",
        "AlertSectionEnum": "planner.notify.models.ALERT_SECTIONS",
        "RiskCategoryEnum": "planner.execution.models.RiskCategory",
        # plan versions (issue 10 item 7)
        "PlanVersionKindEnum": "planner.versions.models.VersionKind",
        "DiffChangeEnum": "planner.versions.api.CHANGES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Outbox: a message not done this long after it was published is published again.
# Alerts opened within this many seconds of each other go out as one email / chat message.
NOTIFY_ALERT_GROUP_SECONDS = env_int("NOTIFY_ALERT_GROUP_SECONDS", 180, minimum=0)
# At most this many alert emails per recipient and hour; the rest go into the next digest.
NOTIFY_ALERT_HOURLY_CAP = env_int("NOTIFY_ALERT_HOURLY_CAP", 6, minimum=1)
# How long the signed unsubscribe link in an email stays valid.
NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS = env_int("NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS", 365, minimum=1)
# Chat webhooks: seconds to wait for the platform; whether loopback/private hosts may be
# called outside DEBUG (only for tests and closed networks: it opens the door to SSRF).
CHAT_WEBHOOK_TIMEOUT = env_int("CHAT_WEBHOOK_TIMEOUT", 10, minimum=1)
CHAT_WEBHOOK_ALLOW_PRIVATE = env_bool("CHAT_WEBHOOK_ALLOW_PRIVATE", False)
# A plan's recomputes start at least this many seconds apart: the requests that arrive in
# between (a stream of imports) are answered by one run at the end of the interval. Only
# with a worker; tasks run in-process (no REDIS_URL) recompute at once.
RECOMPUTE_MIN_INTERVAL = timedelta(seconds=env_int("RECOMPUTE_MIN_INTERVAL_SECONDS", 30, minimum=0))
OUTBOX_RETRY_AFTER = timedelta(seconds=env_int("OUTBOX_RETRY_AFTER_SECONDS", 300, minimum=5))
