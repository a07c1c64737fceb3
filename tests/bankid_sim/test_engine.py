"""The simulator's rules, exercised directly on SimulatorEngine with a manual clock."""

from __future__ import annotations

import base64

import pytest

from devtools.bankid_sim import (
    AppError,
    FaultSettings,
    SimulatorConfig,
    SimulatorEngine,
    SimulatorError,
)
from kivra_app.bankid.qr import qr_data
from tests.bankid.conftest import ManualClock

ANNA = "198107249289"
BERTIL = "199001189811"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make(clock: ManualClock, **overrides: object) -> SimulatorEngine:
    return SimulatorEngine(SimulatorConfig(**overrides), clock=clock)  # type: ignore[arg-type]


def auth(engine: SimulatorEngine, pnr: str | None = None, **extra: object) -> dict:
    body: dict = {"endUserIp": "203.0.113.7", **extra}
    if pnr:
        body["requirement"] = {"personalNumber": pnr}
    return engine.start("auth", body)


def collect(engine: SimulatorEngine, order: dict) -> dict:
    return engine.collect({"orderRef": order["orderRef"]})


def frame(order: dict, seconds: int) -> str:
    return qr_data(order["qrStartToken"], order["qrStartSecret"], seconds)


def no_such_order(call) -> None:
    with pytest.raises(SimulatorError) as err:
        call()
    assert (err.value.status, err.value.error_code, err.value.details) == (
        400,
        "invalidParameters",
        "No such order",
    )


def test_order_has_four_uuids_and_starts_outstanding(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    assert set(order) == {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    assert len({*order.values()}) == 4
    assert collect(engine, order) == {
        "orderRef": order["orderRef"],
        "status": "pending",
        "hintCode": "outstandingTransaction",
    }


def test_qr_scan_then_approve_completes_once(clock) -> None:
    engine = make(clock)
    order = auth(engine, ANNA, userVisibleData=base64.b64encode(b"Logga in").decode())
    clock.advance(3.4)
    view = engine.scan(frame(order, 3), identity="anna")
    assert view["hintCode"] == "userSign"
    assert collect(engine, order)["hintCode"] == "userSign"
    engine.act(view["id"], "approve")
    result = collect(engine, order)
    assert result["status"] == "complete"
    assert "hintCode" not in result
    data = result["completionData"]
    assert data["user"] == {
        "personalNumber": ANNA,
        "name": "Anna Andersson",
        "givenName": "Anna",
        "surname": "Andersson",
    }
    assert data["device"]["ipAddress"] != "203.0.113.7"  # the phone's IP, not endUserIp
    assert "stepUp" not in data and "risk" not in data
    xml = base64.b64decode(data["signature"]).decode()
    assert "<funcId>Identification</funcId>" in xml and "NOT A VALID SIGNATURE" in xml
    no_such_order(lambda: collect(engine, order))


def test_user_sign_duration_keeps_the_hint_visible(clock) -> None:
    engine = make(clock, user_sign_duration=2.0)
    order = auth(engine)
    engine.scan(frame(order, 0), identity="bertil", action="approve")
    assert collect(engine, order)["hintCode"] == "userSign"
    clock.advance(2.0)
    assert collect(engine, order)["status"] == "complete"


def test_autostart_shows_started_then_user_sign(clock) -> None:
    engine = make(clock, app_start_duration=1.0)
    order = auth(engine)
    view = engine.autostart(order["autoStartToken"])
    assert view["hintCode"] == "started"
    clock.advance(5)
    assert collect(engine, order)["hintCode"] == "started"  # no usable BankID chosen yet
    engine.act(view["id"], "cancel", identity="cecilia")
    assert collect(engine, order) == {
        "orderRef": order["orderRef"],
        "status": "failed",
        "hintCode": "userCancel",
    }


def test_autostart_with_identity_moves_on_by_time(clock) -> None:
    engine = make(clock, app_start_duration=1.0)
    order = auth(engine)
    engine.autostart(order["autoStartToken"], identity="anna")
    assert collect(engine, order)["hintCode"] == "started"
    clock.advance(1.0)
    assert collect(engine, order)["hintCode"] == "userSign"


def test_blocked_bankid_gives_certificate_err(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    engine.scan(frame(order, 0), identity="anna", action="blocked")
    assert collect(engine, order)["hintCode"] == "certificateErr"


@pytest.mark.parametrize("at", [29.9, 30.0])
def test_start_deadline(clock, at: float) -> None:
    engine = make(clock)
    order = auth(engine)
    clock.advance(at)
    result = collect(engine, order)
    if at < 30:
        assert result["hintCode"] == "outstandingTransaction"
    else:
        assert result == {
            "orderRef": order["orderRef"],
            "status": "failed",
            "hintCode": "startFailed",
        }
        no_such_order(lambda: collect(engine, order))


def test_lifetime_expires_a_picked_up_order(clock) -> None:
    engine = make(clock, start_deadline=5, order_lifetime=12)
    order = auth(engine)
    clock.advance(4)
    engine.scan(frame(order, 4), identity="anna")
    clock.advance(7.9)
    assert collect(engine, order)["hintCode"] == "userSign"
    clock.advance(0.1)
    assert collect(engine, order)["hintCode"] == "expiredTransaction"


def test_stale_forged_and_future_frames_are_refused(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    clock.advance(5.5)
    with pytest.raises(AppError) as stale:
        engine.scan(frame(order, 2), identity="anna")  # 3.5 s old
    assert stale.value.code == "staleQr"
    forged = f"bankid.{order['qrStartToken']}.5.{'0' * 64}"
    with pytest.raises(AppError) as bad:
        engine.scan(forged, identity="anna")
    assert bad.value.code == "invalidQr"
    with pytest.raises(AppError) as future:
        engine.scan(frame(order, 30), identity="anna")
    assert future.value.code == "invalidQr"
    with pytest.raises(AppError):
        engine.scan("not a qr code")
    # None of that picked the order up.
    assert collect(engine, order)["hintCode"] == "outstandingTransaction"
    assert engine.scan(frame(order, 4), identity="anna")["hintCode"] == "userSign"  # 1.5 s old


def test_second_order_for_same_person_is_already_in_progress(clock) -> None:
    engine = make(clock)
    first = auth(engine, ANNA)
    with pytest.raises(SimulatorError) as err:
        auth(engine, ANNA)
    assert (err.value.status, err.value.error_code) == (400, "alreadyInProgress")
    assert collect(engine, first)["status"] == "pending"  # default: the first order lives on
    auth(engine, BERTIL)  # someone else is fine


def test_already_in_progress_can_also_cancel_the_first(clock) -> None:
    engine = make(clock, already_in_progress_cancels_existing=True)
    first = auth(engine, ANNA)
    with pytest.raises(SimulatorError):
        auth(engine, ANNA)
    assert collect(engine, first)["hintCode"] == "cancelled"
    auth(engine, ANNA)  # the number is free again


def test_another_persons_bankid_fails_the_order(clock) -> None:
    engine = make(clock)
    order = auth(engine, ANNA)
    engine.scan(frame(order, 0), identity="bertil")
    assert collect(engine, order) == {
        "orderRef": order["orderRef"],
        "status": "failed",
        "hintCode": "certificateErr",
    }


def test_picking_up_a_new_order_cancels_the_users_older_one(clock) -> None:
    engine = make(clock)
    older, newer = auth(engine), auth(engine)
    engine.scan(frame(older, 0), identity="anna")
    engine.scan(frame(newer, 0), identity="anna")
    assert collect(engine, older)["hintCode"] == "cancelled"
    assert collect(engine, newer)["hintCode"] == "userSign"


def test_cancel_then_no_such_order(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    assert engine.cancel({"orderRef": order["orderRef"]}) == {}
    no_such_order(lambda: collect(engine, order))
    no_such_order(lambda: engine.cancel({"orderRef": order["orderRef"]}))


def test_uncollected_results_are_purged_after_retention(clock) -> None:
    engine = make(clock, start_deadline=30, keep_start_failed=190)
    order = auth(engine)
    clock.advance(30 + 189)
    assert collect(engine, order)["hintCode"] == "startFailed"
    late = auth(engine)
    clock.advance(30 + 190)
    no_such_order(lambda: collect(engine, late))


def test_mrtd_and_return_risk(clock) -> None:
    engine = make(clock, risk="moderate")
    order = engine.start(
        "auth",
        {"endUserIp": "::1", "requirement": {"mrtd": True}, "returnRisk": True},
    )
    view = engine.scan(frame(order, 0), identity="anna")
    assert view["hintCode"] == "userMrtd"
    engine.act(view["id"], "approve")
    data = collect(engine, order)["completionData"]
    assert data["stepUp"] == {"mrtd": True}
    assert data["risk"] == "moderate"


def test_phone_flow(clock) -> None:
    engine = make(clock)
    order = engine.start(
        "phone/sign",
        {
            "personalNumber": BERTIL,
            "callInitiator": "RP",
            "userVisibleData": base64.b64encode(b"Avtal").decode(),
        },
    )
    assert set(order) == {"orderRef"}
    assert collect(engine, order)["hintCode"] == "noClient"
    (listed,) = engine.pending_orders()
    assert listed["personalNumber"] == "19900118-****"
    assert listed["userVisibleData"] == "Avtal"
    assert engine.act(listed["id"], "open", identity="bertil")["hintCode"] == "userCallConfirm"
    engine.act(listed["id"], "declineCall")
    assert collect(engine, order)["hintCode"] == "userDeclinedCall"


def test_sign_xml_says_signing(clock) -> None:
    engine = make(clock)
    order = engine.start(
        "sign", {"endUserIp": "127.0.0.1", "userVisibleData": base64.b64encode(b"Ja").decode()}
    )
    engine.scan(frame(order, 0), personal_number="194510168885", action="approve")
    xml = base64.b64decode(collect(engine, order)["completionData"]["signature"]).decode()
    assert "<funcId>Signing</funcId>" in xml


def test_adhoc_personal_number_and_identity_errors(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    with pytest.raises(AppError) as unknown:
        engine.scan(frame(order, 0), identity="nobody")
    assert unknown.value.code == "unknownIdentity"
    with pytest.raises(AppError) as bad_pnr:
        engine.scan(frame(order, 0), personal_number="123")
    assert bad_pnr.value.code == "invalidPersonalNumber"
    view = engine.scan(frame(order, 0), personal_number="189102279800", action="approve")
    assert view["status"] == "complete"
    assert collect(engine, order)["completionData"]["user"]["name"] == "Test Testsson"


def test_approve_needs_an_identity_and_acts_once(clock) -> None:
    engine = make(clock)
    order = auth(engine)
    view = engine.scan(frame(order, 0))
    with pytest.raises(AppError) as no_id:
        engine.act(view["id"], "approve")
    assert no_id.value.code == "identityRequired"
    engine.act(view["id"], "approve", identity="david")
    with pytest.raises(AppError):
        engine.act(view["id"], "cancel")
    with pytest.raises(AppError) as again:
        engine.scan(frame(order, 0), identity="david")
    assert again.value.code in {"alreadyPickedUp", "orderNotActive"}


def test_pending_orders_mask_personal_numbers(clock) -> None:
    engine = make(clock)
    auth(engine, ANNA)
    (listed,) = engine.pending_orders()
    assert ANNA not in str(listed)
    assert listed["personalNumber"] == "19810724-****"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, "Missing endUserIp"),
        ({"endUserIp": "not-an-ip"}, "Invalid endUserIp"),
        ({"endUserIp": "1.2.3.4", "userVisibleData": "not base64!"}, "Invalid userVisibleData"),
        ({"endUserIp": "1.2.3.4", "userVisibleData": "QQ==" * 400}, "Invalid userVisibleData"),
        ({"endUserIp": "1.2.3.4", "returnUrl": "https://x/" + "a" * 510}, "Invalid returnUrl"),
        ({"endUserIp": "1.2.3.4", "web": {"userAgent": "u" * 257}}, "Invalid web.userAgent"),
        (
            {"endUserIp": "1.2.3.4", "web": {"deviceIdentifier": "d" * 65}},
            "Invalid web.deviceIdentifier",
        ),
        (
            {"endUserIp": "1.2.3.4", "requirement": {"personalNumber": "19810724928"}},
            "Invalid requirement.personalNumber",
        ),
        (
            {"endUserIp": "1.2.3.4", "requirement": {"personalNumber": "198107249288"}},
            "Invalid requirement.personalNumber",
        ),
        (
            {"endUserIp": "1.2.3.4", "requirement": {"cardReader": "class3"}},
            "Invalid requirement.cardReader",
        ),
    ],
)
def test_invalid_auth_bodies(clock, body: dict, details: str) -> None:
    with pytest.raises(SimulatorError) as err:
        make(clock).start("auth", body)
    assert (err.value.status, err.value.error_code, err.value.details) == (
        400,
        "invalidParameters",
        details,
    )


def test_sign_requires_visible_data_and_phone_requires_call_initiator(clock) -> None:
    engine = make(clock)
    with pytest.raises(SimulatorError, match="userVisibleData"):
        engine.start("sign", {"endUserIp": "1.2.3.4"})
    with pytest.raises(SimulatorError, match="callInitiator"):
        engine.start("phone/auth", {"personalNumber": ANNA, "callInitiator": "rp"})


def test_faults_inject_a_limited_number_of_times(clock) -> None:
    engine = make(
        clock, faults=FaultSettings(error="maintenance", remaining=2, endpoints=("auth",))
    )
    assert engine.injected_fault("collect") is None
    first, second, third = (engine.injected_fault("auth") for _ in range(3))
    assert first is not None and first.status == 503 and first.error_code == "maintenance"
    assert second is not None and third is None


def test_fault_settings_reject_bad_input() -> None:
    with pytest.raises(ValueError):
        FaultSettings.from_json({"error": "teapot"})
    with pytest.raises(ValueError):
        FaultSettings.from_json({"surprise": 1})
    merged = FaultSettings.from_json({"latency": 0.2}, base=FaultSettings(error="internalError"))
    assert (merged.error, merged.latency) == ("internalError", 0.2)


def test_wrong_person_with_approve_fails_the_order(clock) -> None:
    engine = make(clock)
    order = auth(engine, ANNA)
    view = engine.scan(frame(order, 0), identity="david", action="approve")
    assert (view["status"], view["hintCode"]) == ("failed", "certificateErr")
    assert collect(engine, order)["hintCode"] == "certificateErr"


def test_identity_table_matches_the_personal_numbers() -> None:
    from personnummer import personnummer

    identities = SimulatorConfig().identities
    assert {"adult", "coordination", "minor"} <= {i.kind for i in identities}
    assert len([i for i in identities if i.kind == "adult"]) >= 3
    assert len({i.key for i in identities}) == len(identities)
    for identity in identities:
        pnr = personnummer.parse(identity.personal_number)
        assert pnr.format(True) == identity.personal_number
        assert pnr.is_coordination_number() is (identity.kind == "coordination")
        assert (pnr.get_age() < 18) is (identity.kind == "minor")
