"""429 for a start refused by the per-address limit (issue #11): a calm page in the person's
language with a way back, and Retry-After for scripts."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from kivra_app.i18n import t


def too_many_starts(lang: str, retry_after: str) -> HTMLResponse:
    title, body, back = (escape(t(lang, k)) for k in
                         ("antiautomation.title", "antiautomation.body", "antiautomation.back"))
    return HTMLResponse(
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;"
        "margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}a{color:#0b5a2e}</style>"
        f'</head><body><main><h1>{title}</h1><p>{body}</p><p><a href="/">{back}</a></p>'
        "</main></body></html>",
        status_code=429,
        headers={"Retry-After": retry_after, "Cache-Control": "no-store"},
    )
