"""Settings, driven by environment variables.

With nothing set the app runs embedded: SQLite, Celery tasks inline, local-memory cache.
DATABASE_URL selects PostgreSQL; REDIS_URL turns on the real broker, results and cache.
"""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
import plotly

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_celery_beat",
    "valuechain",
    "contracts",
    "deployments",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "valuechain.platform.middleware.CatalogueSnapshotMiddleware",
    # Last: turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "valuechain.urls"
WSGI_APPLICATION = "valuechain.wsgi.application"
ASGI_APPLICATION = "valuechain.asgi.application"

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
                "valuechain.platform.context_processors.product",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A database server's connection outlives the request (seconds; 0 closes it after each): opening
# one costs the server a process and the request a round trip, more than most pages' queries.
# Checked before reuse, so a restarted server costs one reconnect, not an error. A SQLite
# connection is a file handle: nothing to save.
_SERVER_DATABASE = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if _SERVER_DATABASE else 0)
)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Axes counts every failed login (pages, admin, API token) and refuses the next ones.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "idea-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# plotly.js is served from the installed plotly package, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Static files are found at request time too, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# Without collectstatic there is no STATIC_ROOT yet; the finders serve the files meanwhile.
warnings.filterwarnings("ignore", message="No directory at: ")

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"

# Request bodies and uploads are bounded: larger ones get a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REDIS_URL = env.str("REDIS_URL", default="")

# Brute-force protection: this many failed logins for one username, or from one address,
# lock that username or address out for the cool-off; a success resets the count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "valuechain.platform.lockout.lockout_response"
# Behind n proxies the client's address is the n-th from the right of X-Forwarded-For (each
# proxy appends the address it was reached from); with none, the connection's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "valuechain.platform.lockout.client_address"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "valuechain",
        }
    }
    # Sessions read from the shared cache, written through to the database. Only with a
    # shared cache: a per-process one would keep a session another process ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: inline without Redis; with Redis, tasks survive a worker crash (acks late,
# requeued when the worker is lost, one task prefetched at a time).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The queue tasks go to unless routed elsewhere (a worker started with -Q reads only its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Beat sweeps for runs whose task message was lost or whose worker died.
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-analysis-runs": {
        "task": "valuechain.tasks.requeue_stalled_runs",
        "schedule": 60.0,
    },
    "requeue-stalled-roadmap-runs": {
        "task": "valuechain.scenarios.tasks.requeue_stalled_roadmaps",
        "schedule": 60.0,
    },
    "requeue-stalled-validation-runs": {
        "task": "contracts.tasks.requeue_stalled_validations",
        "schedule": 60.0,
    },
    # Refreshes stored figures that a dead or lost refresh left stale.
    "refresh-stale-figures": {
        "task": "valuechain.figures.tasks.refresh_figures",
        "schedule": 300.0,
    },
    # Keeps each contract's newest dead letters and valid records (VALUECHAIN["KEEP_*"]).
    "prune-contract-records": {
        "task": "contracts.tasks.prune_contract_records",
        "schedule": 3600.0,
    },
    # Queues again the connector imports whose worker died.
    "requeue-stalled-connector-imports": {
        "task": "valuechain.connectors.tasks.requeue_stalled_imports",
        "schedule": 60.0,
    },
}

# Beat reads its schedule from the database (editable in the admin); the entries above are
# written into it when beat starts, the SLA checks and the daily digest are seeded by a migration.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Email: the console by default; EMAIL_URL (smtp://user:password@host:587/?tls=True) or
# EMAIL_HOST and friends for a real server.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    if env.str("EMAIL_HOST", default=""):
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="valuechain@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "valuechain.platform.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["valuechain.api.permissions.ReadAuthenticatedWriteByRole"],
    "DEFAULT_PARSER_CLASSES": [
        "valuechain.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "valuechain.api.renderers.FiniteJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "valuechain.api.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "valuechain.api.filters.BoundedSearchFilter",
        "valuechain.api.filters.BoundedOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "valuechain.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/minute"),
        # Token requests per client address, on top of the lockout per user and address.
        "auth": env.str("THROTTLE_AUTH", default="30/minute"),
        "user": env.str("THROTTLE_USER", default="5000/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles tell clients apart by the same address the lockout uses.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# The API schema and its docs need a signed-in user unless this is set.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

SPECTACULAR_SETTINGS = {
    "TITLE": "ValueChain API",
    "DESCRIPTION": "The data value chain catalogue, ML product ideas and their ROI.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is for signed-in users (token or session) unless API_DOCS_PUBLIC is set.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if API_DOCS_PUBLIC
        else "rest_framework.permissions.IsAuthenticated"
    ],
    # Several models have a `status`; name each choice set after what it belongs to.
    "ENUM_NAME_OVERRIDES": {
        "IdeaStatusEnum": "valuechain.models.Idea.Status",
        "RunStatusEnum": "valuechain.models.RunStatus",
    },
}

# The organisation's defaults for valuing ideas and portfolios.
VALUECHAIN = {
    "CURRENCY": env.str("VALUECHAIN_CURRENCY", default="EUR"),
    "DEFAULT_DISCOUNT_RATE": env.float("VALUECHAIN_DISCOUNT_RATE", default=0.10),
    "DEFAULT_HORIZON_YEARS": env.int("VALUECHAIN_HORIZON_YEARS", default=3),
    # A background run whose worker has not reported for this long may be claimed again.
    "RUN_LEASE_SECONDS": env.int("VALUECHAIN_RUN_LEASE_SECONDS", default=120),
    # Records stored per transaction by a validation run: the most a crash can make redo.
    "VALIDATION_CHUNK": env.int("VALUECHAIN_VALIDATION_CHUNK", default=1000),
    # Valid records kept per contract for consumers to read on.
    "KEEP_VALID_RECORDS": env.int("VALUECHAIN_KEEP_VALID_RECORDS", default=10_000),
    # Contract health: SLA breaches and dead letters of the last this many days count.
    "CONTRACT_HEALTH_WINDOW_DAYS": env.int("VALUECHAIN_CONTRACT_HEALTH_WINDOW_DAYS", default=7),
    # A contract dead-lettering more than this share of its records in the window is at risk.
    "MAX_DEAD_LETTER_RATE": env.float("VALUECHAIN_MAX_DEAD_LETTER_RATE", default=0.05),
    # Records one batch validation request may carry; more are refused with a 413.
    "MAX_BATCH_RECORDS": env.int("VALUECHAIN_MAX_BATCH_RECORDS", default=10_000),
    # Dead letters kept per contract, newest first; beat prunes the older ones.
    "KEEP_DEAD_LETTERS": env.int("VALUECHAIN_KEEP_DEAD_LETTERS", default=10_000),
    # An API token stops working this many hours after it was issued.
    "API_TOKEN_LIFETIME_HOURS": env.int("VALUECHAIN_API_TOKEN_LIFETIME_HOURS", default=24),
    # Webhooks: seconds a receiver has to answer, attempts before a delivery fails, and the
    # first wait before trying again (doubled each time, at most an hour).
    "WEBHOOK_TIMEOUT_SECONDS": env.float("VALUECHAIN_WEBHOOK_TIMEOUT_SECONDS", default=5.0),
    "WEBHOOK_MAX_ATTEMPTS": env.int("VALUECHAIN_WEBHOOK_MAX_ATTEMPTS", default=5),
    "WEBHOOK_BACKOFF_SECONDS": env.float("VALUECHAIN_WEBHOOK_BACKOFF_SECONDS", default=30.0),
    # Webhooks to loopback, private and link-local addresses (the internal network, cloud
    # metadata) are refused unless this is set (e.g. for receivers inside the organisation).
    "WEBHOOK_ALLOW_PRIVATE": env.bool("VALUECHAIN_WEBHOOK_ALLOW_PRIVATE", default=False),
    # Where the site is reached: links in notification emails start with it.
    "PUBLIC_URL": env.str("VALUECHAIN_PUBLIC_URL", default="http://127.0.0.1:8000"),
    # Scheduled SLA checks judge a dead-letter rate once this many records arrived in the window.
    "MONITOR_MIN_RECORDS": env.int("VALUECHAIN_MONITOR_MIN_RECORDS", default=10),
    # Contract streams other applications subscribe to (valid records per version, dead
    # letters) are trimmed to about this many entries each (XADD MAXLEN ~).
    "VALID_STREAM_MAXLEN": env.int("VALUECHAIN_VALID_STREAM_MAXLEN", default=100_000),
    "DEAD_STREAM_MAXLEN": env.int("VALUECHAIN_DEAD_STREAM_MAXLEN", default=100_000),
    # Dead letters a replay claims and commits per transaction.
    "REPLAY_CHUNK": env.int("VALUECHAIN_REPLAY_CHUNK", default=500),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Production hardening (docker-compose.yml turns these on; behind TLS they all belong on).
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The container health check speaks plain HTTP to the app itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
# A proxy terminating TLS says so in this header (e.g. X-Forwarded-Proto: https).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts only from this origin (no inline script, no eval);
# plotly and htmx write inline styles, so styles allow them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
