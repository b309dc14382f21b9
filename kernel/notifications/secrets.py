"""Endpoint secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with the key ``FIELDSCORE_NOTIFY_KEY``.

When that setting is empty the key is derived from ``SECRET_KEY`` (SHA-256 of a fixed label and it): a
deployment that rotates ``SECRET_KEY`` must set ``FIELDSCORE_NOTIFY_KEY`` first (to the derived value,
``manage.py shell -c "from kernel.notifications.secrets import key; print(key().decode())"``) or enter the
endpoints' secrets again. Plain secrets never leave this module except to the sender.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def key() -> bytes:
    configured = getattr(settings, "FIELDSCORE_NOTIFY_KEY", "")
    if configured:
        return configured.encode()
    digest = hashlib.sha256(b"fieldscore.notifications:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(plain: str) -> str:
    return Fernet(key()).encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    """The plain secret; raises ``SecretUnreadable`` when the key changed since it was stored."""
    if not token:
        return ""
    try:
        return Fernet(key()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "无法解密端点密钥：FIELDSCORE_NOTIFY_KEY 或 SECRET_KEY 已变更，请重新填写"
        ) from exc


class SecretUnreadable(Exception):
    pass


def mask_url(url: str) -> str:
    """What the admin and the API show of a URL that carries a token: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else ("…" if url else "")


def mask_secret(plain: str) -> str:
    return "已设置（已加密）" if plain else "未设置"
