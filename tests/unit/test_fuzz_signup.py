"""Every signup input fuzzed through the service with hypothesis: any string, any JSON shape a
crafted websocket event can carry, in every argument of every call the UI makes, at every step.
Nothing but a SignupError (a calm refusal) may come out, and no log line may hold the
personnummer or a code.

A crafted event reaches the service with whatever JSON the attacker sent (the state checks
types, but the service must not rely on it), so the strategies are JSON values, not strings.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kivra_app.signup.errors import SignupError
from tests.unit.conftest import ADULT

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                              max_size=4),
    max_leaves=8,
)
# Strings near the real inputs find the deeper paths (valid-looking numbers, addresses, codes).
NEAR = st.one_of(
    st.from_regex(r"\A[0-9 +\-]{0,14}\Z"), st.from_regex(r"\A[a-z]{1,6}@[a-z]{1,6}\.se\Z"),
    st.from_regex(r"\A[0-9]{6}\Z"), st.sampled_from(["sv", "en", "email", "phone", ""]),
)
ANY = st.one_of(JSON, NEAR, st.text())
KINDS = st.one_of(st.sampled_from(["email", "phone"]), JSON)

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

PNR_FORMS = (ADULT, ADULT[2:], f"{ADULT[:8]}-{ADULT[8:]}", f"{ADULT[2:8]}-{ADULT[8:]}")


class LogWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    watch = LogWatch()
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(watch)
    loggers = [logging.getLogger(n) for n in ("kivra", "kivra_app")]
    for logger in loggers:
        logger.addHandler(watch)
    yield watch.lines
    root.removeHandler(watch)
    root.setLevel(old)
    for logger in loggers:
        logger.removeHandler(watch)


def _run(result):  # noqa: ANN001, ANN202
    if asyncio.iscoroutine(result):
        return asyncio.new_event_loop().run_until_complete(result)
    return result


def _calm(call, *args, **kwargs) -> None:  # noqa: ANN001
    try:
        _run(call(*args, **kwargs))
    except SignupError:
        pass  # a refusal is an answer


def _digit_runs(value: object) -> set[str]:
    return {run for run in re.findall(r"\d{6,}", repr(value))}


def _assert_clean(lines: list[str], secrets: set[str]) -> None:
    text = "\n".join(lines)
    leaked = sorted(s for s in secrets if s and s in text)
    assert leaked == []


def _sent_codes(mailer, sms) -> set[str]:  # noqa: ANN001
    return {c for _, c, _ in mailer.codes} | {m for m in re.findall(r"\b\d{6}\b",
                                                                   " ".join(t for _, t in sms.sent))}


@pytest.fixture
def secrets_at(flow):
    """A signup at each step (made once per test; fuzzed calls may move some on)."""
    loop = asyncio.new_event_loop()
    made = {
        "personnummer": flow.begin(),
        "email": loop.run_until_complete(flow.to_email()),
        "email_code": loop.run_until_complete(flow.to_email_code(email="fuzz1@example.se",
                                                                 pnr=ADULT)),
        "phone_code": loop.run_until_complete(flow.to_phone_code(email="fuzz2@example.se")),
    }
    loop.close()
    return made


@FUZZ
@given(secret=ANY, raw=ANY, language=ANY, ticket=ANY)
def test_sessions_and_personnummer_take_anything(svc, log_lines, secret, raw, language,
                                                 ticket) -> None:
    for call, args in ((svc.view, (secret,)),
                       (svc.rotate_secret, (secret, ticket)), (svc.set_language, (secret, language)),
                       (svc.submit_personnummer, (secret, raw)),
                       (svc.issue_login_ticket, (secret,)), (svc.begin, (language,))):
        _calm(call, *args)
    _calm(svc.continue_ticket, secret, tab=ticket)
    _assert_clean(log_lines, set(PNR_FORMS) | _digit_runs(raw))


@FUZZ
@given(step=st.sampled_from(["personnummer", "email", "email_code", "phone_code"]),
       kind=KINDS, raw=ANY, code=ANY, ip=ANY, language=ANY)
def test_every_step_takes_anything(svc, flow, secrets_at, log_lines, mailer, sms, step, kind, raw,
                                   code, ip, language) -> None:
    secret = secrets_at[step]
    _calm(svc.submit_personnummer, secret, raw)
    _calm(svc.submit_contact, kind, secret, raw, client_ip=ip)
    _calm(svc.verify_code, kind, secret, code)
    _calm(svc.resend_code, kind, secret, client_ip=ip)
    _calm(svc.set_language, secret, language)
    _calm(svc.change_contact, kind, secret)
    _calm(svc.start_bankid, secret, tab=language, end_user_ip=ip, same_device=raw,
          user_agent=code, return_url=language)
    _calm(svc.current_bankid, secret, tab=code)
    _calm(svc.poll_bankid, secret, raw, tab=code)
    _assert_clean(log_lines, set(PNR_FORMS) | _sent_codes(mailer, sms)
                  | {r for r in _digit_runs(raw) | _digit_runs(code) if len(r) >= 10})


@FUZZ
@given(code=ANY)
def test_codes_of_any_shape_at_the_code_steps(svc, flow, secrets_at, log_lines, mailer, sms,
                                              code) -> None:
    for step, kind in (("email_code", "email"), ("phone_code", "phone")):
        _calm(svc.verify_code, kind, secrets_at[step], code)
    _assert_clean(log_lines, set(PNR_FORMS) | _sent_codes(mailer, sms))
