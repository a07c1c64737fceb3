"""GET /dev/senders: the demo sender's credentials and how to call the sender API with them.
Development only: the route does not exist in production."""

from __future__ import annotations

import asyncio
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kivra_app.container import services


def _demo() -> dict[str, str]:
    from kivra_app.senders.demo import ensure_demo_sender

    svc = services()
    return ensure_demo_sender(svc.engine, svc.settings)


async def senders_page(request: Request) -> HTMLResponse:
    demo = await asyncio.to_thread(_demo)
    base = services().settings.base_url + "/api/sender/v1"
    rows = "".join(
        f"<tr><th scope=\"row\">{escape(label)}</th><td><code>{escape(demo[key])}</code></td></tr>"
        for label, key in (("Namn", "name"), ("Organisationsnummer", "orgnr"),
                           ("sender_id", "sender_id"), ("client_id", "client_id"),
                           ("client_secret", "client_secret"))
    )
    token = (f"curl -s -u '{demo['client_id']}:{demo['client_secret']}' "
             f"-d grant_type=client_credentials {base}/oauth/token")
    deliver = ".venv/bin/python -m kivra_app.admin demo-deliver --personnummer 19ÅÅMMDDNNNN"
    return HTMLResponse(
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Avsändare (utveckling)</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;"
        "color:#1a1a1a}table{border-collapse:collapse}th,td{text-align:left;padding:.3rem .6rem;"
        "border-bottom:1px solid #8a8a8a}pre{white-space:pre-wrap;background:#f3f3f3;"
        "padding:.6rem}</style></head><body>"
        "<h1>Avsändare (utveckling)</h1>"
        "<p>En demoavsändare för avsändar-API:t. Uppgifterna visas bara i utvecklingsläge.</p>"
        f"<table><tbody>{rows}</tbody></table>"
        "<h2>Hämta en åtkomsttoken</h2>"
        f"<pre>{escape(token)}</pre>"
        "<h2>Skicka exempelbrev och fakturor till ett konto</h2>"
        f"<pre>{escape(deliver)}</pre>"
        f'<p><a href="/api/sender/v1/docs">API-dokumentation</a> · '
        f'<a href="/api/sender/v1/openapi.json">OpenAPI</a> · <a href="/dev/outbox">Utkorg</a></p>'
        "</body></html>",
        headers={"Cache-Control": "no-store"},
    )
