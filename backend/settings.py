"""Settings, read from the environment.

With no variables set this is the embedded runtime: SpatiaLite under ``var/``, Celery tasks run eagerly
in-process, media on local disk. Production sets ``DATABASE_URL=postgis://…``, ``CELERY_BROKER_URL=redis://…``,
``SECRET_KEY`` and ``DEBUG=0``.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("FIELDSCORE_VAR_DIR", default=str(BASE_DIR / "var")))

EMBEDDED = not os.environ.get("DATABASE_URL")
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# The embedded runtime is a laptop demo: debug is on unless told otherwise. Anything with a real
# database must opt in to DEBUG explicitly.
DEBUG = env.bool("DEBUG", default=EMBEDDED)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY 未设置：关闭 DEBUG 时必须通过环境变量提供 SECRET_KEY。")
    SECRET_KEY = "embedded-insecure-key-only-for-debug"  # noqa: S105 - DEBUG-only fallback

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "axes",
    "ninja",
    "backend",
    "accounts",
    "kernel.audit",
    "kernel.outbox",
    "kernel.notifications",
    "geo",
    "scoring",
    "checklists",
    "media",
    "console",
    "fieldapp",
]

MIDDLEWARE = [
    # A view that finds the database, cache or broker down answers a JSON 503, not a 500.
    "kernel.unavailable.UnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kernel.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.console",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"spatialite:///{VAR_DIR / 'fieldscore.sqlite3'}")}
# Persistent connections for real databases: a new PostGIS connection per request costs more than
# the request itself. SQLite files gain nothing from it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if EMBEDDED else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # SQLite allows one writer. A transaction that reads first and writes later cannot wait for the lock
    # once another connection has committed in between: SQLite says "database is locked" at once,
    # whatever the timeout. So every transaction takes the write lock when it begins (BEGIN IMMEDIATE)
    # and waits for it up to the busy timeout (seconds); longer contention is a 503 to retry.
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", env.float("SQLITE_BUSY_TIMEOUT", default=20.0))
    # WAL lets readers work while one writer commits; NORMAL sync is durable across app crashes.
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
elif DATABASES["default"]["ENGINE"].endswith("postgis"):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # PostgreSQL's JIT compiles a query whose estimated cost is high, which a map tile's or a scoreboard's
    # correlated subqueries easily reach: at 100,000 facilities a z10 tile spent 1.1 s compiling for 0.2 s
    # of execution. Our queries are short; JIT only adds latency. PG_JIT=on gives it back.
    if not env.bool("PG_JIT", default=False):
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    # The statements sent on every request (the token check, the subject's read, a submission's writes:
    # kernel.queries.hot_cursor) are bound by the server, and one a connection has run 5 times is prepared
    # on it (connections persist, CONN_MAX_AGE): parsed and planned once per connection, not at every
    # request — planning alone was ~0.45 ms of the server's time per request (bench/ingest). Django's own
    # cursors keep binding on the client and never prepare. Prepared statements do not survive a
    # transaction-pooling proxy (PgBouncer before 1.21): PG_PREPARE_THRESHOLD=off.
    threshold = env.str("PG_PREPARE_THRESHOLD", default="5")
    options.setdefault("prepare_threshold", None if threshold == "off" else int(threshold))
SPATIALITE_LIBRARY_PATH = env.str("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://fieldscore")}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- API -------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# A dependency down (database, cache, broker) or the database busy past its lock timeout answers 503 with
# Retry-After: this many seconds.
FIELDSCORE_RETRY_AFTER_UNAVAILABLE = env.int("RETRY_AFTER_UNAVAILABLE", default=30)
FIELDSCORE_RETRY_AFTER_BUSY = env.int("RETRY_AFTER_BUSY", default=5)

# --- Mobile device tokens --------------------------------------------------------------------------
FIELDSCORE_TOKEN_TTL = timedelta(days=env.int("TOKEN_TTL_DAYS", default=30))
FIELDSCORE_TOKEN_RETENTION = timedelta(days=env.int("TOKEN_RETENTION_DAYS", default=180))
# Per client address, on top of Axes' per-(username, address) lockout.
FIELDSCORE_LOGIN_RATE = env.str("LOGIN_RATE", default="30/m")

# --- Login lockout (django-axes) -------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The API's JSON error, or the console's page for logins under /console/.
AXES_LOCKOUT_CALLABLE = "backend.lockout.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IP_HEADERS", default=["REMOTE_ADDR"]
)  # behind nginx set to HTTP_X_FORWARDED_FOR,REMOTE_ADDR
AXES_VERBOSE = False

# --- Celery ----------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = (
    env.str(
        "CELERY_RESULT_BACKEND",
        default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    )
    or None
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hard time limits: every task's by default, and the jobs' (imports and exports of files up to the upload
# limits: a 100,000-row ledger takes minutes). The soft limit raises SoftTimeLimitExceeded inside the task a
# little earlier, so that it fails cleanly.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=CELERY_TASK_TIME_LIMIT * 9 // 10)
JOB_TIME_LIMIT = env.int("JOB_TIME_LIMIT", default=3600)
JOB_SOFT_TIME_LIMIT = env.int("JOB_SOFT_TIME_LIMIT", default=JOB_TIME_LIMIT * 9 // 10)
# With late acknowledgement, Redis hands an unacknowledged task (its worker died) to another worker after
# this many seconds. Shorter than a task may run, and a live task would be handed out twice: it must
# exceed the longest hard time limit, so it is derived from the limits above (plus a minute for the worker
# to notice the limit and settle the message), refused here when set lower, and checked against every
# registered task's own limit when a worker starts (``backend.celery.check_time_limits``). A dead
# worker's *job* does not wait for it: its heartbeat stops, the job is reported stalled and the sweep
# re-queues it (JOB_STALL_SECONDS, below). A task sent with a countdown or ETA beyond the timeout would
# also be delivered twice: none is.
LONGEST_TASK_SECONDS = max(CELERY_TASK_TIME_LIMIT, JOB_TIME_LIMIT)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=LONGEST_TASK_SECONDS + 60)
if CELERY_VISIBILITY_TIMEOUT <= LONGEST_TASK_SECONDS:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT（{CELERY_VISIBILITY_TIMEOUT} 秒）必须大于最长的任务硬时限"
        f"（CELERY_TASK_TIME_LIMIT、JOB_TIME_LIMIT：{LONGEST_TASK_SECONDS} 秒），否则仍在运行的任务会被 Redis"
        "再次分发。"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE = {
    "purge-stale-device-tokens": {
        "task": "accounts.tasks.device_tokens_purge",
        "schedule": timedelta(hours=24),
    },
}
# Work that follows a commit goes through the outbox (backend/outbox): sent at the commit, and re-sent by
# this sweep when the broker was down then. A message is left to the sweep for OUTBOX_SWEEP_AFTER_SECONDS
# (the commit's own send is under way); dispatched ones are kept OUTBOX_RETENTION_DAYS for the admin.
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "kernel.outbox.tasks.outbox_sweep",
    "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    "options": {"expires": OUTBOX_SWEEP_SECONDS},  # sweeps missed in an outage are not all run at once
}

# --- Notifications (kernel/notifications) ------------------------------------------------------------
# Endpoint URLs and secrets are encrypted with FIELDSCORE_NOTIFY_KEY (a Fernet key:
# ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``); when
# unset it is derived from SECRET_KEY, so set it before rotating SECRET_KEY. A send waits
# NOTIFY_TIMEOUT_SECONDS for an answer; a retryable failure (5xx, 429, no answer, robot errcode != 0) is
# tried again after NOTIFY_RETRY_BASE_SECONDS · 2^(n-1), at most NOTIFY_RETRY_MAX_SECONDS (kept under the
# visibility timeout), NOTIFY_MAX_ATTEMPTS attempts in all.
FIELDSCORE_NOTIFY_KEY = env.str("FIELDSCORE_NOTIFY_KEY", default="")
# The console's address as people reach it (https://fieldscore.example.gov.cn): messages link to it.
FIELDSCORE_PUBLIC_URL = env.str("FIELDSCORE_PUBLIC_URL", default="")
NOTIFY_TIMEOUT_SECONDS = env.int("NOTIFY_TIMEOUT_SECONDS", default=10)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=30.0)
NOTIFY_RETRY_MAX_SECONDS = min(
    env.float("NOTIFY_RETRY_MAX_SECONDS", default=600.0), max(1.0, CELERY_VISIBILITY_TIMEOUT - 60.0)
)
NOTIFY_SWEEP_GRACE_SECONDS = env.int("NOTIFY_SWEEP_GRACE_SECONDS", default=300)
# A rectification is announced 即将到期 this many days before its deadline (and 已逾期 the day after).
NOTIFY_RECTIFICATION_DUE_DAYS = env.int("NOTIFY_RECTIFICATION_DUE_DAYS", default=3)
NOTIFY_OVERDUE_LOOKBACK_DAYS = env.int("NOTIFY_OVERDUE_LOOKBACK_DAYS", default=7)
CELERY_BEAT_SCHEDULE["notifications-resend-due"] = {
    "task": "kernel.notifications.tasks.deliveries_resend_due",
    "schedule": timedelta(minutes=5),
    "options": {"expires": 300},
}
CELERY_BEAT_SCHEDULE["rectification-deadline-notices"] = {
    "task": "checklists.tasks.rectification_deadline_notices",
    "schedule": timedelta(hours=1),
    "options": {"expires": 3600},
}

# --- Jobs (imports, large exports: kernel/jobs.py) --------------------------------------------------
# A running job's process writes a heartbeat this often; a job whose last beat is older than
# JOB_STALL_SECONDS is reported ``stalled`` (its process died) and re-queued by the sweep, which runs
# every JOB_SWEEP_SECONDS; a queued job nobody picked up for JOB_QUEUED_STALL_SECONDS (its message was
# lost) likewise. A job is queued at most JOB_MAX_ATTEMPTS times by the system, then marked failed (its
# owner may still retry it).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=10.0)
JOB_STALL_SECONDS = env.float("JOB_STALL_SECONDS", default=60.0)
JOB_QUEUED_STALL_SECONDS = env.float("JOB_QUEUED_STALL_SECONDS", default=1800.0)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
JOB_SWEEP_SECONDS = env.int("JOB_SWEEP_SECONDS", default=60)
if JOB_STALL_SECONDS < 3 * JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "JOB_STALL_SECONDS 至少应为 JOB_HEARTBEAT_SECONDS 的 3 倍：偶尔迟到一次的心跳不应使任务被判为中断。"
    )
CELERY_BEAT_SCHEDULE["jobs-requeue-stalled-ledger"] = {
    "task": "geo.tasks.ledger_jobs_requeue_stalled",
    "schedule": timedelta(seconds=JOB_SWEEP_SECONDS),
}
CELERY_BEAT_SCHEDULE["jobs-requeue-stalled-water"] = {
    "task": "scoring.tasks.water_imports_requeue_stalled",
    "schedule": timedelta(seconds=JOB_SWEEP_SECONDS),
}
CELERY_BEAT_SCHEDULE["jobs-requeue-stalled-bulletins"] = {
    "task": "scoring.bulletins.tasks.bulletins_requeue_stalled",
    "schedule": timedelta(seconds=JOB_SWEEP_SECONDS),
}
# 通报 (scoring/bulletins): the chart's Chinese font (empty: the first `fc-list :lang=zh` finds), and the
# LibreOffice command that converts the .docx to PDF (absent from PATH: PDF answers 409).
BULLETIN_FONT = env.str("BULLETIN_FONT", default="")
BULLETIN_SOFFICE = env.str("BULLETIN_SOFFICE", default="soffice")
BULLETIN_PDF_TIMEOUT = env.int("BULLETIN_PDF_TIMEOUT", default=120)
CELERY_BEAT_SCHEDULE["jobs-requeue-stalled-air"] = {
    "task": "scoring.tasks.air_imports_requeue_stalled",
    "schedule": timedelta(seconds=JOB_SWEEP_SECONDS),
}

# --- Web console and security headers ----------------------------------------------------------------
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
# SecurityMiddleware and XFrameOptionsMiddleware send these (Django's defaults, spelled out).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere in the console: htmx and ECharts come from our static files. The
# back office and the API docs (Swagger UI styles itself inline) keep Django's and ninja's own pages.
# The planners' map (/console/map/) draws our own vector tiles; an XYZ raster base map is optional (an
# intranet has none): FIELDSCORE_MAP_BASE_URL with {z}/{x}/{y} (e.g. 天地图 with its key), and the datum
# its tiles are drawn in (wgs84 — 天地图 / CGCS2000 — or gcj02 — 高德, 腾讯 — over which our tiles are
# served shifted). Only that one host is added to the CSP, and only when set.
FIELDSCORE_MAP_BASE_URL = env.str("FIELDSCORE_MAP_BASE_URL", default="")
FIELDSCORE_MAP_BASE_DATUM = env.str("FIELDSCORE_MAP_BASE_DATUM", default="wgs84")
if FIELDSCORE_MAP_BASE_DATUM not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured("FIELDSCORE_MAP_BASE_DATUM 只能是 wgs84 或 gcj02")
_map_base = urlsplit(FIELDSCORE_MAP_BASE_URL)
if FIELDSCORE_MAP_BASE_URL and (_map_base.scheme not in ("http", "https") or not _map_base.netloc):
    raise ImproperlyConfigured("FIELDSCORE_MAP_BASE_URL 必须是 http(s) 开头的完整地址，含 {z}、{x}、{y}")
_MAP_BASE_ORIGIN = [f"{_map_base.scheme}://{_map_base.netloc}"] if FIELDSCORE_MAP_BASE_URL else []
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # MapLibre decodes raster tiles through blob: images and fetches them (connect-src); its worker is
        # our static file (the CSP build), so no blob: worker.
        "img-src": ["'self'", "data:", "blob:", *_MAP_BASE_ORIGIN],
        "connect-src": ["'self'", *_MAP_BASE_ORIGIN],
        "worker-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Logging ---------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "celery": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# Debian 12 ships GDAL 3.6. W001 warns that GDAL < 3.9 cannot refuse file/network access while parsing
# spatial references; we never hand user-supplied SRS definitions or files to GDAL (points are built
# from validated floats), so the warning does not apply. Remove this once on GDAL >= 3.9.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Photos ------------------------------------------------------------------------------------------
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=50_000_000)  # a 48 MP phone camera fits

# --- Checklists --------------------------------------------------------------------------------------
# Largest inspection PUT accepted (answers only: photos travel separately).
INSPECTION_MAX_BODY_BYTES = env.int("INSPECTION_MAX_BODY_BYTES", default=512 * 1024)
# A spot-check score this many points away from the town's own score is flagged.
SPOT_CHECK_GAP_THRESHOLD = env.float("SPOT_CHECK_GAP_THRESHOLD", default=10.0)
CELERY_BEAT_SCHEDULE["mark-overdue-rectifications"] = {
    "task": "checklists.tasks.rectifications_mark_overdue",
    "schedule": timedelta(hours=1),
}
PHOTO_MAX_EXIF_BYTES = env.int("PHOTO_MAX_EXIF_BYTES", default=128 * 1024)
PHOTO_THUMB_PHONE_PX = env.int("PHOTO_THUMB_PHONE_PX", default=1024)
PHOTO_THUMB_LIST_PX = env.int("PHOTO_THUMB_LIST_PX", default=256)
# Evidence checks (flags, never rejections).
PHOTO_SUBJECT_DISTANCE_M = env.float("PHOTO_SUBJECT_DISTANCE_M", default=200.0)
PHOTO_EXIF_PHONE_DISTANCE_M = env.float("PHOTO_EXIF_PHONE_DISTANCE_M", default=100.0)
PHOTO_TIME_FLAG_HOURS = env.float("PHOTO_TIME_FLAG_HOURS", default=24.0)
PHOTO_PHASH_MAX_DISTANCE = env.int("PHOTO_PHASH_MAX_DISTANCE", default=8)
PHOTO_URL_EXPIRY_SECONDS = env.int("PHOTO_URL_EXPIRY_SECONDS", default=300)

# --- Water quality ------------------------------------------------------------------------------------
# How a below-detection value (未检出 / ND / "<0.01") enters a mean: half_dl (half the detection limit,
# common practice), dl or zero. *Unconfirmed* in the sources: the bureau decides.
WATER_CENSORED_RULE = env.str("WATER_CENSORED_RULE", default="half_dl")
# Quarterly / annual / year-to-date means: "samples" (all samples) or "monthly_means". *Unconfirmed*.
WATER_MEAN_OF = env.str("WATER_MEAN_OF", default="samples")
# A monthly DO mean below this (mg/L) is a DO alert (提Ⅲ): the Ⅲ limit by default.
WATER_DO_ALERT = env.float("WATER_DO_ALERT", default=5.0)
WATER_IMPORT_MAX_BYTES = env.int("WATER_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
# Files up to this size are imported during the request; larger ones by a Celery task the client polls.
WATER_IMPORT_SYNC_BYTES = env.int("WATER_IMPORT_SYNC_BYTES", default=1024 * 1024)
# The demo's automatic-station series: one reading every this many hours (the test suite uses 24).
DEMO_WATER_STEP_HOURS = env.int("DEMO_WATER_STEP_HOURS", default=4)

# --- Sewage facility ledgers (台账) -------------------------------------------------------------------
LEDGER_IMPORT_MAX_BYTES = env.int("LEDGER_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Ledgers up to this size are imported during the request; larger ones by a Celery task the client polls.
LEDGER_IMPORT_SYNC_BYTES = env.int("LEDGER_IMPORT_SYNC_BYTES", default=512 * 1024)
# A facility's coordinates may lie this far (metres) outside its declared town before the row is refused.
LEDGER_TOWN_TOLERANCE_M = env.float("LEDGER_TOWN_TOLERANCE_M", default=500.0)
# Ledger exports of more facilities than this are written by a Celery job the client polls (202), smaller
# ones during the request.
LEDGER_EXPORT_SYNC_FACILITIES = env.int("LEDGER_EXPORT_SYNC_FACILITIES", default=5000)

# --- The planners' map (vector tiles) ----------------------------------------------------------------
# Below this zoom the point layers (facilities, photos, rectifications) are aggregated server-side into
# grid cells (one feature per occupied cell with counts) instead of one feature per point.
MAP_CLUSTER_BELOW_ZOOM = env.int("MAP_CLUSTER_BELOW_ZOOM", default=12)

# --- Storage -----------------------------------------------------------------------------------------
# Local disk by default; S3-compatible object storage (MinIO, OSS, COS, …) when S3_BUCKET is set.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env.str("S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("S3_SECRET_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,  # photos are private: only signed, expiring URLs reach them
            "querystring_expire": PHOTO_URL_EXPIRY_SECONDS,
            "file_overwrite": False,
        },
    }

# --- Scoreboards -------------------------------------------------------------------------------------
APPEAL_WINDOW_DAYS = env.int("APPEAL_WINDOW_DAYS", default=5)  # 公示期 (days towns may appeal)
