"""The simulator's shared order store: rows in a database, so every worker and every instance
of the app sees the same orders (an in-process dict would give each worker its own BankID).

Tables are the simulator's own (prefix `devsim_`, on their own MetaData, created on first use)
and are not part of the app's schema or its Alembic history (`mount.simulator_database` keeps
them out of the app's schema). Locking:

* PostgreSQL: an operation that looks at several orders (start, scan, act, listing) holds a
  transaction-scoped advisory lock, as the in-process lock did; every order row it loads is
  also locked (`FOR UPDATE`), so a `collect` (one row, row lock only, the hot path) never
  interleaves with it.
* SQLite: one process-wide lock (SQLite has one writer anyway; several processes on one SQLite
  file are not a supported multi-worker set-up, PostgreSQL is).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

metadata = MetaData()

orders = Table(
    "devsim_bankid_order",
    metadata,
    Column("order_ref", String(36), primary_key=True),
    Column("app_id", String(32), nullable=False, index=True),
    Column("qr_start_token", String(36), index=True),
    Column("auto_start_token", String(36), index=True),
    Column("personal_number", String(12), index=True),
    Column("identity_pnr", String(12), index=True),
    Column("active", Boolean, nullable=False, index=True),
    Column("purge_at", Float, index=True),  # set once the order has a result
    Column("data", Text, nullable=False),
)

knobs = Table(
    "devsim_bankid_setting",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

class Refusal(Exception):  # noqa: N818 - a base for the engine's error answers
    """An answer the engine gives as an exception: what the operation changed is still saved
    (e.g. the orders a refused duplicate start cancelled)."""


_ADVISORY_KEY = 0x6B5F_B1D5
_sqlite_locks: dict[str, threading.RLock] = {}  # any constant; names "the simulator's order book"


def memory_engine() -> Engine:
    """A private in-memory SQLite database (tests, the standalone single-process server)."""
    return create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )


def create_tables(engine: Engine) -> None:
    """Idempotent; tolerates another worker creating the same tables at the same moment."""
    for attempt in range(3):
        try:
            metadata.create_all(engine, checkfirst=True)
            return
        except DBAPIError:
            if attempt == 2:
                raise


class OrderStore:
    """Opens transactions over the order rows; see `Tx` for what one can do."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        # SQLite: the only lock, one per database in this process; PostgreSQL: not needed.
        self._local = _sqlite_locks.setdefault(str(engine.url), threading.RLock())
        create_tables(engine)

    @contextmanager
    def transaction(self, *, exclusive: bool) -> Iterator[Tx]:
        """`exclusive`: the operation may look at several orders (start, scan, act, list)."""
        if self.postgres:
            with self.engine.connect() as conn:
                if exclusive:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
                yield from _run(Tx(conn, lock_rows=True))
            return
        with self._local, self.engine.connect() as conn:
            yield from _run(Tx(conn, lock_rows=False))

    def read_knob(self, name: str) -> str | None:
        with self._local, self.engine.connect() as conn:
            return conn.execute(select(knobs.c.value).where(knobs.c.name == name)).scalar()

    def write_knob(self, name: str, value: str | None) -> None:
        with self._local, self.engine.begin() as conn:
            conn.execute(delete(knobs).where(knobs.c.name == name))
            if value is not None:
                conn.execute(insert(knobs).values(name=name, value=value))

    @contextmanager
    def locked_knob(self, name: str) -> Iterator[tuple[str | None, Callable[[str], None]]]:
        """The knob's value under a row lock, and a setter for the same transaction."""
        with self._local, self.engine.begin() as conn:
            query = select(knobs.c.value).where(knobs.c.name == name)
            if self.postgres:
                query = query.with_for_update()
            value = conn.execute(query).scalar()

            def set_value(new: str) -> None:
                conn.execute(update(knobs).where(knobs.c.name == name).values(value=new))

            yield value, set_value

    def clear(self) -> None:
        with self._local, self.engine.begin() as conn:
            conn.execute(delete(orders))
            conn.execute(delete(knobs))


def _run(tx: Tx) -> Iterator[Tx]:
    """Commit what `tx` changed, also when the operation ends in a `Refusal`."""
    try:
        yield tx
    except Refusal:
        tx.flush()
        tx.conn.commit()
        raise
    except BaseException:
        tx.conn.rollback()
        raise
    tx.flush()
    tx.conn.commit()


class Tx:
    """One transaction: loaded orders are written back at the end if they changed.

    Orders are handled as JSON-able dicts here; the engine turns them into its own objects
    through the `load`/`dump` pair given to `Tx.bind`.
    """

    def __init__(self, conn: Connection, *, lock_rows: bool) -> None:
        self.conn = conn
        self.lock_rows = lock_rows
        self._loaded: dict[str, tuple[Any, str]] = {}  # order_ref -> (object, json as loaded)
        self._load: Callable[[dict[str, Any]], Any] = lambda d: d
        self._dump: Callable[[Any], dict[str, Any]] = lambda o: o
        self._columns: Callable[[Any], dict[str, Any]] = lambda o: {}

    def bind(
        self,
        load: Callable[[dict[str, Any]], Any],
        dump: Callable[[Any], dict[str, Any]],
        columns: Callable[[Any], dict[str, Any]],
    ) -> Tx:
        self._load, self._dump, self._columns = load, dump, columns
        return self

    def _select(self, *where: Any) -> list[Any]:
        query = select(orders.c.order_ref, orders.c.data).where(*where)
        if self.lock_rows:
            query = query.with_for_update()
        found = []
        for order_ref, data in self.conn.execute(query):
            if order_ref in self._loaded:
                found.append(self._loaded[order_ref][0])
                continue
            obj = self._load(json.loads(data))
            self._loaded[order_ref] = (obj, data)
            found.append(obj)
        return found

    def get(self, order_ref: str) -> Any | None:
        rows = self._select(orders.c.order_ref == order_ref)
        return rows[0] if rows else None

    def find(self, column: str, value: str) -> Any | None:
        rows = self._select(orders.c[column] == value)
        return rows[0] if rows else None

    def active(self, column: str | None = None, value: str | None = None) -> list[Any]:
        where = [orders.c.active.is_(True)]
        if column is not None:
            where.append(orders.c[column] == value)
        return self._select(*where)

    def add(self, order_ref: str, obj: Any) -> None:
        values = self._columns(obj)
        data = json.dumps(self._dump(obj), separators=(",", ":"))
        self.conn.execute(insert(orders).values(order_ref=order_ref, data=data, **values))
        self._loaded[order_ref] = (obj, data)

    def remove(self, order_ref: str) -> bool:
        """False if the row was already gone (another process took it first)."""
        gone = self.conn.execute(delete(orders).where(orders.c.order_ref == order_ref))
        self._loaded.pop(order_ref, None)
        return gone.rowcount == 1

    def purge(self, now: float) -> None:
        """Drop results kept past their retention (reference §3.5 rule 5)."""
        self.conn.execute(delete(orders).where(orders.c.purge_at <= now))

    def flush(self) -> None:
        for order_ref, (obj, before) in list(self._loaded.items()):
            data = json.dumps(self._dump(obj), separators=(",", ":"))
            if data != before:
                self.conn.execute(
                    update(orders)
                    .where(orders.c.order_ref == order_ref)
                    .values(data=data, **self._columns(obj))
                )
                self._loaded[order_ref] = (obj, data)
