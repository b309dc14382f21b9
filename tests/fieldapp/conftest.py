"""The phone app's browser tests use the shared browser fixtures (see tests/browser.py)."""

from tests.browser import *  # noqa: F403
