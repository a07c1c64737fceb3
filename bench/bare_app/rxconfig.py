"""The bare Reflex 0.10.1 app the benchmarks compare against: one form of plain elements."""

import os

import reflex as rx

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
_port = int(os.environ.get("BARE_PORT", "8100"))
_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes")

config = rx.Config(
    app_name="bare_app",
    telemetry_enabled=False,
    **({} if _backend_only else {"frontend_port": _port}),
    backend_port=_port,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
