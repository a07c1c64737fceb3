"""Issue #12 finding 5: what Reflex and the server log passes through a redacting filter."""

from __future__ import annotations

import logging

import pytest
from reflex.event import Event

from kivra_app.log_redaction import REDACTED, RedactingFilter, install, redact

SESSION = "sEsSiOn-SeCrEt-4711"
TOKEN = "5f0c7f7e-2b1a-4c55-9d0e-1a2b3c4d5e6f"
PNR = "198507099805"


def _crafted_event() -> Event:
    """The event a tab sends for a handler name that does not exist (after a deploy)."""
    return Event(
        name="reflex___state____state.state___signup____signup_state.renamed_handler",
        router_data={"pathname": "/signup", "query": {}, "token": TOKEN,
                     "headers": {"cookie": f"theme=x; kivra_session={SESSION}",
                                 "user-agent": "Mozilla/5.0"}},
        payload={"form_data": {"personnummer": PNR, "code": "123456"}},
    )


@pytest.fixture
def records() -> list[logging.LogRecord]:
    install()
    caught: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record)

    handler = Keep()
    # Reflex's event processor logs through a child of reflex_base (see the issue).
    logger = logging.getLogger("reflex_base.event.processor.event_processor")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    yield caught
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _text(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in records)


def test_the_event_reflex_logs_is_redacted(records: list[logging.LogRecord]) -> None:
    event = _crafted_event()
    logger = logging.getLogger("reflex_base.event.processor.event_processor")
    try:
        raise KeyError(f"no handler for {event}")
    except KeyError:
        logger.exception(f"Error processing event queue entry for {event} [txid=1]:")
    text = _text(records)
    assert "renamed_handler" in text and "KeyError" in text  # the error itself is kept
    for secret in (SESSION, TOKEN, PNR, "19850709-9805", "123456"):
        assert secret not in text, secret


def test_args_and_server_loggers_too(records: list[logging.LogRecord]) -> None:
    caught: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record)

    handler = Keep()
    server = logging.getLogger("uvicorn.error.child")
    server.addHandler(handler)
    try:
        server.error("bad request %s headers=%r", "GET /", {"cookie": f"kivra_session={SESSION}"})
        server.error("cookie: kivra_signup=%s", SESSION)
    finally:
        server.removeHandler(handler)
    text = _text(caught)
    assert SESSION not in text and text.count(REDACTED) >= 2


@pytest.mark.parametrize(("line", "kept"), [
    ("event=bankid_complete signup=12 who=19850709-****", True),  # our masked form stays
    ("event=verification_code_sent signup=3 channel=sms to=070-*** ** 05", True),
    ("GET /signup HTTP/1.1 200", True),
])
def test_ordinary_lines_are_kept(line: str, kept: bool) -> None:
    assert (redact(line) == line) is kept


@pytest.mark.parametrize("secret_line", [
    "token='abc'", '"token": "abc"', "Cookie: kivra_signup=abc", "ticket=abc",
    "payload={'a': {'b': [1, 2, 'abc']}}", "personnummer 19850709-9805 typed",
    "__Host-kivra_session=abc",
])
def test_secret_shapes_are_redacted(secret_line: str) -> None:
    assert "abc" not in redact(secret_line) and "9805" not in redact(secret_line)


def test_the_filter_never_drops_a_record() -> None:
    record = logging.LogRecord("reflex", logging.ERROR, __file__, 1, "broken %s %s", ("one",),
                               None)
    assert RedactingFilter().filter(record) is True
