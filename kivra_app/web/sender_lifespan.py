"""Beside the web server for the app's whole life: the notification outbox worker, and in
development the demo sender whose credentials /dev/senders shows.

Every worker process runs one outbox worker; claims are atomic, so several processes share the
queue without sending anything twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kivra_app.container import services

log = logging.getLogger(__name__)


@asynccontextmanager
async def sender_services() -> AsyncIterator[None]:
    from kivra_app.senders.notifications import NotificationWorker

    svc = services()
    if svc.settings.dev_parts_enabled:
        from kivra_app.senders.demo import ensure_demo_sender

        try:
            await asyncio.to_thread(ensure_demo_sender, svc.engine, svc.settings)
        except Exception:  # noqa: BLE001 - e.g. another worker created it at the same moment
            log.warning("demo_sender_not_created", exc_info=True)
    stop = asyncio.Event()
    task = None
    if svc.settings.notification_worker:
        worker = NotificationWorker(svc.engine, svc.settings, svc.mailer, svc.sms)
        task = asyncio.create_task(worker.run_forever(stop), name="notification-outbox")
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            # A send in flight finishes (or its lease lets another worker take it later).
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=15)
