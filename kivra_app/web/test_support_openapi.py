"""The OpenAPI 3.1 description of /_test (served at /_test/openapi.json)."""

from __future__ import annotations

_JSON = {"application/json": {"schema": {"type": "object"}}}
_PROBLEM = {"description": "RFC 9457 problem",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _q(name: str, description: str, type_: str = "string") -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": type_}}


OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Kivra test-support API",
        "version": "1",
        "description": (
            "Development and test only: mounted when KIVRA_TEST_SUPPORT is on (default outside "
            "production; production refuses it). Loopback clients only, or send the header "
            "X-Test-Support-Token: $KIVRA_TEST_SUPPORT_TOKEN. The outbox follows Mailpit's "
            "message-list shape (GET /api/v1/messages), so Mailpit clients' parsing fits."
        ),
    },
    "servers": [{"url": "/_test"}],
    "components": {
        "securitySchemes": {"token": {"type": "apiKey", "in": "header",
                                      "name": "X-Test-Support-Token"}},
        "schemas": {
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"}}},
            "Address": {"type": "object", "properties": {"Name": {"type": "string"},
                                                         "Address": {"type": "string"}}},
            "MessageSummary": {"type": "object", "properties": {
                "ID": {"type": "string"}, "MessageID": {"type": "string"},
                "From": {"$ref": "#/components/schemas/Address"},
                "To": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
                "Subject": {"type": "string"}, "Created": {"type": "string", "format": "date-time"},
                "Tags": {"type": "array", "items": {"enum": ["email", "sms"]}},
                "Read": {"type": "boolean"}, "Size": {"type": "integer"},
                "Attachments": {"type": "integer"}, "Snippet": {"type": "string"}}},
            "MessagesSummary": {"type": "object", "properties": {
                "total": {"type": "integer"}, "unread": {"type": "integer"},
                "count": {"type": "integer"}, "messages_count": {"type": "integer"},
                "start": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
                "messages": {"type": "array",
                             "items": {"$ref": "#/components/schemas/MessageSummary"}}}},
            "LatestCode": {"type": "object", "properties": {
                "code": {"type": "string", "pattern": "^[0-9]{6}$"},
                "message_id": {"type": "string"}, "channel": {"enum": ["email", "sms"]},
                "to": {"type": "string"}, "created": {"type": "string", "format": "date-time"}}},
            "Clock": {"type": "object", "properties": {
                "now": {"type": "string", "format": "date-time"}, "offset_s": {"type": "number"}}},
        },
    },
    "security": [{}, {"token": []}],
    "paths": {
        "/outbox/messages": {
            "get": {
                "summary": "Captured mail and SMS, newest first (Mailpit's message list)",
                "parameters": [_q("start", "offset", "integer"), _q("limit", "default 50", "integer"),
                               _q("to", "recipient: an email address or an E.164 number"),
                               _q("channel", "email | sms (alias: tag)")],
                "responses": {"200": {"description": "messages", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/MessagesSummary"}}}}},
            },
            "delete": {
                "summary": "Delete messages: body {\"IDs\": [...]}; no body deletes all",
                "responses": {"200": {"description": "deleted", "content": _JSON}},
            },
        },
        "/outbox/message/{id}": {"get": {
            "summary": "One message with Text and HTML; id may be `latest` (with ?to= / ?channel=)",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the message", "content": _JSON},
                          "404": _PROBLEM},
        }},
        "/outbox/latest-code": {"get": {
            "summary": "The 6-digit code in the newest message to `to`",
            "parameters": [_q("to", "required: email address or E.164 number"),
                           _q("channel", "email | sms"),
                           _q("after", "only a message with a larger ID (a resend)", "integer"),
                           _q("wait_s", "wait up to this many seconds (max 30)", "number")],
            "responses": {"200": {"description": "the code", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/LatestCode"}}}},
                "400": _PROBLEM, "404": _PROBLEM},
        }},
        "/clock": {
            "get": {"summary": "The server clock and its offset",
                    "responses": {"200": {"description": "clock", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Clock"}}}}}},
            "post": {"summary": "Move it: {\"advance_s\": 1801} or {\"set\": \"2026-12-01T12:00:00Z\"}",
                     "requestBody": {"content": _JSON},
                     "responses": {"200": {"description": "clock", "content": _JSON},
                                   "400": _PROBLEM}},
            "delete": {"summary": "Back to real time",
                       "responses": {"200": {"description": "clock", "content": _JSON}}},
        },
        "/bankid/orders": {"get": {
            "summary": "Pending BankID simulator orders (id, type, hintCode, masked personalNumber)",
            "responses": {"200": {"description": "orders", "content": _JSON}, "409": _PROBLEM},
        }},
        "/bankid/orders/{order_id}/{verb}": {"post": {
            "summary": "approve | cancel | fail (body {\"hintCode\": \"userCancel\" | "
                       "\"certificateErr\" | \"userDeclinedCall\" | \"notSupportedByUserApp\"}); "
                       "optional \"personalNumber\" picks the test identity",
            "parameters": [{"name": "order_id", "in": "path", "required": True,
                            "schema": {"type": "string"}},
                           {"name": "verb", "in": "path", "required": True,
                            "schema": {"enum": ["approve", "cancel", "fail"]}}],
            "requestBody": {"content": _JSON},
            "responses": {"200": {"description": "the order as the app sees it", "content": _JSON},
                          "400": _PROBLEM, "404": _PROBLEM, "409": _PROBLEM},
        }},
        "/bankid/delay": {
            "put": {"summary": "Every BankID RP call answers {\"seconds\": N} later (0-60)",
                    "requestBody": {"content": _JSON},
                    "responses": {"200": {"description": "fault settings", "content": _JSON},
                                  "400": _PROBLEM}},
            "delete": {"summary": "No delay",
                       "responses": {"200": {"description": "fault settings", "content": _JSON}}},
        },
        "/bankid/reset": {"post": {"summary": "Forget every simulator order and fault",
                                   "responses": {"200": {"description": "reset",
                                                         "content": _JSON}}}},
    },
}
