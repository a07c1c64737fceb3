"""The Starlette app that Reflex mounts its own backend into: our HTTP routes come first."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from kivra_app.senders.api import BASE_PATH as SENDER_API_PATH
from kivra_app.senders.api import build_sender_api
from kivra_app.settings import Settings
from kivra_app.web import dev_outbox, documents, me_routes, session_routes
from kivra_app.web.health import health
from kivra_app.web.security_headers import SecurityHeaders


def build_api(settings: Settings) -> Starlette:
    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/api/signup/begin", session_routes.begin_signup, methods=["GET", "POST"]),
        Route("/api/signup/continue", session_routes.continue_signup, methods=["GET"]),
        Route("/api/session/claim", session_routes.claim_session, methods=["GET"]),
        # GET: the mailbox's "Logga ut" handler ends the session, then loads this page.
        Route("/api/logout", session_routes.logout, methods=["GET", "POST"]),
        # The mailbox: one file of the session's own letter (nosniff, CSP sandbox, no-store)
        Route("/api/me/documents/{part_id}", documents.document, methods=["GET"]),
        Route("/api/me/export", me_routes.export, methods=["GET"]),
        Route("/api/me/closed", me_routes.closed, methods=["GET"]),
        # The sender API (FastAPI: its own OpenAPI at /api/sender/v1/openapi.json)
        Mount(SENDER_API_PATH, app=build_sender_api(settings)),
    ]
    if settings.dev_parts_enabled:
        routes += [
            Route("/dev/outbox", dev_outbox.outbox_page, methods=["GET"]),
            Route("/dev/outbox.json", dev_outbox.outbox_json, methods=["GET"]),
        ]
    if settings.simulator_enabled:
        from kivra_app.bankid.factory import build_simulator

        routes.append(Mount("/bankid-sim", app=build_simulator(settings)))
    hsts = settings.base_url.startswith("https://")
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, hsts=hsts)])
