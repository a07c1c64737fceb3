"""What runs beside the web server for the app's whole life: the embedded dev SMTP server."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kivra_app.container import services
from kivra_app.messaging.smtp_server import start_embedded_smtp

log = logging.getLogger(__name__)


@asynccontextmanager
async def embedded_services() -> AsyncIterator[None]:
    svc = services()
    smtp = None
    try:
        smtp = await asyncio.to_thread(start_embedded_smtp, svc.settings, svc.engine)
    except OSError as exc:
        # With several workers only the first one binds the port; the others share it.
        if exc.errno != errno.EADDRINUSE:
            raise
        log.info("dev_smtp_already_running port=%s", svc.settings.smtp_port)
    try:
        yield
    finally:
        if smtp is not None:
            await asyncio.to_thread(smtp.stop)
        aclose = getattr(svc.bankid, "aclose", None)
        if aclose is not None:
            await aclose()
