"""Personal data in public vars only for the connection that may see it (#12 finding 3).

Reflex sends every public var in the full snapshot of each hydrate (page load, reconnect), to
whichever connection presents the tab token. So the states keep personal values in backend vars
and show them through computed vars that first check THIS connection (the mailbox's are
`cache=False`, evaluated for every snapshot and delta, as a session's liveness changes with time;
the signup's are cached and recomputed when the connection's headers or the values change): its cookie must be the one that loaded the data (`viewer`,
the SHA-256 as the database stores it), and for a session it must still be live. A connection
with only a tab token, another cookie, or an ended session gets empty values.
"""

from __future__ import annotations

import hashlib
import time

# A session's liveness, checked at most once a second per process (one indexed query), so the
# computed vars of one snapshot and many tabs share it. A logout elsewhere is seen within it.
_LIVE_TTL = 1.0
_live: dict[str, tuple[bool, float]] = {}


def viewer_of(secret: object) -> str:
    return hashlib.sha256(secret.encode()).hexdigest() if isinstance(secret, str) and secret else ""


def same_viewer(secret: object, viewer: str) -> bool:
    return bool(viewer) and viewer_of(secret) == viewer


def session_live(engine: object, secret: str, viewer: str) -> bool:
    now = time.monotonic()
    cached = _live.get(viewer)
    if cached is not None and now - cached[1] < _LIVE_TTL:
        return cached[0]
    from kivra_app.auth.sessions import user_for_session

    live = user_for_session(engine, secret) is not None  # type: ignore[arg-type]
    if len(_live) > 10_000:
        _live.clear()
    _live[viewer] = (live, now)
    return live


def forget(viewer: str) -> None:
    """After a logout: the next check asks the database again."""
    _live.pop(viewer, None)
