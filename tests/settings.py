"""Test settings: the real settings, with only what tests need changed."""

import atexit
import os
import shutil
import tempfile

if "FIELDSCORE_VAR_DIR" not in os.environ:
    _tmp = tempfile.mkdtemp(prefix="fieldscore-test-var-")
    atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
    os.environ["FIELDSCORE_VAR_DIR"] = _tmp
# On PostGIS the settings behave as in production (DEBUG off), which requires a SECRET_KEY.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from backend.settings import *  # noqa: F403

# Hashing strength is not under test; speed is.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# Celery runs eagerly unless a test starts a real worker (tests marked ``redis``).
CELERY_TASK_ALWAYS_EAGER = True
FIELDSCORE_TEST_REDIS_URL = os.environ.get("FIELDSCORE_TEST_REDIS_URL", "")

# A lighter demo water series (one automatic reading a day) keeps the demo tests quick.
DEMO_WATER_STEP_HOURS = 24

if DATABASES["default"]["ENGINE"].endswith("spatialite"):  # noqa: F405
    # The SpatiaLite test database is a file, as the embedded default is, not SQLite's in-memory database.
    # In memory, Django hands the live server's threads the test's one connection; two threads on one
    # sqlite3 connection can deadlock the whole process (one inside SQLite holding the connection's mutex and
    # calling a Python function — Django's date helpers — waits for the GIL, while the other holds the GIL
    # and waits for that mutex reading a row): a CI run froze for 80 minutes in a map test. On a file each
    # thread opens its own connection, with production's options (WAL, BEGIN IMMEDIATE, busy timeout).
    # One folder per test process (``tempfile``; pytest-xdist workers get their own), on tmpfs if present.
    _db_dir = tempfile.mkdtemp(
        prefix="fieldscore-test-db-",
        dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None,  # noqa: S108
    )
    atexit.register(shutil.rmtree, _db_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_db_dir, "test.sqlite3")}  # noqa: F405
