"""What the states need from the rest of the app, looked up lazily so that importing a state
never builds services (and unit tests can swap `services` for a fake)."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kivra_app.web.cookies import LOGIN_COOKIE, SESSION_COOKIE, SIGNUP_COOKIE, request_cookie

STOCKHOLM = ZoneInfo("Europe/Stockholm")

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "SIGNUP_COOKIE", "client_connected", "cookie_value",
           "full_page", "off_loop", "post_page", "push_vars",
           "local_date",
           "local_time", "services", "utcnow"]


async def off_loop(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call a domain method from an event handler without blocking the event loop: a
    synchronous one (database reads and writes) runs in a worker thread, while the loop serves
    the other tabs' events; a coroutine function is simply awaited."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args, **kwargs)
    result = await asyncio.to_thread(fn, *args, **kwargs)
    return await result if inspect.isawaitable(result) else result


def services() -> Any:
    from kivra_app.container import services as _services

    return _services()


def cookie_value(cookie_header: object, base: str) -> str | None:
    """One of our cookies (SIGNUP_COOKIE / SESSION_COOKIE) from the websocket's Cookie request
    header (server-side only in Reflex 0.10), under the name in use (`__Host-` on https)."""
    if not isinstance(cookie_header, str):
        return None
    return request_cookie(cookie_header, services().settings, base)


def full_page(url: str) -> Any:
    """A full page load of one of our own URLs (an HTTP route such as /api/...), without a
    history entry. `rx.redirect` would navigate client-side for a same-origin path in Reflex
    0.10.1 and never reach the backend route, so the browser is told to load it."""
    import json

    import reflex as rx

    if not url.startswith("/") or url.startswith(("//", "/\\")):
        raise ValueError("only paths of this site")
    return rx.call_script(f"window.location.replace({json.dumps(url)})")


def post_page(url: str) -> Any:
    """A POSTed form to one of our own routes (a full page load, like a form's submit button):
    for the routes that change state and so refuse GET (/api/logout)."""
    import json

    import reflex as rx

    if not url.startswith("/") or url.startswith(("//", "/\\")):
        raise ValueError("only paths of this site")
    return rx.call_script(
        "(() => { const f = document.createElement('form'); f.method = 'post'; "
        f"f.action = {json.dumps(url)}; document.body.appendChild(f); f.submit(); }})()"
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(moment: datetime) -> str:
    """'14:35' in Swedish time."""
    return _aware(moment).astimezone(STOCKHOLM).strftime("%H:%M")


def local_date(moment: datetime) -> str:
    """'2025-11-25' (the Swedish standard date format, clear in English too)."""
    return _aware(moment).astimezone(STOCKHOLM).strftime("%Y-%m-%d")


def _serving_app() -> Any:
    """The running Reflex app, or None outside one (unit tests)."""
    from reflex.config import get_config

    app = getattr(sys.modules.get(get_config().module), "app", None)
    if app is None or not getattr(app, "_lifespan_tasks_started", False):
        return None
    return app


def client_connected(token: object) -> bool:
    """Is the tab with this Reflex token still connected to this worker? Background loops stop
    when it is gone instead of rendering frames for nobody (a reload or the return from the
    BankID app starts them again). Outside a running app (unit tests) every tab counts as
    connected."""
    if not isinstance(token, str) or not token:
        return False
    app = _serving_app()
    if app is None:
        return True  # not serving (unit tests)
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return True
    # The token manager's own dict: Reflex's `token_to_sid` builds a new dict of every
    # connected tab on each read, and every waiting QR screen asks once a second (with 500
    # screens that copy was 7% of a worker's time).
    return token in namespace._token_manager.token_to_socket


async def push_vars(token: str, state: Any, values: dict[str, Any]) -> bool:
    """Send `values` (public vars of `state`'s class, by name) to the tab as a state delta,
    without taking the tab's state lock and without storing them: for a value the server only
    derives and the browser only shows, sent often (the animated QR's frame, every second). The
    state's own update reaches the browser the same way (Reflex's emit_update; a tab connected
    to another instance gets it through Reflex's Redis hand-over). False outside a running app
    (unit tests): the caller then updates the state as usual."""
    app = _serving_app()
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return False
    from reflex.state import StateUpdate
    from reflex_base.constants.state import FIELD_MARKER

    delta = {state.get_full_name(): {name + FIELD_MARKER: value for name, value in values.items()}}
    await namespace.emit_update(StateUpdate(delta=delta), token)
    return True
