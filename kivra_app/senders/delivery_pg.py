"""A new letter's rows on PostgreSQL in ONE statement: the letter, its blobs and parts, the
invoice, the "delivered" event, the notification outbox rows and the audit row, as
data-modifying CTEs that all hang off the letter's INSERT ... ON CONFLICT DO NOTHING.

Why: on the sender API's hot path each statement is a round trip with its own Python and
PostgreSQL overhead (issue #8: ~0.2 ms of Python each); six or more become one. When the
letter's (sender_id, external_id) exists already the letter CTE returns no row, every other
insert selects from it and so inserts nothing, and the caller takes the "same delivery under a
new key" path. SQLite has no data-modifying CTEs: delivery.py writes the same rows one statement
at a time there (the tests run both).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from kivra_app.models import (
    EVENT_DELIVERED,
    INVOICE_UNPAID,
    AuditLog,
    Blob,
    Invoice,
    Letter,
    LetterPart,
    NotificationOutbox,
    SenderEvent,
    new_uuid,
)

if TYPE_CHECKING:
    from kivra_app.senders.delivery import Prepared

_DIALECT = postgresql.dialect()


def _cast(table: Table, column: str, param: str) -> str:
    """CAST(:param AS <the column's type>), without a length: a cast to varchar(n) would
    truncate silently where an INSERT refuses."""
    sql_type = re.sub(r"\(.*\)", "", table.c[column].type.compile(dialect=_DIALECT))
    return f"CAST(:{param} AS {sql_type})"


def _insert_select(table: Table, values: dict[str, str], source: str) -> str:
    """INSERT INTO table (columns) SELECT expressions FROM source."""
    return (f"INSERT INTO {table.name} ({', '.join(values)}) "  # noqa: S608 - our names; values bound
            f"SELECT {', '.join(values.values())} FROM {source}")


@lru_cache(maxsize=64)
def _statement(parts: int, invoice: bool, channels: tuple[str, ...]):  # noqa: ANN202
    letter, blob, part = (Letter.__table__, Blob.__table__,  # type: ignore[attr-defined]
                          LetterPart.__table__)  # type: ignore[attr-defined]
    letter_cols = ("public_id", "mailbox_id", "sender", "sender_id", "external_id", "subject",
                   "body", "kind", "sensitivity", "received_at", "payload_sha256")
    ctes = [f"new_letter AS (INSERT INTO {letter.name} ({', '.join(letter_cols)}) VALUES ("  # noqa: S608
            + ", ".join(_cast(letter, c, c) for c in letter_cols)
            + ") ON CONFLICT (sender_id, external_id) DO NOTHING RETURNING id)"]
    for i in range(parts):
        ctes.append(f"blob_{i} AS (" + _insert_select(blob, {
            "sha256": _cast(blob, "sha256", f"sha256_{i}"),
            "size_bytes": _cast(blob, "size_bytes", f"size_{i}"),
            "data": _cast(blob, "data", f"data_{i}")}, "new_letter") + " RETURNING id)")
        ctes.append(f"part_{i} AS (" + _insert_select(part, {
            "public_id": _cast(part, "public_id", f"part_id_{i}"), "letter_id": "new_letter.id",
            "ordinal": str(i), "filename": _cast(part, "filename", f"filename_{i}"),
            "content_type": _cast(part, "content_type", f"content_type_{i}"),
            "size_bytes": _cast(part, "size_bytes", f"size_{i}"),
            "sha256": _cast(part, "sha256", f"sha256_{i}"), "blob_id": f"blob_{i}.id"},
            f"new_letter, blob_{i}") + ")")
    if invoice:
        inv = Invoice.__table__  # type: ignore[attr-defined]
        cols = ("amount_ore", "currency", "due_date", "account_type", "account_number",
                "reference_type", "reference", "status")
        ctes.append("invoice AS (" + _insert_select(inv, {
            "letter_id": "new_letter.id", **{c: _cast(inv, c, f"invoice_{c}") for c in cols},
            "status_changed_at": _cast(inv, "status_changed_at", "received_at")},
            "new_letter") + ")")
    event = SenderEvent.__table__  # type: ignore[attr-defined]
    ctes.append("event AS (" + _insert_select(event, {
        "sender_id": _cast(event, "sender_id", "sender_id"),
        "message_id": _cast(event, "message_id", "public_id"),
        "type": _cast(event, "type", "event_type"),
        "at": _cast(event, "at", "received_at")}, "new_letter") + ")")
    outbox = NotificationOutbox.__table__  # type: ignore[attr-defined]
    for channel in channels:
        cols = ("user_id", "sender_id", "sender_name", "channel", "kind", "status", "attempts",
                "due_at", "next_attempt_at", "created_at")
        ctes.append(f"outbox_{channel} AS (" + _insert_select(outbox, {
            "letter_id": "new_letter.id",
            # as outbox_rows builds it: "<letter id>:<channel>"
            "dedupe_key": f"CAST(new_letter.id AS varchar) || ':' || :outbox_{channel}_channel",
            **{c: _cast(outbox, c, f"outbox_{channel}_{c}") for c in cols}}, "new_letter") + ")")
    audit = AuditLog.__table__  # type: ignore[attr-defined]
    cols = ("at", "actor_type", "actor_id", "action", "outcome", "object_type", "object_id",
            "request_id", "details")
    ctes.append("audit AS (" + _insert_select(
        audit, {c: _cast(audit, c, f"audit_{c}") for c in cols}, "new_letter") + ")")
    return text("WITH " + ",\n".join(ctes) + "\nSELECT id FROM new_letter")


def insert_letter_and_rows(conn: Connection, prepared: Prepared, *, public_id: str,
                           sender_id: str, sender_name: str, mailbox_id: int, now: datetime,
                           outbox: list[dict[str, object]], audit: dict[str, object]) -> int | None:
    """The new letter's id, every row written; None (nothing written) when this sender's
    external_id exists already. `outbox`: outbox_rows(...) for the letter (their letter_id and
    dedupe_key are replaced by the new letter's); `audit`: audit_row(...)."""
    request = prepared.request
    params: dict[str, object] = {
        "public_id": public_id, "mailbox_id": mailbox_id, "sender": sender_name,
        "sender_id": sender_id, "external_id": request.external_id,
        "subject": " ".join(request.subject.split()), "body": request.body_text or "",
        "kind": request.type, "sensitivity": request.sensitivity, "received_at": now,
        "payload_sha256": prepared.payload_sha256, "event_type": EVENT_DELIVERED,
    }
    for i, part in enumerate(prepared.parts):
        params.update({f"sha256_{i}": part.sha256, f"size_{i}": len(part.data),
                       f"data_{i}": part.data, f"part_id_{i}": new_uuid(),
                       f"filename_{i}": part.filename, f"content_type_{i}": part.content_type})
    if prepared.invoice is not None:
        inv = prepared.invoice
        params.update({"invoice_amount_ore": inv.amount_ore, "invoice_currency": "SEK",
                       "invoice_due_date": inv.due_date, "invoice_account_type": inv.account_type,
                       "invoice_account_number": inv.account_number,
                       "invoice_reference_type": inv.reference_type,
                       "invoice_reference": inv.reference, "invoice_status": INVOICE_UNPAID})
    channels = []
    for row in outbox:
        channel = str(row["channel"])
        channels.append(channel)
        params.update({f"outbox_{channel}_{k}": v for k, v in row.items()
                       if k not in ("letter_id", "dedupe_key")})
    params.update({f"audit_{k}": v for k, v in audit.items()})
    statement = _statement(len(prepared.parts), prepared.invoice is not None, tuple(channels))
    return conn.execute(statement, params).scalar()
