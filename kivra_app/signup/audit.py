"""Security events in OWASP Logging Vocabulary style, with masked identifiers only.

Never pass a full personnummer, a code, a secret or a token here. Values are single-line.
"""

from __future__ import annotations

import logging

log = logging.getLogger("kivra.security")


def _clean(value: object) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")[:200]


def security_event(event: str, *, level: int = logging.INFO, **fields: object) -> None:
    details = " ".join(f"{key}={_clean(value)}" for key, value in fields.items() if value is not None)
    log.log(level, "event=%s %s", event, details, extra={"security_event": event})
