"""Account services: per-device bearer tokens (``tokens``), who manages which users (``scope``), role
grants (``grants``) and user accounts (``users``). Import from here: ``accounts.services``."""

from .grants import grant_create, grant_revoke
from .scope import OFFICE_GRANTABLE, USER_MANAGERS, may_manage, user_manager_paths
from .tokens import (
    TOKEN_PREFIX,
    device_tokens_purge,
    devices_owner_for,
    principal_from_token,
    token_authenticate,
    token_issue,
    token_revoke,
)
from .tokens import _token_create as _token_create  # tests and benches seed tokens with it
from .users import user_activate, user_create, user_deactivate, user_password_reset

__all__ = [
    "OFFICE_GRANTABLE",
    "TOKEN_PREFIX",
    "USER_MANAGERS",
    "device_tokens_purge",
    "devices_owner_for",
    "grant_create",
    "grant_revoke",
    "may_manage",
    "principal_from_token",
    "token_authenticate",
    "token_issue",
    "token_revoke",
    "user_activate",
    "user_create",
    "user_deactivate",
    "user_manager_paths",
    "user_password_reset",
]
