"""Notifications: events of the programme sent to DingTalk and WeCom group robots and to signed webhooks.

A service that changes something people must hear about calls :func:`kernel.notifications.services.notify`
in its own transaction: one ``Delivery`` row per enabled endpoint subscribed to that event and region is
written with the change, and each is sent by Celery after the commit (through the outbox). Sending retries
with exponential backoff; every attempt leaves its response code in the delivery log.

Like ``kernel.audit`` and ``kernel.outbox`` this package imports no app code, so every app may emit.
"""
