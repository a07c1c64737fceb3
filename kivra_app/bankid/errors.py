"""Typed BankID errors: each carries the errorCode, the HTTP status and the RFA to show.

`details` from BankID is for logs only; it is kept on the exception but never shown.
"""

from __future__ import annotations

from kivra_app.bankid.messages import Lang, RfaMessage, message, rfa_for


class BankIdError(Exception):
    """Any failure talking to BankID."""

    def __init__(
        self,
        message_text: str,
        *,
        error_code: str | None = None,
        http_status: int | None = None,
        details: str | None = None,
    ) -> None:
        super().__init__(message_text)
        self.error_code = error_code
        self.http_status = http_status
        self.details = details

    @property
    def rfa_id(self) -> str:
        return (
            rfa_for(
                status=None,
                error_code=self.error_code or "",
                same_device=False,
                started_with_qr=False,
            )
            or "RFA22"
        )

    def user_message(self, lang: Lang) -> RfaMessage:
        return message(self.rfa_id, lang)


class BankIdApiError(BankIdError):
    """BankID answered with an error body (or an error status)."""


class AlreadyInProgress(BankIdApiError):
    pass


class InvalidParameters(BankIdApiError):
    """An RP bug or an order that no longer exists ("No such order")."""


class Unauthorized(BankIdApiError):
    pass


class NotFound(BankIdApiError):
    pass


class MethodNotAllowed(BankIdApiError):
    pass


class RequestTimeout(BankIdApiError):
    pass


class UnsupportedMediaType(BankIdApiError):
    pass


class RateLimited(BankIdApiError):
    def __init__(self, *args, reset_after: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reset_after = reset_after


class InternalError(BankIdApiError):
    pass


class Maintenance(BankIdApiError):
    pass


class UnknownBankIdError(BankIdApiError):
    """An errorCode this client does not know; shown as RFA22."""


class BankIdConnectionError(BankIdError):
    """No usable answer: network failure, TLS failure or timeout."""

    @property
    def rfa_id(self) -> str:
        return "RFA5"


class BankIdTlsError(BankIdConnectionError):
    """The TLS handshake failed: untrusted server certificate or rejected client certificate."""


class BankIdTimeout(BankIdConnectionError):
    pass


class BankIdBusy(BankIdTimeout):
    """Our own connection pool had no free connection in time: nothing was sent to BankID, so
    it says nothing about BankID or the order (the app is overloaded, not BankID)."""


ERRORS_BY_CODE: dict[str, type[BankIdApiError]] = {
    "alreadyInProgress": AlreadyInProgress,
    "invalidParameters": InvalidParameters,
    "unauthorized": Unauthorized,
    "notFound": NotFound,
    "methodNotAllowed": MethodNotAllowed,
    "requestTimeout": RequestTimeout,
    "unsupportedMediaType": UnsupportedMediaType,
    "internalError": InternalError,
    "maintenance": Maintenance,
}

# Used when the body carries no (or no known) errorCode, e.g. an empty 405.
ERRORS_BY_STATUS: dict[int, type[BankIdApiError]] = {
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    405: MethodNotAllowed,
    408: RequestTimeout,
    415: UnsupportedMediaType,
    429: RateLimited,
    500: InternalError,
    503: Maintenance,
}
