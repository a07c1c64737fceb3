"""Application logging: the `kivra.*` (security events, messaging) and `kivra_app.*` loggers at
KIVRA_LOG_LEVEL.

Log lines carry masked identifiers only; personnummer, codes and secrets never reach a logger.
What Reflex, the ASGI server and Socket.IO log goes through log_redaction's filter (cookies,
tokens, payloads; issue #12 finding 5).
"""

from __future__ import annotations

import logging
import sys

from kivra_app.log_redaction import install as install_redaction
from kivra_app.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOGGERS = ("kivra", "kivra_app")


def configure_logging(settings: Settings) -> None:
    install_redaction()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(settings.log_level.upper())
        if not any(getattr(h, "_kivra", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(FORMAT))
            handler._kivra = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.propagate = False
