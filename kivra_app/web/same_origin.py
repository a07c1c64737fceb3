"""Refuse cross-site requests to the routes that change state (issue #12, finding 7).

A browser tells us where a request comes from: `Sec-Fetch-Site` (Fetch Metadata, every current
browser) and, on a POST, `Origin`. A route wrapped in `same_origin_only` answers 403 with an
RFC 9457 problem when either header is present and names anything but this site; a request
with neither (curl, a health checker) is no cross-site attack and passes. The cookies are
SameSite=Lax, which already keeps them off a cross-site POST, but not off a top-level GET, and
Lax does not stop a request without cookies from resetting a signup in progress.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kivra_app.settings import Settings
from kivra_app.signup.audit import security_event

Handler = Callable[[Request], Awaitable[Response]]

PROBLEM_TYPE = "https://kivra.example/problems/cross-site-request"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site_reason(request: Request, allowed_origins: list[str]) -> str | None:
    """Why this request is not from one of our own pages, or None when it may be."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return f"sec-fetch-site={fetch_site[:20]}"
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in {_origin_of(o) for o in allowed_origins}:
        return "origin"
    return None


def refused() -> Response:
    return JSONResponse(
        {"type": PROBLEM_TYPE, "title": "Cross-site request refused", "status": 403,
         "detail": "This address only accepts requests from Kivra's own pages."},
        status_code=403, media_type="application/problem+json",
        headers={"Cache-Control": "no-store"},
    )


def same_origin_only(handler: Handler, settings: Settings) -> Handler:
    """`handler`, refusing requests that a browser says come from another site."""
    allowed = settings.allowed_origins

    async def guarded(request: Request) -> Response:
        reason = cross_site_reason(request, allowed)
        if reason is not None:
            security_event("cross_site_refused", level=logging.WARNING,
                           path=request.url.path, reason=reason)
            return refused()
        return await handler(request)

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded
