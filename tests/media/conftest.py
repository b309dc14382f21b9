"""Fixtures shared with the checklists tests (a phone with a draft to attach photos to)."""

from tests.checklists.conftest import officer_a, phone_a, templates  # noqa: F401
