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
