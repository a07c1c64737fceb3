"""SignupState handlers with the domain faked: crafted calls change nothing, no secret or code
ever sits in a public var, and the screen follows the service."""

from __future__ import annotations

import asyncio
import json

import pytest

import state.deps as deps
from kivra_app.bankid_flow import Complete, Failed, Pending, Person
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.service import BankIdProgress
from kivra_app.signup.steps import Step
from state.lang import LangState
from state.signup import SignupState
from tests.unit_ui.fakes import (
    AUTOSTART,
    EMAIL_CODE,
    IPHONE_UA,
    ORDER_REF,
    PNR,
    QR_SECRET,
    SECRET,
    SMS_CODE,
    FakeSignupService,
    fake_services,
    set_connection,
    started,
    state_tree,
)

COOKIE = f"kivra_signup={SECRET}; theme=light"
PERSON = Person(PNR, "Anna", "Andersson", "Anna Andersson")


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeSignupService:
    fake = FakeSignupService()
    monkeypatch.setattr(deps, "services", lambda: fake_services(fake))
    return fake


def _public_blob(state: SignupState) -> str:
    return json.dumps(state.dict(), default=str)


async def _loaded(service: FakeSignupService, step: Step = Step.PERSONNUMMER, *,
                  cookie: str | None = COOKIE, user_agent: str | None = None) -> SignupState:
    service.step = step
    kwargs = {"user_agent": user_agent} if user_agent else {}
    s = state_tree(SignupState, cookie=cookie, **kwargs)
    await s.load()
    return s


async def test_load_without_the_cookie_shows_the_restart_screen(service: FakeSignupService) -> None:
    s = await _loaded(service, cookie=None)
    assert s.step == "missing"
    assert service.calls == []  # nothing to ask the service about


async def test_load_rederives_the_step_with_progress_and_prefill(service: FakeSignupService) -> None:
    service.pnr = PNR
    s = await _loaded(service)
    assert (s.step, s.step_number, s.progress_label) == ("personnummer", 1, "Steg 1 av 7")
    assert s.pnr_prefill == PNR  # the typed number comes back on step 1 only
    service.step = Step.EMAIL
    service.email = "anna@example.se"
    await s.load()
    assert (s.step, s.progress_label, s.pnr_prefill) == ("email", "Steg 3 av 7", "")
    assert s.pnr_masked == "19810724-****" and s.email == "anna@example.se"


async def test_load_follows_the_signups_language(service: FakeSignupService) -> None:
    service.language = "en"
    s = await _loaded(service)
    lang = await s.get_state(LangState)
    assert lang.lang == "en" and s.progress_label == "Step 1 of 7"


@pytest.mark.parametrize(
    "payload",
    [None, "198107249289", 12, ["198107249289"], {"personnummer": 198107249289},
     {"personnummer": {"$gt": ""}}, {"personnummer": "1" * 400}],
)
async def test_crafted_personnummer_payloads_never_reach_the_service(
    service: FakeSignupService, payload: object
) -> None:
    s = await _loaded(service)
    before = s.dict()
    service.calls.clear()
    await s.submit_personnummer(payload)  # type: ignore[arg-type]
    assert service.calls == []
    assert s.dict() == before


async def test_bad_personnummer_shows_the_catalogue_text_inline(service: FakeSignupService) -> None:
    s = await _loaded(service)
    await s.submit_personnummer({"personnummer": "12345"})
    assert s.step == "personnummer"
    assert s.field_error.startswith("Personnumret stämmer inte")
    await s.submit_personnummer({"personnummer": ""})
    assert s.field_error == "Skriv ditt personnummer."


async def test_personnummer_starts_a_qr_order_on_a_computer(service: FakeSignupService) -> None:
    s = await _loaded(service)
    result = await started(s, s.submit_personnummer({"personnummer": PNR}))
    assert s.step == "bankid" and s.bankid_mode == "qr" and s.bankid_state == "pending"
    start = next(c for c in service.calls if c[0] == "start_bankid")
    assert start[2]["same_device"] is False
    assert start[2]["end_user_ip"] == "192.0.2.10"
    assert start[2]["return_url"] == "http://localhost:8100/signup"
    assert s.bankid_qr.startswith("bankid.qr-start-token.0.")  # the frame text, drawn client-side
    assert QR_SECRET not in s.bankid_qr and len(s.bankid_qr.encode()) <= 300
    assert s.bankid_launch_url == ""
    assert start[2]["tab"] == "tab-token"  # the order is bound to this tab
    assert result is not None  # the background loop is started


async def test_personnummer_starts_an_autostart_order_on_a_phone(service: FakeSignupService) -> None:
    s = await _loaded(service, user_agent=IPHONE_UA)
    await started(s, s.submit_personnummer({"personnummer": PNR}))
    assert s.on_phone and s.bankid_mode == "app"
    start = next(c for c in service.calls if c[0] == "start_bankid")
    assert start[2]["same_device"] is True
    assert AUTOSTART in s.bankid_launch_url and s.bankid_qr == ""


async def test_switching_device_and_cancelling(service: FakeSignupService) -> None:
    s = await _loaded(service)
    await started(s, s.submit_personnummer({"personnummer": PNR}))
    await started(s, s.use_this_device())
    assert s.bankid_mode == "app" and s.bankid_launch_url
    await started(s, s.use_other_device())
    assert s.bankid_mode == "qr" and s.bankid_launch_url == ""
    await s.cancel_bankid()
    assert s.step == "personnummer" and s.pnr_prefill == PNR  # input kept


async def test_avbryt_while_bankid_starts_wins_and_the_late_order_is_not_shown(
    service: FakeSignupService,
) -> None:
    """The start runs in the background event, without the tab's lock: "Avbryt" is handled
    while BankID has not answered yet, and the late answer is not shown (no QR, no loop)."""
    s = await _loaded(service)
    gate = asyncio.Event()
    answer = service.start_bankid

    async def slow_start(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        await gate.wait()
        return await answer(*args, **kwargs)

    service.start_bankid = slow_start  # type: ignore[method-assign]
    asked = await asyncio.wait_for(s.submit_personnummer({"personnummer": PNR}), timeout=2)
    assert s.bankid_state == "starting" and s.bankid_message == "Startar BankID …"
    assert asked is SignupState.bankid_start or asked.fn is SignupState.bankid_start.fn
    start = asyncio.ensure_future(SignupState.bankid_start.fn(s))
    await asyncio.sleep(0.05)  # BankID has the call
    assert not start.done()
    await asyncio.wait_for(s.cancel_bankid(), timeout=2)  # not queued behind the start
    assert s.step == "personnummer"
    gate.set()
    assert await asyncio.wait_for(start, timeout=2) is None  # no loop for that order
    assert s.bankid_state != "pending" and s.bankid_qr == "" and s._bankid_order_id == 0
    # The same ask taken twice (two events): one start only.
    service.start_bankid = answer  # type: ignore[method-assign]
    service.calls.clear()
    await s.submit_personnummer({"personnummer": PNR})
    first, second = await asyncio.gather(SignupState.bankid_start.fn(s),
                                         SignupState.bankid_start.fn(s))
    assert service.names().count("start_bankid") == 1
    assert {first is None, second is None} == {True, False}
    assert s.bankid_state == "pending"


async def test_bankid_unavailable_is_a_calm_retry(service: FakeSignupService) -> None:
    s = await _loaded(service)
    await started(s, s.submit_personnummer({"personnummer": PNR}))
    service.fail_next = ServiceUnavailable("service.bankid")
    await started(s, s.retry_bankid())
    assert s.step == "bankid" and s.bankid_state == "failed"
    assert "BankID" in s.bankid_message and s.field_error == ""


async def _answer(s: SignupState, progress: BankIdProgress) -> tuple[bool, object]:
    """What the shared loop does with one collect answer (under the lock)."""
    over = s._bankid_show(progress.result)
    return over, await s._bankid_answer(progress)


async def test_collect_results_move_the_screen(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.BANKID)
    pending = BankIdProgress(Pending(1, "Starta BankID-appen.", "outstandingTransaction", True),
                             service._view())
    assert (await _answer(s, pending))[0] is False
    assert s.bankid_message == "Starta BankID-appen."
    service.step = Step.EMAIL
    done = BankIdProgress(Complete(1, PERSON, first=True), service._view())
    assert (await _answer(s, done))[0] is True
    assert s.step == "email" and s.given_name == "Anna" and not s.welcome_back
    # An existing account: BankID leads straight to DONE with "welcome back".
    s2 = await _loaded(service, Step.BANKID)
    service.step, service.welcome_back = Step.DONE, True
    back = BankIdProgress(Complete(1, PERSON, first=True), service._view(), 7)
    assert (await _answer(s2, back))[0] is True
    assert s2.step == "done" and s2.welcome_back


async def test_failed_collect_offers_a_retry_and_drops_the_dead_link(
    service: FakeSignupService,
) -> None:
    s = await _loaded(service, user_agent=IPHONE_UA)
    await started(s, s.submit_personnummer({"personnummer": PNR}))
    failed = BankIdProgress(Failed(1, "Åtgärden avbröts.", "userCancel"), service._view())
    assert (await _answer(s, failed))[0] is True
    assert s.bankid_state == "failed" and s.bankid_launch_url == "" and s.step == "bankid"
    assert s.bankid_message == "Åtgärden avbröts."


async def test_verify_email_code_on_the_wrong_step_changes_nothing(
    service: FakeSignupService,
) -> None:
    s = await _loaded(service, Step.PERSONNUMMER)
    service.calls.clear()
    await s.verify_email_code({"code": EMAIL_CODE})
    assert service.step == Step.PERSONNUMMER
    assert s.step == "personnummer" and s.field_error == "" and s.notice == ""
    # The same for every other step-bound handler, crafted out of order.
    await s.verify_phone_code({"code": SMS_CODE})
    await s.submit_email({"email": "a@b.se"})
    await s.submit_phone({"phone": "0701740605"})
    await s.resend_email_code()
    await s.resend_phone_code()
    await s.change_email()
    await s.change_phone()
    await s.cancel_bankid()
    await started(s, s.use_this_device())
    await s.open_mailbox()
    assert service.step == Step.PERSONNUMMER and s.step == "personnummer"
    assert "issue_login_ticket" not in service.names()
    # No step pre-check in the state: the service judged the crafted start (and refused it).
    assert "start_bankid" in service.names() and s.bankid_state != "pending"


async def test_a_tab_without_the_cookie_cannot_act(service: FakeSignupService) -> None:
    """A stolen tab token on another connection has the state but not the HttpOnly cookie."""
    s = await _loaded(service, Step.EMAIL_CODE)
    set_connection(s, cookie="kivra_signup=guess")  # another browser presenting the token
    service.calls.clear()
    await s.verify_email_code({"code": EMAIL_CODE})
    await s.resend_email_code()
    assert service.step == Step.EMAIL_CODE
    assert all(args[0] != SECRET for _, args, _ in service.calls)
    set_connection(s, cookie=None)
    service.calls.clear()
    await s.verify_email_code({"code": EMAIL_CODE})
    assert service.calls == []


async def test_email_code_flow_wrong_code_then_right(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.EMAIL)
    await s.submit_email({"email": "Anna@Example.se"})
    assert s.step == "email_code" and s.email == "anna@example.se"
    assert s.code_valid_text.startswith("Koden gäller till klockan")
    assert 0 < s.resend_wait <= 60  # the fake's code allows a resend 60 s after sending
    assert s.resend_label == f"Skicka ny kod (om {s.resend_wait} s)"
    await s.verify_email_code({"code": "000000"})
    assert s.step == "email_code"
    assert s.field_error == "Koden stämmer inte. Du kan försöka 4 gånger till."
    await s.verify_email_code({"code": {"$ne": ""}})  # crafted: ignored
    await s.verify_email_code({"code": "9" * 100})  # too long: ignored
    assert service.names().count("verify_email_code") == 1
    await s.verify_email_code({"code": EMAIL_CODE})
    assert s.step == "phone" and s.field_error == ""


async def test_resend_and_change_address(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.EMAIL_CODE, cookie=COOKIE)
    service.email = "anna@example.se"
    await s.resend_email_code()
    assert s.notice == "Vi har skickat en ny kod till din mail."
    service.fail_next = SignupError("code.resend_wait", {"seconds": 42})
    await s.resend_email_code()
    assert "42 sekunder" in s.field_error
    await s.change_email()
    assert s.step == "email" and s.email == "anna@example.se"  # prefilled to correct


async def test_mail_outage_keeps_the_step_and_says_try_again(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.EMAIL)
    service.fail_next = ServiceUnavailable("service.mail")
    await s.submit_email({"email": "anna@example.se"})
    assert s.step == "email" and s.notice_is_error
    assert s.notice == "Vi kunde inte skicka mailet just nu. Försök igen om en liten stund."


async def test_expired_signup_shows_the_restart_screen(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.PHONE)
    service.fail_next = SignupError("signup.expired")
    await s.submit_phone({"phone": "070-174 06 05"})
    assert s.step == "missing"


async def test_phone_code_to_done_and_the_login_ticket(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.PHONE)
    await s.submit_phone({"phone": "070-174 06 05"})
    assert s.step == "phone_code" and s.phone == "070-174 06 05"
    await s.verify_phone_code({"code": SMS_CODE})
    assert (s.step, s.progress_label) == ("done", "Steg 7 av 7")
    spec = await s.open_mailbox()
    assert "issue_login_ticket" in service.names()
    assert "/api/session/claim?ticket=ticket-abc" in str(spec)


async def test_language_switch_validates_and_retranslates(service: FakeSignupService) -> None:
    s = await _loaded(service, Step.EMAIL_CODE)
    await s.verify_email_code({"code": "000000"})
    await s.switch_language("en")
    assert service.language == "en"
    assert s.field_error == "The code is not right. You can try 4 more times."
    assert s.progress_label == "Step 4 of 7"
    assert (await s.get_state(LangState)).lang == "en"
    for crafted in ("xx", None, {"lang": "en"}, "sv; drop table"):
        await s.switch_language(crafted)  # type: ignore[arg-type]
    assert s.progress_label == "Step 4 of 7" and service.language == "en"


async def test_no_secret_code_or_order_in_public_vars(service: FakeSignupService) -> None:
    s = await _loaded(service, user_agent=IPHONE_UA)
    await started(s, s.submit_personnummer({"personnummer": PNR}))
    await started(s, s.use_other_device())
    for step in (Step.BANKID, Step.EMAIL, Step.EMAIL_CODE, Step.PHONE, Step.PHONE_CODE,
                 Step.DONE):
        service.step = step
        await s.load()
        if step is Step.EMAIL_CODE:
            await s.verify_email_code({"code": EMAIL_CODE[:5] + "0"})
        blob = _public_blob(s)
        for secret in (SECRET, EMAIL_CODE, SMS_CODE, ORDER_REF, QR_SECRET, PNR):
            assert secret not in blob, (step, secret)
    # #12 finding 2: what a state manager writes (disk, Redis) holds no secret at all
    import pickle

    stored = pickle.dumps(s)
    for secret in (SECRET, QR_SECRET, ORDER_REF):
        assert secret.encode() not in stored, secret


async def test_only_the_intended_handlers_are_public() -> None:
    """R-40: the browser can call exactly these (plus Reflex's own setvar, a no-op without
    set_* methods)."""
    handlers = set(SignupState.event_handlers) - {"setvar"}
    assert handlers == {
        "load", "switch_language", "submit_personnummer", "use_this_device",
        "use_other_device", "retry_bankid", "cancel_bankid", "page_visibility", "bankid_loop", "bankid_start",
        "submit_email", "verify_email_code", "resend_email_code", "change_email",
        "submit_phone", "verify_phone_code", "resend_phone_code", "change_phone",
        "code_ticker", "open_mailbox", "continue_signup",
    }
    assert not any(name.startswith("set_") for name in SignupState.event_handlers)


async def test_the_email_taken_at_the_last_step_shows_the_email_step_with_the_address(
        service: FakeSignupService) -> None:
    """Issue #7 §3: the account conflict is an answer: the email step, the typed address
    kept in the field, a clear message there; not the SMS screen with an email error."""
    service.email = "anna@example.se"
    service.phone = "070-174 06 05"
    service.email_taken_meanwhile = True
    s = await _loaded(service, Step.PHONE_CODE)
    await s.verify_phone_code({"code": SMS_CODE})
    assert (s.step, s.step_number) == ("email", 3)
    assert s.email == "anna@example.se"  # the input's prefill
    assert s.field_error == "Mailadressen används redan av ett annat Kivra-konto. Skriv en annan mailadress."
    assert s.notice == ""
    await s.switch_language("en")  # the message follows the language
    assert s.field_error.startswith("This email address is already used")
    # Submitting another address clears it and moves on.
    await s.submit_email({"email": "anna.b@example.se"})
    assert (s.step, s.field_error) == ("email_code", "")


async def test_blocking_service_calls_run_off_the_event_loop(
    service: FakeSignupService, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's synchronous calls (database work) run in a worker thread, so one tab's
    query never stalls every other tab's events on this worker."""
    import threading

    threads: dict[str, int] = {}
    for name in ("view", "submit_personnummer", "current_bankid", "continue_ticket"):
        real = getattr(service, name)

        def spy(*args: object, _real=real, _name=name, **kwargs: object) -> object:  # noqa: ANN001
            threads[_name] = threading.get_ident()
            return _real(*args, **kwargs)

        monkeypatch.setattr(service, name, spy)
    loop_thread = threading.get_ident()
    s = await _loaded(service)
    await s.submit_personnummer({"personnummer": "12345"})
    assert s.field_error  # the refusal came back through the thread
    service.step, service.unrotated = Step.DONE, True
    await s.load()  # the continue screen asks for a fresh continue ticket
    assert set(threads) >= {"view", "submit_personnummer", "continue_ticket"}
    assert loop_thread not in threads.values()
