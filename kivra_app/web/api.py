"""The Starlette app that Reflex mounts its own backend into: our HTTP routes come first."""

from __future__ import annotations

from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route

from kivra_app.senders.api import SenderApiMount, build_sender_api
from kivra_app.settings import Settings
from kivra_app.web import (
    dev_outbox,
    dev_senders,
    documents,
    login_routes,
    me_routes,
    session_routes,
)
from kivra_app.web.health import health
from kivra_app.web.login_page_cookie import LoginCookieOnPage
from kivra_app.web.same_origin import same_origin_only
from kivra_app.web.security_headers import SecurityHeaders


def build_api(settings: Settings) -> Starlette:
    # State changes are POST only and refused cross-site (issue #12 finding 7). continue and
    # claim are GET navigations our own page makes with a one-time ticket bound to this
    # browser's signup cookie; they are refused cross-site too (docs/security-decisions.md).
    guard = partial(same_origin_only, settings=settings)
    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/api/signup/begin", guard(session_routes.begin_signup), methods=["POST"]),
        Route("/api/signup/continue", guard(session_routes.continue_signup), methods=["GET"]),
        Route("/api/session/claim", guard(session_routes.claim_session), methods=["GET"]),
        # The mailbox's "Logga ut" ends the session, then POSTs a form here (state.deps.post_page).
        Route("/api/logout", guard(session_routes.logout), methods=["POST"]),
        # Login (kivra_app/web/login_routes.py): begin and claim are navigations of our own page.
        Route("/api/login/begin", guard(login_routes.begin_login), methods=["GET"]),
        Route("/api/login/claim", guard(login_routes.claim_login), methods=["GET"]),
        Route("/api/login/signup", guard(login_routes.signup_from_login), methods=["POST"]),
        # The mailbox: one file of the session's own letter (nosniff, CSP sandbox, no-store)
        Route("/api/me/documents/{part_id}", documents.document, methods=["GET"]),
        Route("/api/me/export", me_routes.export, methods=["GET"]),
        Route("/api/me/closed", me_routes.closed, methods=["GET"]),
        # The sender API (FastAPI: its own OpenAPI at /api/sender/v1/openapi.json)
        SenderApiMount(build_sender_api(settings)),
    ]
    if settings.dev_parts_enabled:
        routes += [
            Route("/dev/outbox", dev_outbox.outbox_page, methods=["GET"]),
            Route("/dev/outbox.json", dev_outbox.outbox_json, methods=["GET"]),
            Route("/dev/senders", dev_senders.senders_page, methods=["GET"]),
        ]
    if settings.test_support_enabled:
        from kivra_app.web.test_support import build_test_support

        routes.append(Mount("/_test", app=build_test_support(settings)))
    if settings.simulator_enabled:
        # Development only: the one import of devtools, inside the branch that allows it.
        from devtools.bankid_sim.mount import build_simulator

        routes.append(Mount("/bankid-sim", app=build_simulator(settings)))
    hsts = settings.base_url.startswith("https://")
    frameable = "/gallery/raw/" if settings.gallery_enabled else None
    return Starlette(routes=routes, middleware=[
        # outermost: on the refusals below too
        Middleware(SecurityHeaders, hsts=hsts, frameable_prefix=frameable),
        # Issue #12 finding 9: only our own Host names (DNS rebinding, a forged Host in
        # redirects); Reflex's own backend and its websocket are mounted inside this app.
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts,
                   www_redirect=False),
        # /login's own response brings the login attempt's cookie (no second page load).
        Middleware(LoginCookieOnPage, settings=settings, new_secret=login_routes.new_login_secret),
    ])
