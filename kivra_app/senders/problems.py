"""RFC 9457 problem details of the sender API: one exception, one table of stable slugs.

`type` is a URI reference ending in the slug ("/api/sender/v1/problems/<slug>", a page that
explains it). A detail never contains a personnummer or anything else the sender sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEM_PATH = "/api/sender/v1/problems/"

# slug -> (HTTP status, title)
PROBLEMS: dict[str, tuple[int, str]] = {
    "validation-failed": (422, "The request is not valid"),
    "invalid-personnummer": (422, "The recipient's personnummer is not valid"),
    "invalid-ocr": (422, "The OCR reference is not valid"),
    "invalid-account": (422, "The bankgiro or plusgiro number is not valid"),
    "recipient-not-reachable": (422, "The recipient cannot receive digital mail from this sender"),
    "file-not-allowed": (422, "A part is not an allowed file"),
    "idempotency-key-missing": (400, "The Idempotency-Key header is required"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used with another request body"),
    "idempotency-request-in-progress": (409, "A request with this Idempotency-Key is in progress"),
    "payload-too-large": (413, "The request body is too large"),
    "unsupported-media-type": (415, "The request body must be application/json"),
    "rate-limited": (429, "Too many requests"),
    "unauthorized": (401, "A valid access token is required"),
    "not-found": (404, "Not found"),
}

DESCRIPTIONS: dict[str, str] = {
    "validation-failed": "A field is missing, has the wrong type or breaks a rule; `errors` "
    "lists each as a JSON pointer and a code. Also: a reused external_id with another body.",
    "invalid-personnummer": "recipient.personnummer is not a valid 12-digit personnummer.",
    "invalid-ocr": "invoice.reference is not 2-25 digits with a valid check digit (10-modul).",
    "invalid-account": "invoice.account_number fails the bankgiro (7-8 digits) or plusgiro "
    "(2-8 digits) check digit.",
    "recipient-not-reachable": "The person has no active mailbox or has turned this sender off "
    "(after the grace period). Send on paper.",
    "file-not-allowed": "A part is not a clean PDF (encrypted, JavaScript, launch actions, "
    "embedded files, not a PDF at all) or not UTF-8 plain text, or too large.",
    "idempotency-key-missing": "POST /messages needs an Idempotency-Key header (1-255 chars).",
    "idempotency-key-reused": "The same Idempotency-Key was sent before with another body.",
    "idempotency-request-in-progress": "The first request with this key is still running; "
    "retry later to get its answer.",
    "payload-too-large": "The body exceeds 10 MB, a part exceeds 5 MB, or a list is too long.",
    "unsupported-media-type": "Send Content-Type: application/json.",
    "rate-limited": "This sender's burst or sustained rate is used up; see Retry-After.",
    "unauthorized": "No, expired or revoked bearer token (or wrong client credentials).",
    "not-found": "No such resource for this sender.",
}


@dataclass
class Problem(Exception):
    slug: str
    detail: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.slug not in PROBLEMS:
            raise ValueError(f"unknown problem type {self.slug!r}")
        super().__init__(self.slug)

    @property
    def status(self) -> int:
        return PROBLEMS[self.slug][0]

    def body(self, instance: str | None = None) -> dict[str, object]:
        body: dict[str, object] = {
            "type": PROBLEM_PATH + self.slug,
            "title": PROBLEMS[self.slug][1],
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid(slug: str, pointer: str, code: str, detail: str | None = None) -> Problem:
    return Problem(slug, detail=detail, errors=[{"pointer": pointer, "code": code}])
