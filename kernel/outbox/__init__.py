"""The transactional outbox: work that must follow a commit survives a broker that is down at that instant.

A service that queues work after its change (thumbnails of a photo, a scoreboard recompute, a large
import) writes an outbox message in the same transaction as the change, so both are committed or neither
is. After the commit the message is handed to Celery at once (best effort: the request has succeeded, so
a broker error is logged, never answered as a 500); a beat task re-sends what is still undispatched once
the broker is back. Identical work pending twice (the same tasks with the same arguments) is sent once.
Delivery is at least once: every task queued this way is idempotent.

Like ``kernel.audit.services``, ``kernel.outbox.services`` imports no app code, so every app may use it.
"""
