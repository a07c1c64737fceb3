"""The Idempotency-Key of POST /messages, claimed inside the delivery's own transaction.

The claim is an INSERT ... ON CONFLICT DO NOTHING of the key's row *with the answer the
delivery will give* (its public id and time are chosen before anything is stored). Within the
transaction that row is invisible to others; on commit it appears together with the message, on
any refusal (rollback) it was never there. A concurrent request with the same key waits on the
unique key (PostgreSQL: for the holder's commit or rollback; SQLite: for the write lock), then
finds the committed row and replays it, or claims the key itself if the holder rolled back.
One statement on the usual path instead of a claim commit, an update and a release.

A row still "in_progress" (written by the two-step claim this replaced, or by hand) answers 409
idempotency-request-in-progress, as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from kivra_app.db import insert_or_ignore
from kivra_app.models import IdempotencyRecord, as_utc
from kivra_app.senders.problems import Problem

_TABLE = IdempotencyRecord.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to replay: status, JSON body, Location."""

    status: int
    body: dict[str, object]
    location: str | None = None

    def stored(self) -> str:
        return json.dumps({"body": self.body, "location": self.location})


def in_progress_problem() -> Problem:
    return Problem("idempotency-request-in-progress", headers={"Retry-After": "1"})


_READ = select(_TABLE.c.request_sha256, _TABLE.c.status, _TABLE.c.response_code,
               _TABLE.c.response_body, _TABLE.c.expires_at)


@lru_cache
def _claim_statement(dialect: str):  # noqa: ANN202
    """Built once per dialect (the hot path: one per delivery)."""
    return (insert_or_ignore(dialect, _TABLE)
            .on_conflict_do_nothing(index_elements=["sender_id", "key"])
            .returning(_TABLE.c.key))


def _key(sender_id: str, key: str):  # noqa: ANN202
    return (_TABLE.c.sender_id == sender_id) & (_TABLE.c.key == key)


def claim(conn: Connection, *, sender_id: str, key: str, payload_sha256: str, answer: Answer,
          now: datetime, ttl: timedelta) -> Answer | None:
    """None: the key is ours in this transaction, stored with `answer`. An Answer: the key's
    earlier answer, to replay. Raises 422 idempotency-key-reused / 409 in-progress."""
    for _ in range(3):
        inserted = conn.execute(_claim_statement(conn.dialect.name), {
            "sender_id": sender_id, "key": key, "request_sha256": payload_sha256,
            "status": "done", "response_code": answer.status, "response_body": answer.stored(),
            "created_at": now, "expires_at": now + ttl}).first()
        if inserted is not None:
            return None
        row = conn.execute(_READ.where(_key(sender_id, key))).first()
        if row is None:
            continue  # gone between the two statements (an expired row deleted): claim again
        if as_utc(row.expires_at) <= now:  # type: ignore[operator]
            conn.execute(delete(_TABLE).where(_key(sender_id, key)))
            continue
        if row.request_sha256 != payload_sha256:
            raise Problem("idempotency-key-reused")
        if row.status != "done" or row.response_body is None:
            raise in_progress_problem()
        stored = json.loads(row.response_body)
        return Answer(int(row.response_code or 200), stored["body"], stored.get("location"))
    raise in_progress_problem()


def replace_answer(conn: Connection, *, sender_id: str, key: str, answer: Answer) -> None:
    """The claimed key answers `answer` after all (the delivery turned out to exist already)."""
    conn.execute(update(_TABLE).where(_key(sender_id, key))
                 .values(response_code=answer.status, response_body=answer.stored()))
