"""A short per-process memory of bearer token -> sender, so that a sender's burst of calls does
not look its token up in the database on every call (issue #8: one query and one connection
checkout less per delivery).

What it costs: a token that stops being valid in the database stays accepted by a worker that
checked it within the last `seconds` (KIVRA_SENDER_TOKEN_CACHE_SECONDS, default 5; 0 turns the
cache off), at most until the token's own expiry, which is always honoured:
- suspend-sender / rotate-secret from the admin command line (another process) take up to that
  long to reach the API workers;
- the same actions from inside the serving process (`credentials.suspend_sender`,
  `rotate_secret`) apply at once: they call `forget_sender`, which empties every cache of this
  process for that sender.
Keys are the token's SHA-256 (as stored in `senderaccesstoken`), not the token.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime

_caches: weakref.WeakSet[TokenCache] = weakref.WeakSet()
_caches_lock = threading.Lock()


class TokenCache:
    def __init__(self, seconds: float, *, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, tuple[float, str, object]] = {}  # hash: (until, sender, value)
        self._lock = threading.Lock()
        with _caches_lock:
            _caches.add(self)

    def get(self, token_hash: str) -> object | None:
        if self.seconds <= 0:
            return None
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                del self._entries[token_hash]
                return None
            return entry[2]

    def put(self, token_hash: str, value: object, *, sender_id: str,
            valid_until: datetime | None) -> None:
        """Remember `value` for `seconds`, never past `valid_until` (the token's expiry)."""
        if self.seconds <= 0:
            return
        now = self.clock()
        until = now + self.seconds
        if valid_until is not None:
            until = min(until, valid_until.astimezone(UTC).timestamp())
        if until <= now:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._drop_expired(now)
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()  # many live tokens at once: start over, stay bounded
            self._entries[token_hash] = (until, sender_id, value)

    def _drop_expired(self, now: float) -> None:
        for key in [k for k, (until, _, _) in self._entries.items() if until <= now]:
            del self._entries[key]

    def forget(self, sender_id: str) -> None:
        with self._lock:  # a scan of at most max_entries, on admin actions only
            for key in [k for k, (_, owner, _) in self._entries.items() if owner == sender_id]:
                del self._entries[key]


def forget_sender(sender_id: str) -> None:
    """A sender was suspended or its credentials changed: no cache of this process may answer
    for its tokens any more."""
    with _caches_lock:
        caches = list(_caches)
    for cache in caches:
        cache.forget(sender_id)
