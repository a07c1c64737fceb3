"""Redaction of what other libraries log (issue #12 finding 5).

When an event names a handler that does not exist (ordinary right after a deploy renamed one),
Reflex logs the whole event: the Cookie header with a live session, the tab token and the
payload with a personnummer. Our own loggers log masked values only; Reflex, the ASGI server and
Socket.IO do not know what is secret. `RedactingFilter` rewrites a record before any handler
sees it: the values of cookie, token, secret, ticket, authorization, router_data, headers and
payload fields, our cookies' values, and anything shaped like a personnummer become
`[redacted]`; a traceback is formatted and redacted the same way.

It is installed by `install()` as a filter on the Reflex and server loggers and on every
handler they have, and, because Reflex (re)attaches handlers and child loggers bypass a parent
logger's filters, as the log record factory too, so no record escapes it whichever logger or
handler it takes.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[redacted]"
# Loggers whose records we do not write ourselves (and their children).
FOREIGN_LOGGERS = ("reflex", "reflex_base", "uvicorn", "granian", "_granian", "engineio",
                   "socketio", "starlette", "asyncio", "httpx", "httpcore", "")

# Field names whose values are secret or personal wherever they appear (dict keys, keyword
# arguments, `name=value` in a message, header lines).
_SENSITIVE_FIELDS = (r"cookie|set-cookie|authorization|proxy-authorization|token|client_token|"
                r"secret|ticket|password|passwd|sid|router_data|headers|payload|form_data|"
                r"x-forwarded-for")
_KEY = re.compile(
    rf"""(?P<key>['"]?\b(?:{_SENSITIVE_FIELDS})\b['"]?)(?P<sep>\s*(?:=|:)\s*)""", re.IGNORECASE)
_COOKIE_PAIR = re.compile(r"((?:__Host-)?kivra_(?:signup|session))=[^;\s'\",}]+")
_PERSONNUMMER = re.compile(r"(?<![\w-])(?:\d{2})?\d{6}[-+]?\d{4}(?![\w])")
_OPEN = {"{": "}", "[": "]", "(": ")"}


def _value_end(text: str, start: int) -> int:
    """Where the value that starts at `start` ends: a balanced bracket group, a quoted string,
    or up to the next separator."""
    if start >= len(text):
        return start
    first = text[start]
    if first in "'\"":
        i = start + 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == first:
                return i + 1
            i += 1
        return len(text)
    if first in _OPEN:
        depth, i, quote = 0, start, None
        while i < len(text):
            char = text[i]
            if quote:
                if char == "\\":
                    i += 2
                    continue
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char in _OPEN:
                depth += 1
            elif char in _OPEN.values():
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(text)
    match = re.compile(r"[,;)\]}\s]").search(text, start)
    return match.start() if match else len(text)


def redact(text: str) -> str:
    if not text:
        return text
    out: list[str] = []
    position = 0
    for match in _KEY.finditer(text):
        if match.start() < position:
            continue  # inside a value already redacted
        value_start = match.end()
        value_end = _value_end(text, value_start)
        if value_end == value_start:
            continue
        out.append(text[position:value_start])
        out.append(REDACTED)
        position = value_end
    out.append(text[position:])
    result = "".join(out)
    result = _COOKIE_PAIR.sub(lambda m: f"{m.group(1)}={REDACTED}", result)
    return _PERSONNUMMER.sub(REDACTED, result)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) with `redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_kivra_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep what we can
            message = str(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info))
            record.exc_info = None
            record.exc_text = None
        if record.stack_info:
            message += "\n" + record.stack_info
            record.stack_info = None
        record.msg = redact(message)
        record.args = None
        record._kivra_redacted = True  # type: ignore[attr-defined]
        return True


_FILTER = RedactingFilter()
_installed = False


def install() -> None:
    """Put the filter on the foreign loggers and their handlers, and in the record factory."""
    global _installed
    for name in FOREIGN_LOGGERS:
        logger = logging.getLogger(name or None)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:  # noqa: ANN002, ANN003
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
