"""GET /api/me/documents/{part_id}: one file of one of the session's own letters.

Only the owner's live session (the HttpOnly cookie) gets it; anyone else, an unknown id and a
sensitive letter without a fresh BankID identification all get the same 404. Headers:
`Content-Type` as delivered (PDF or plain text), `X-Content-Type-Options: nosniff`,
`Content-Disposition` (inline, or attachment with ?download=1; RFC 5987 filename),
`Content-Security-Policy: sandbox` (the document runs in a unique origin: no scripts, no forms,
no access to the app), `Cache-Control: private, no-store`.

The response carries `frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN` so the reader
can frame it (the rest of the site says DENY).
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kivra_app.container import services
from kivra_app.mailbox.inbox import owned_document
from kivra_app.mailbox.step_up import session_user
from kivra_app.models import Blob
from kivra_app.web.cookies import SESSION_COOKIE, request_cookie

DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
ALLOWED_TYPES = {"application/pdf", "text/plain"}


def _headers(filename: str, download: bool) -> dict[str, str]:
    safe = "".join(ch for ch in filename if ch.isprintable() and ch not in '"\\/') or "dokument"
    ascii_name = safe.encode("ascii", "replace").decode().replace("?", "_")
    disposition = "attachment" if download else "inline"
    return {
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(safe)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOCUMENT_CSP,
        "X-Frame-Options": "SAMEORIGIN",
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
    }


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404,
                             headers={"Cache-Control": "private, no-store"})


def _load(secret: str | None, part_id: str):
    svc = services()
    found = session_user(svc.engine, secret)
    if found is None:
        return None
    user_id, stepped_up_at = found
    document = owned_document(svc.engine, user_id, part_id, stepped_up_at=stepped_up_at)
    if document is None or document.content_type not in ALLOWED_TYPES:
        return None
    with Session(svc.engine) as session:
        blob = session.get(Blob, document.blob_id)
        return (document, bytes(blob.data)) if blob is not None else None


async def document(request: Request) -> Response:
    secret = request_cookie(request.headers.get("cookie"), services().settings, SESSION_COOKIE)
    part_id = request.path_params.get("part_id", "")
    found = await asyncio.to_thread(_load, secret, part_id)
    if found is None:
        return _not_found()
    doc, data = found
    media = doc.content_type + ("; charset=utf-8" if doc.content_type == "text/plain" else "")
    return Response(data, media_type=media,
                    headers=_headers(doc.filename, request.query_params.get("download") == "1"))
