"""The bare Reflex 0.10.1 app the benchmarks compare against: one form of plain elements.

It runs in the same set-up as the app it is compared with (bench/servers.py): one worker with
Reflex's state in memory, or several workers sharing the state in Redis (BARE_REDIS_URL), so a
ratio compares the app's own work and not Reflex's disk manager against Redis.
"""

import os

import reflex as rx

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
_port = int(os.environ.get("BARE_PORT", "8100"))
_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes")
_redis_url = os.environ.get("BARE_REDIS_URL") or None

config = rx.Config(
    app_name="bare_app",
    telemetry_enabled=False,
    **({} if _backend_only else {"frontend_port": _port}),
    backend_port=_port,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    state_manager_mode=rx.constants.StateManagerMode("redis" if _redis_url else "memory"),
    redis_url=_redis_url,
)
