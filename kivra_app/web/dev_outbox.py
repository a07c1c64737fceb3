"""GET /dev/outbox (HTML) and /dev/outbox.json: what the embedded SMTP server and the SMS outbox
received. Development only: the routes do not exist in production."""

from __future__ import annotations

import asyncio
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from kivra_app.container import services
from kivra_app.messaging.outbox import latest_messages
from kivra_app.models import OutboxMessage


def _latest(recipient: str | None, channel: str | None) -> list[OutboxMessage]:
    channel = channel if channel in ("email", "sms") else None
    return latest_messages(services().engine, channel=channel, recipient=recipient)


def _filters(request: Request) -> tuple[str | None, str | None]:
    return (request.query_params.get("to") or None, request.query_params.get("channel") or None)


async def outbox_json(request: Request) -> JSONResponse:
    rows = await asyncio.to_thread(_latest, *_filters(request))
    return JSONResponse(
        [
            {
                "id": m.id, "channel": m.channel, "recipient": m.recipient, "sender": m.sender,
                "subject": m.subject, "text": m.text, "html": m.html,
                "created_at": m.created_at.isoformat(),
            }
            for m in rows
        ],
        headers={"Cache-Control": "no-store"},
    )


def _article(m: OutboxMessage) -> str:
    kind = "E-post" if m.channel == "email" else "SMS"
    subject = f"<h2>{escape(m.subject)}</h2>" if m.subject else f"<h2>{kind}</h2>"
    return (
        f'<article aria-labelledby="m{m.id}"><header id="m{m.id}">{subject}'
        f"<p>{kind} till <strong>{escape(m.recipient)}</strong> · "
        f'<time datetime="{m.created_at.isoformat()}">{m.created_at:%Y-%m-%d %H:%M:%S} UTC</time>'
        f"</p></header><pre>{escape(m.text)}</pre></article>"
    )


async def outbox_page(request: Request) -> HTMLResponse:
    rows = await asyncio.to_thread(_latest, *_filters(request))
    body = "".join(_article(m) for m in rows) or "<p>Inga meddelanden ännu.</p>"
    return HTMLResponse(
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="refresh" content="5"><title>Utkorg (utveckling)</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;"
        "color:#1a1a1a}article{border:1px solid #8a8a8a;border-radius:8px;padding:0 1rem;"
        "margin:1rem 0}pre{white-space:pre-wrap;font-size:1rem}</style></head><body>"
        "<h1>Utkorg (utveckling)</h1><p>E-post och sms som appen har skickat. "
        "Sidan uppdateras var femte sekund.</p>" + body + "</body></html>",
        headers={"Cache-Control": "no-store"},
    )
