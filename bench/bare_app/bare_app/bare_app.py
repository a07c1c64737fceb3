"""One field, one handler that checks it: the smallest honest counterpart of a signup step.

`submit_checked` is the same handler plus about what a server-side step check costs: one
worker-thread hop and one PostgreSQL statement (BEGIN, SELECT, ROLLBACK) on a pooled
connection. The app must read its session and step for every event (security requirements),
so this second baseline says how much of the app's round trip that rule alone takes.
"""

import asyncio
import os
import threading

import reflex as rx

_engine = None
_engine_lock = threading.Lock()


def _one_round_trip(value: str) -> bool:
    """One statement on a pooled PostgreSQL connection (SQLAlchemy wraps it in BEGIN and
    ROLLBACK), as the app's step check reads its row."""
    global _engine
    with _engine_lock:  # the first events arrive at once, on several threads
        if _engine is None:
            from sqlalchemy import create_engine

            url = os.environ["BARE_DATABASE_URL"].replace("postgresql://",
                                                          "postgresql+psycopg://", 1)
            _engine = create_engine(url)
    from sqlalchemy import text

    with _engine.connect() as conn:
        return conn.execute(text("SELECT length(:v)"), {"v": value}).scalar() == len(value)


def _judge(value: str) -> str:
    return "" if value.isdigit() and len(value) == 12 else "Ogiltigt värde"


class FormState(rx.State):
    value: str = ""
    error: str = ""

    @rx.event
    def submit(self, form_data: dict):
        self.value = str(form_data.get("value", ""))[:64]
        self.error = _judge(self.value)

    @rx.event
    async def submit_checked(self, form_data: dict):
        value = str(form_data.get("value", ""))[:64]
        await asyncio.to_thread(_one_round_trip, value)
        self.value = value
        self.error = _judge(value)


def index() -> rx.Component:
    return rx.el.main(
        rx.el.h1("Bare"),
        rx.el.form(
            rx.el.label("Värde", html_for="value"),
            rx.el.input(id="value", name="value"),
            rx.el.p(FormState.error),
            rx.el.button("Skicka", type="submit"),
            on_submit=FormState.submit,
        ),
    )


app = rx.App()
app.add_page(index, route="/", title="Bare")
