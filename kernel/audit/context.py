"""The request the current code runs for (actor, device, address), without passing it everywhere.

Set by ``AuditMiddleware`` per request and refined by the bearer authentication; empty in Celery
tasks and management commands, where events are recorded as done by the system.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    method: str = ""
    path: str = ""
    ip: str | None = None
    actor_id: int | None = None
    actor_username: str = ""
    device_token_id: int | None = None
    device_id: str = ""
    events_recorded: int = 0


_current: ContextVar[RequestContext | None] = ContextVar("fieldscore_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def activate(ctx: RequestContext) -> Token[RequestContext | None]:
    return _current.set(ctx)


def deactivate(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def set_actor(
    *, user_id: int, username: str, device_token_id: int | None = None, device_id: str = ""
) -> None:
    ctx = _current.get()
    if ctx is None:
        return
    ctx.actor_id, ctx.actor_username = user_id, username
    ctx.device_token_id, ctx.device_id = device_token_id, device_id
