"""The sender API, /api/sender/v1 (FastAPI, mounted into the app's Starlette routes).

Wiring only: HTTP in and out, authentication, the rate limit, size caps and problem answers.
The rules live in credentials.py, delivery.py, feed.py. (No `from __future__ import
annotations` here: FastAPI must see the real annotations of the handlers.) OpenAPI 3.1 at /openapi.json, docs
that work offline at /docs (Swagger UI) and /redoc, served from the fastapi-offline package.
"""


import asyncio
import base64
import binascii
import json
import logging
import re
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from kivra_app.db import session_scope
from kivra_app.ratelimit import Rate, RateLimiter, build_rate_limiter
from kivra_app.senders import credentials, delivery, feed
from kivra_app.senders.audit import audit
from kivra_app.senders.problems import DESCRIPTIONS, PROBLEMS, Problem
from kivra_app.senders.schemas import (
    EventPage,
    MatchRequest,
    MatchResponse,
    MessageCreated,
    MessageRequest,
    MessageStatus,
    OAuthError,
    ProblemDetails,
    Token,
)
from kivra_app.senders.token_cache import TokenCache

log = logging.getLogger("kivra.sender_api")

BASE_PATH = "/api/sender/v1"
PROBLEM_JSON = "application/problem+json"
TOKEN_RATE = Rate(burst=20, per_second=1.0)  # per client id: guessing secrets gains nothing
MAX_TOKEN_BODY = 4096
_bearer = HTTPBearer(auto_error=False, description="Access token from POST /oauth/token")

SCHEMA_MODELS = (MessageRequest, MatchRequest, ProblemDetails, OAuthError)


def _problem_response(problem: Problem, request_id: str | None) -> JSONResponse:
    headers = dict(problem.headers)
    if request_id:
        headers["X-Request-Id"] = request_id
    return JSONResponse(problem.body(f"urn:uuid:{request_id}" if request_id else None),
                        status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def _problem_doc(*slugs: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "description": "Problem (RFC 9457): " + ", ".join(slugs),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    if headers:
        doc["headers"] = headers
    return doc


_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}
_WWW_AUTH = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}}
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _problem_doc("unauthorized", headers=_WWW_AUTH),
    429: _problem_doc("rate-limited", headers=_RETRY_AFTER),
}


def _json_body(model: type) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def build_sender_api(settings, engine: Engine | None = None,  # noqa: ANN001, C901
                     limiter: RateLimiter | None = None) -> FastAPI:
    app = FastAPIOffline(
        title="Kivra sender API",
        version="1.0.0",
        summary="Deliver letters and invoices to people by personnummer.",
        description=(
            "OAuth 2.0 client credentials (`POST /oauth/token`, HTTP Basic), then a Bearer token "
            "on every call. `POST /messages` needs an `Idempotency-Key`. Errors are RFC 9457 "
            "problem details whose `type` ends in a stable slug. There are no read receipts."
        ),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
    )
    state: dict[str, Any] = {"engine": engine, "limiter": limiter}

    def get_engine() -> Engine:
        if state["engine"] is None:
            from kivra_app.db import get_engine as default_engine

            state["engine"] = default_engine()
        return state["engine"]

    def get_limiter() -> RateLimiter:
        if state["limiter"] is None:
            state["limiter"] = build_rate_limiter(settings, get_engine())
        return state["limiter"]

    sender_rate = Rate(burst=settings.sender_rate_burst, per_second=settings.sender_rate_per_second)
    tokens = TokenCache(settings.sender_token_cache_seconds)

    def request_id(request: Request) -> str:
        rid = getattr(request.state, "request_id", None)
        if rid is None:
            rid = request.state.request_id = str(uuid.uuid4())
        return rid

    def record(action: str, outcome: str, *, actor: str | None, request: Request,
               object_id: str | None = None, details: str | None = None) -> None:
        with session_scope(get_engine()) as session:
            audit(session, actor_type="sender", actor_id=actor, action=action, outcome=outcome,
                  object_type="message" if object_id else None, object_id=object_id,
                  request_id=request_id(request), details=details)

    app.add_middleware(ResponseHeaders)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return _problem_response(exc, request_id(request))

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"pointer": "/" + "/".join(str(p) for p in e.get("loc", ())),
                   "code": str(e.get("type", "invalid"))} for e in exc.errors()[:20]]
        return _problem_response(Problem("validation-failed", errors=errors), request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _problem_response(Problem("not-found"), request_id(request))
        headers = dict(exc.headers or {})
        headers["X-Request-Id"] = request_id(request)
        return JSONResponse({"type": "about:blank", "title": str(exc.detail),
                             "status": exc.status_code}, status_code=exc.status_code,
                            media_type=PROBLEM_JSON, headers=headers)

    def check_sender(token: str) -> tuple[credentials.AuthenticatedSender | None, Any]:
        """(sender, rate-limit decision): the token check and the limiter in one trip to a
        worker thread (each hop off the event loop costs as much as a cached check)."""
        who = credentials.authenticate_cached(tokens, get_engine(), token)
        if who is None:
            return None, None
        return who, get_limiter().hit(f"sender:{who.sender_id}", sender_rate)

    async def current_sender(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> credentials.AuthenticatedSender:
        if bearer is None or bearer.scheme.lower() != "bearer":
            raise Problem("unauthorized", headers={"WWW-Authenticate": 'Bearer realm="sender"'})
        who, decision = await asyncio.to_thread(check_sender, bearer.credentials)
        if who is None:
            raise Problem("unauthorized", detail="The access token is not valid.",
                          headers={"WWW-Authenticate": 'Bearer realm="sender", error="invalid_token"'})
        if not decision.allowed:
            await asyncio.to_thread(record, request.url.path.rsplit("/", 1)[-1], "rate-limited",
                                    actor=who.sender_id, request=request)
            raise Problem("rate-limited", headers={"Retry-After": decision.retry_after_header})
        return who

    Sender = Annotated[credentials.AuthenticatedSender, Depends(current_sender)]

    async def read_body(request: Request, *, max_bytes: int) -> bytes:
        """The JSON body's bytes, refusing more than max_bytes before reading them."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise Problem("unsupported-media-type")
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise Problem("validation-failed", detail="Bad Content-Length.")
            if int(declared) > max_bytes:
                raise Problem("payload-too-large")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise Problem("payload-too-large")
            chunks.append(chunk)
        return b"".join(chunks)

    def parse_json(raw: bytes) -> object:
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise Problem("validation-failed", detail="The body is not valid JSON.") from None

    async def read_json(request: Request, *, max_bytes: int) -> object:
        raw = await read_body(request, max_bytes=max_bytes)
        return await asyncio.to_thread(parse_json, raw)

    # --- OAuth ------------------------------------------------------------------------------

    def oauth_error(error: str, status: int, description: str) -> JSONResponse:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="sender"'
        return JSONResponse({"error": error, "error_description": description},
                            status_code=status, headers=headers)

    @app.post(
        "/oauth/token", tags=["auth"], response_model=Token,
        summary="Exchange client credentials (HTTP Basic) for an access token",
        openapi_extra={
            "security": [{"HTTPBasic": []}],
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "required": ["grant_type"], "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "client_id": {"type": "string"}, "client_secret": {"type": "string"}}}}}},
        },
        responses={
            400: {"description": "RFC 6749 error", "model": OAuthError},
            401: {"description": "invalid_client", "model": OAuthError, "headers": {
                "WWW-Authenticate": {"schema": {"type": "string"}}}},
            429: _problem_doc("rate-limited", headers=_RETRY_AFTER),
        },
    )
    async def token(request: Request) -> Any:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return oauth_error("invalid_request", 400, "Send a form body.")
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_TOKEN_BODY:
                return oauth_error("invalid_request", 400, "The body is too large.")
        try:
            form = parse_qs(raw.decode("ascii"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            return oauth_error("invalid_request", 400, "The body is not a valid form.")
        grant = form.get("grant_type", [""])
        if len(grant) != 1 or not grant[0]:
            return oauth_error("invalid_request", 400, "grant_type is required.")
        if grant[0] != "client_credentials":
            return oauth_error("unsupported_grant_type", 400, "Use client_credentials.")
        client_id = client_secret = None
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
                client_id, _, client_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return oauth_error("invalid_client", 401, "Bad Basic credentials.")
        elif "client_id" in form and "client_secret" in form:  # RFC 6749 §2.3.1 alternative
            client_id, client_secret = form["client_id"][0], form["client_secret"][0]
        if not client_id or not client_secret:
            return oauth_error("invalid_client", 401, "Client authentication is required.")
        decision = await get_limiter().ahit(f"token:{client_id[:64]}", TOKEN_RATE)
        if not decision.allowed:
            raise Problem("rate-limited", headers={"Retry-After": decision.retry_after_header})
        issued = await asyncio.to_thread(credentials.issue_token, get_engine(), client_id,
                                         client_secret, ttl=settings.sender_token_ttl,
                                         request_id=request_id(request))
        if issued is None:
            return oauth_error("invalid_client", 401, "Unknown client or wrong secret.")
        access, expires_in = issued
        return JSONResponse({"access_token": access, "token_type": "Bearer",
                             "expires_in": expires_in},
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # --- recipients -------------------------------------------------------------------------

    @app.post(
        "/recipients/match", tags=["recipients"], response_model=MatchResponse,
        summary="Which of these people can receive digital mail from you",
        openapi_extra=_json_body(MatchRequest),
        responses={**COMMON_ERRORS,
                   413: _problem_doc("payload-too-large"),
                   415: _problem_doc("unsupported-media-type"),
                   422: _problem_doc("validation-failed")},
    )
    async def match(request: Request, who: Sender) -> Any:
        data = await read_json(request, max_bytes=settings.sender_max_request_bytes)
        try:
            body = MatchRequest.model_validate(data)
        except ValidationError as exc:
            if any(e.get("type") == "too_long" and tuple(e.get("loc", ())) == ("personnummer",)
                   for e in exc.errors()):
                raise Problem("payload-too-large", detail="At most 10,000 numbers.") from None
            raise delivery.validation_problem(exc) from None
        if len(body.personnummer) > settings.sender_match_max:
            raise Problem("payload-too-large", detail="Too many numbers in one request.")
        reachable = await asyncio.to_thread(feed.match, get_engine(), who.sender_id,
                                            body.personnummer)
        await asyncio.to_thread(record, "recipients.match", "ok", actor=who.sender_id,
                                request=request,
                                details=f"asked={len(body.personnummer)} reachable={len(reachable)}")
        return {"reachable": reachable}

    # --- messages ---------------------------------------------------------------------------

    @app.post(
        "/messages", tags=["messages"], status_code=201, response_model=MessageCreated,
        summary="Deliver a letter or an invoice",
        openapi_extra={**_json_body(MessageRequest), "parameters": [{
            "name": "Idempotency-Key", "in": "header", "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Any unique string (a UUID); the same key and body give the same answer"}]},
        responses={
            201: {"description": "Delivered", "headers": {
                "Location": {"schema": {"type": "string"}, "description": "The message"}}},
            400: _problem_doc("idempotency-key-missing"),
            **COMMON_ERRORS,
            409: _problem_doc("idempotency-request-in-progress"),
            413: _problem_doc("payload-too-large"),
            415: _problem_doc("unsupported-media-type"),
            422: _problem_doc("validation-failed", "invalid-personnummer", "invalid-ocr",
                              "invalid-account", "recipient-not-reachable", "file-not-allowed",
                              "idempotency-key-reused"),
        },
    )
    async def create_message(request: Request, who: Sender) -> Any:
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            raise Problem("idempotency-key-missing")
        if len(key) > delivery.MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            raise Problem("validation-failed", errors=[{"pointer": "/headers/Idempotency-Key",
                                                        "code": "invalid"}])
        rid = request_id(request)

        def parse_and_deliver(raw: bytes) -> delivery.Answer:
            # One worker-thread trip for the CPU part and the database part of a delivery.
            try:
                prepared = delivery.prepare(parse_json(raw),
                                            max_part_bytes=settings.sender_max_part_bytes)
                return delivery.deliver(get_engine(), settings, prepared, sender_id=who.sender_id,
                                        sender_name=who.name, idempotency_key=key,
                                        request_id=rid)
            except Problem as problem:
                record("message.create", problem.slug, actor=who.sender_id, request=request)
                raise

        try:
            raw = await read_body(request, max_bytes=settings.sender_max_request_bytes)
        except Problem as problem:
            await asyncio.to_thread(record, "message.create", problem.slug,
                                    actor=who.sender_id, request=request)
            raise
        answer = await asyncio.to_thread(parse_and_deliver, raw)
        headers = {"Location": answer.location} if answer.location else {}
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)

    @app.get(
        "/messages/{message_id}", tags=["messages"], response_model=MessageStatus,
        summary="One of your messages: delivery and invoice status (never whether it was read)",
        responses={**COMMON_ERRORS, 404: _problem_doc("not-found"),
                   422: _problem_doc("validation-failed")},
    )
    async def get_message(request: Request, who: Sender,
                          message_id: Annotated[str, Path(max_length=64)]) -> Any:
        status = await asyncio.to_thread(feed.message_status, get_engine(), who.sender_id,
                                         message_id)
        if status is None:
            raise Problem("not-found")
        return status

    @app.get(
        "/events", tags=["events"], response_model=EventPage,
        summary="Your event feed, oldest first (no read receipts)",
        responses={**COMMON_ERRORS, 422: _problem_doc("validation-failed")},
    )
    async def list_events(
        request: Request, who: Sender,
        after: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]*$",
                                           description="next_cursor of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 100,
    ) -> Any:
        cursor = int(after) if after else 0
        events, next_cursor = await asyncio.to_thread(feed.events, get_engine(), who.sender_id,
                                                      cursor, limit)
        return {"events": events, "next_cursor": str(next_cursor)}

    # --- problem type pages -----------------------------------------------------------------

    @app.get("/problems/{slug}", include_in_schema=False)
    async def problem_page(slug: str) -> HTMLResponse:
        if slug not in PROBLEMS:
            raise Problem("not-found")
        status, title = PROBLEMS[slug]
        from html import escape

        return HTMLResponse(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(slug)}'
            f"</title></head><body><h1>{escape(title)}</h1><p>HTTP {status}. "
            f"{escape(DESCRIPTIONS[slug])}</p></body></html>")

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for model in SCHEMA_MODELS:
            generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in generated.pop("$defs", {}).items():
                schemas.setdefault(name, sub)
            schemas[model.__name__] = generated
        components.setdefault("securitySchemes", {})["HTTPBasic"] = {
            "type": "http", "scheme": "basic",
            "description": "client_id:client_secret from the admin command line"}
        schema["servers"] = [{"url": BASE_PATH}]
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


class ResponseHeaders:
    """X-Request-Id (the handler's, else a new one) and Cache-Control: no-store on every answer.
    A plain ASGI middleware: `@app.middleware("http")` (BaseHTTPMiddleware) costs a task group
    and a pair of streams per request, measurable on the delivery path (issue #8)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                state = scope.setdefault("state", {})
                rid = state.get("request_id")
                if rid is None:
                    rid = state["request_id"] = str(uuid.uuid4())
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Request-Id", rid)
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SenderApiMount(Mount):
    """Mount(BASE_PATH, the API) whose prefix also matches paths with encoded newlines
    (Starlette's pattern uses `.`, which stops at "\\n"): every path under the base gets the
    API's own problem answers, never another app's 404 page."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(BASE_PATH, app=app)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)
