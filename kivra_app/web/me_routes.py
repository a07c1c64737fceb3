"""The person's own data over plain HTTP: GET /api/me/export ("Hämta din data", a zip streamed
as it is written: account.json plus every document) and GET /api/me/closed (after "Avsluta
konto": clears the cookie, then the confirmation page)."""

from __future__ import annotations

import asyncio
from datetime import date

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

from kivra_app.container import services
from kivra_app.mailbox.account import export_stream, record_export
from kivra_app.mailbox.step_up import session_user
from kivra_app.web.cookies import SESSION_COOKIE, clear_cookie, request_cookie


async def export(request: Request) -> Response:
    svc = services()
    secret = request_cookie(request.headers.get("cookie"), svc.settings, SESSION_COOKIE)
    found = await asyncio.to_thread(session_user, svc.engine, secret)
    if found is None:
        return PlainTextResponse("Not found", status_code=404,
                                 headers={"Cache-Control": "private, no-store"})
    user_id = found[0]
    await asyncio.to_thread(record_export, svc.engine, user_id)
    name = f"kivra-data-{date.today().isoformat()}.zip"
    # A sync iterator: Starlette pulls it in a worker thread, one piece at a time.
    return StreamingResponse(export_stream(svc.engine, user_id), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "private, no-store",
                                      "X-Content-Type-Options": "nosniff"})


async def closed(request: Request) -> Response:
    response = RedirectResponse("/konto-avslutat", status_code=303)
    clear_cookie(response, services().settings, SESSION_COOKIE)
    return response
