"""The real client against the simulator over real HTTP (uvicorn on a free port, mounted
under /bankid-sim as in the app). The simulator's clock is manual, so deadlines need no sleeps."""

from __future__ import annotations

import json

import httpx
import pytest

from kivra_app.bankid import errors
from kivra_app.bankid.client import BankIdClient
from kivra_app.bankid.models import (
    AuthRequest,
    PhoneRequest,
    Requirement,
    SignRequest,
    WebDeviceData,
)
from kivra_app.bankid.qr import qr_data, qr_seconds
from tests.bankid.conftest import Sim

ANNA = "198107249289"


def client_for(sim: Sim, **kwargs) -> BankIdClient:
    return BankIdClient(sim.rp_url, clock=sim.clock, **kwargs)


def frame(sim: Sim, order) -> str:
    return qr_data(
        order.qr_start_token, order.qr_start_secret, qr_seconds(order.started_at, sim.clock())
    )


async def app_post(sim: Sim, path: str, body: dict) -> httpx.Response:
    async with httpx.AsyncClient(base_url=sim.base) as http:
        return await http.post(path, json=body)


REQUEST = AuthRequest(end_user_ip="203.0.113.9")


# --- status paths ------------------------------------------------------------------------


async def test_qr_flow_two_phase_to_complete(sim: Sim) -> None:
    async with client_for(sim) as client:
        order = await client.auth(
            AuthRequest(
                end_user_ip="203.0.113.9",
                requirement=Requirement(personal_number=ANNA),
                user_visible_text="Logga in på Kivra",
            )
        )
        first = await client.collect(order.order_ref)
        assert (first.status, first.hint_code) == ("pending", "outstandingTransaction")
        sim.clock.advance(1.3)
        scanned = await app_post(sim, "app/scan", {"qrData": frame(sim, order), "identity": "anna"})
        assert scanned.status_code == 200, scanned.text
        assert (await client.collect(order.order_ref)).hint_code == "userSign"
        listed = (await httpx.AsyncClient(base_url=sim.base).get("app/orders")).json()["orders"]
        assert [o["personalNumber"] for o in listed] == ["19810724-****"]
        acted = await app_post(
            sim, f"app/orders/{scanned.json()['id']}/action", {"action": "approve"}
        )
        assert acted.json()["status"] == "complete"
        done = await client.collect(order.order_ref)
        assert done.is_complete and done.hint_code is None
        assert done.completion_data is not None
        assert done.completion_data.user.personal_number == ANNA
        assert done.completion_data.user.name == "Anna Andersson"
        with pytest.raises(errors.InvalidParameters) as again:
            await client.collect(order.order_ref)
        assert (again.value.http_status, again.value.details) == (400, "No such order")
        assert again.value.user_message("sv").rfa_id == "RFA22"


async def test_same_device_autostart_with_web_data_and_return_url(sim: Sim) -> None:
    sim.configure(app_start_duration=1.0)
    request = SignRequest(
        end_user_ip="2001:db8::1",
        user_visible_text="Jag godkänner villkoren",
        return_url="https://kivra.example.se/bankid/return?nonce=n0nce",
        web=WebDeviceData("kivra.example.se", "Mozilla/5.0 " + "x" * 400, "d" * 100),
    )
    async with client_for(sim) as client:
        order = await client.sign(request)
        picked = await app_post(
            sim, "app/autostart", {"autoStartToken": order.auto_start_token, "identity": "bertil"}
        )
        assert picked.json()["hintCode"] == "started"
        assert (await client.collect(order.order_ref)).hint_code == "started"
        sim.clock.advance(1.0)
        assert (await client.collect(order.order_ref)).hint_code == "userSign"
        await app_post(sim, f"app/orders/{picked.json()['id']}/action", {"action": "approve"})
        done = await client.collect(order.order_ref)
        assert done.completion_data is not None
        assert done.completion_data.user.personal_number == "199001189811"


@pytest.mark.parametrize(
    ("action", "hint"), [("cancel", "userCancel"), ("blocked", "certificateErr")]
)
async def test_user_actions_in_the_app(sim: Sim, action: str, hint: str) -> None:
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        response = await app_post(
            sim, "app/scan", {"qrData": frame(sim, order), "identity": "cecilia", "action": action}
        )
        assert response.status_code == 200
        result = await client.collect(order.order_ref)
        assert (result.status, result.hint_code) == ("failed", hint)


async def test_start_deadline_gives_start_failed(sim: Sim) -> None:
    sim.configure(start_deadline=30, order_lifetime=180)
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        sim.clock.advance(29)
        assert (await client.collect(order.order_ref)).is_pending
        sim.clock.advance(1)
        result = await client.collect(order.order_ref)
        assert (result.status, result.hint_code) == ("failed", "startFailed")


async def test_lifetime_gives_expired_transaction(sim: Sim) -> None:
    sim.configure(start_deadline=30, order_lifetime=180)
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        sim.clock.advance(10)
        await app_post(sim, "app/scan", {"qrData": frame(sim, order), "identity": "anna"})
        sim.clock.advance(169)
        assert (await client.collect(order.order_ref)).hint_code == "userSign"
        sim.clock.advance(1)
        assert (await client.collect(order.order_ref)).hint_code == "expiredTransaction"


async def test_newer_order_of_same_user_cancels_older(sim: Sim) -> None:
    async with client_for(sim) as client:
        older = await client.auth(REQUEST)
        newer = await client.auth(REQUEST)
        await app_post(sim, "app/scan", {"qrData": frame(sim, older), "identity": "anna"})
        await app_post(sim, "app/scan", {"qrData": frame(sim, newer), "identity": "anna"})
        assert (await client.collect(older.order_ref)).hint_code == "cancelled"


async def test_phone_auth(sim: Sim) -> None:
    async with client_for(sim) as client:
        order = await client.phone_auth(PhoneRequest(personal_number=ANNA, call_initiator="user"))
        assert order.qr_start_token is None
        assert (await client.collect(order.order_ref)).hint_code == "noClient"


async def test_cancel_then_collect_and_cancel_fail(sim: Sim) -> None:
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        await client.cancel(order.order_ref)
        with pytest.raises(errors.InvalidParameters):
            await client.collect(order.order_ref)
        with pytest.raises(errors.InvalidParameters):
            await client.cancel(order.order_ref)


# --- the simulated app refuses bad QR codes ------------------------------------------------


async def test_stale_and_forged_qr_refused_over_http(sim: Sim) -> None:
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        old_frame = frame(sim, order)
        sim.clock.advance(3.5)
        stale = await app_post(sim, "app/scan", {"qrData": old_frame, "identity": "anna"})
        assert (stale.status_code, stale.json()["error"]) == (400, "staleQr")
        token_time = f"bankid.{order.qr_start_token}.3."
        forged = await app_post(
            sim, "app/scan", {"qrData": token_time + "ab" * 32, "identity": "anna"}
        )
        assert (forged.status_code, forged.json()["error"]) == (400, "invalidQr")
        other_secret = qr_data(order.qr_start_token, "another-secret", 3)
        wrong_key = await app_post(sim, "app/scan", {"qrData": other_secret, "identity": "anna"})
        assert wrong_key.json()["error"] == "invalidQr"
        assert (await client.collect(order.order_ref)).hint_code == "outstandingTransaction"


# --- every row of the error table ------------------------------------------------------------


async def test_already_in_progress(sim: Sim) -> None:
    request = AuthRequest(end_user_ip="203.0.113.9", requirement=Requirement(personal_number=ANNA))
    async with client_for(sim) as client:
        await client.auth(request)
        with pytest.raises(errors.AlreadyInProgress) as err:
            await client.auth(request)
    assert (err.value.http_status, err.value.error_code) == (400, "alreadyInProgress")
    assert err.value.user_message("en").rfa_id == "RFA4"


async def test_invalid_parameters(sim: Sim) -> None:
    async with client_for(sim) as client:
        with pytest.raises(errors.InvalidParameters) as err:
            await client.auth(AuthRequest(end_user_ip="999.1.1.1"))
    assert err.value.details == "Invalid endUserIp"


@pytest.mark.parametrize(
    ("fault", "status", "exc", "rfa"),
    [
        ("unauthorized", 401, errors.Unauthorized, "RFA22"),
        ("requestTimeout", 408, errors.RequestTimeout, "RFA5"),
        ("rateLimit", 429, errors.RateLimited, "RFA22"),
        ("internalError", 500, errors.InternalError, "RFA5"),
        ("maintenance", 503, errors.Maintenance, "RFA5"),
    ],
)
async def test_injected_errors_are_typed_and_not_retried(sim, fault, status, exc, rfa) -> None:
    config = sim.configure()
    config.faults.error = fault
    config.faults.remaining = 10
    async with client_for(sim, maintenance_retries=0) as client:
        with pytest.raises(exc) as err:
            await client.auth(REQUEST)
    assert err.value.http_status == status
    assert err.value.user_message("sv").rfa_id == rfa
    assert config.faults.remaining == 9  # exactly one attempt
    assert getattr(err.value, "reset_after", None) == (1.0 if fault == "rateLimit" else None)


async def test_not_found_for_a_wrong_base_url(sim: Sim) -> None:
    async with BankIdClient(sim.base + "rp/v5.1/") as client:
        with pytest.raises(errors.NotFound) as err:
            await client.auth(REQUEST)
    assert (err.value.http_status, err.value.error_code) == (404, "notFound")


async def test_method_and_media_type_rules(sim: Sim) -> None:
    async with httpx.AsyncClient(base_url=sim.rp_url) as http:
        get = await http.get("auth")
        charset = await http.post(
            "auth",
            content=b'{"endUserIp":"1.2.3.4"}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        not_json = await http.post(
            "auth", content=b"{oops", headers={"Content-Type": "application/json"}
        )
        unknown = await http.post("nosuch", json={})
    assert (get.status_code, get.json()["errorCode"]) == (405, "methodNotAllowed")
    assert (charset.status_code, charset.json()["errorCode"]) == (415, "unsupportedMediaType")
    assert (not_json.status_code, not_json.json()["errorCode"]) == (400, "invalidParameters")
    assert (unknown.status_code, unknown.json()["errorCode"]) == (404, "notFound")


async def test_maintenance_is_retried_with_backoff(sim: Sim) -> None:
    config = sim.configure()
    config.faults.error = "maintenance"
    config.faults.remaining = 2
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    async with client_for(
        sim, maintenance_retries=2, maintenance_backoff=0.5, sleep=fake_sleep
    ) as client:
        order = await client.auth(REQUEST)
    assert order.order_ref
    assert delays == [0.5, 1.0]


async def test_maintenance_gives_up_after_the_retries(sim: Sim) -> None:
    config = sim.configure()
    config.faults.error = "maintenance"
    config.faults.remaining = 5

    async def no_sleep(seconds: float) -> None:
        return None

    async with client_for(sim, maintenance_retries=2, sleep=no_sleep) as client:
        with pytest.raises(errors.Maintenance):
            await client.auth(REQUEST)
    assert config.faults.remaining == 2  # three attempts


async def test_latency_and_client_timeout(sim: Sim) -> None:
    config = sim.configure()
    config.faults.latency = 0.5
    async with client_for(sim, timeout=0.1) as client:
        with pytest.raises(errors.BankIdTimeout) as err:
            await client.auth(REQUEST)
    assert err.value.user_message("sv").rfa_id == "RFA5"


async def test_collect_cadence_check(sim: Sim) -> None:
    sim.configure(min_collect_interval=1.0)
    async with client_for(sim) as client:
        order = await client.auth(REQUEST)
        await client.collect(order.order_ref)
        with pytest.raises(errors.RateLimited):
            await client.collect(order.order_ref)
        sim.clock.advance(1.0)
        assert (await client.collect(order.order_ref)).is_pending


async def test_faults_set_at_runtime_through_the_dev_endpoint(sim: Sim) -> None:
    async with httpx.AsyncClient(base_url=sim.base) as http:
        put = await http.put("dev/faults", json={"error": "internalError", "remaining": 1})
        assert put.status_code == 200 and put.json()["error"] == "internalError"
        bad = await http.put("dev/faults", json={"error": "teapot"})
        assert bad.status_code == 400
    async with client_for(sim) as client:
        with pytest.raises(errors.InternalError):
            await client.auth(REQUEST)
        assert (await client.auth(REQUEST)).order_ref  # the single injection is used up
    async with httpx.AsyncClient(base_url=sim.base) as http:
        await http.put("dev/faults", json={"error": "maintenance"})
        cleared = await http.delete("dev/faults")
        assert cleared.json()["error"] is None


# --- tolerance and the test app page -----------------------------------------------------


async def test_client_tolerates_unknown_fields_and_codes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/collect"):
            return httpx.Response(
                200,
                json={"orderRef": "o", "status": "pending", "hintCode": "userFace", "newField": 1},
            )
        return httpx.Response(418, json={"errorCode": "somethingNew", "details": "x"})

    client = BankIdClient("https://bankid.invalid/rp/v6.0/", transport=httpx.MockTransport(handler))
    async with client:
        result = await client.collect("o")
        assert result.hint_code == "userFace" and result.raw["newField"] == 1
        with pytest.raises(errors.UnknownBankIdError) as err:
            await client.cancel("o")
    assert (err.value.error_code, err.value.http_status) == ("somethingNew", 418)
    assert err.value.user_message("en").rfa_id == "RFA22"


async def test_request_bodies_follow_the_api(sim: Sim) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "orderRef": "o",
                "autoStartToken": "a",
                "qrStartToken": "q",
                "qrStartSecret": "s",
            },
        )

    client = BankIdClient("http://sim.invalid/rp/v6.0/", transport=httpx.MockTransport(handler))
    request = AuthRequest(
        end_user_ip="1.2.3.4",
        user_visible_text="Hej åäö",
        return_url="https://kivra.example.se/r?x=1&nonce=abc",
        web=WebDeviceData("kivrä.example.se", "u" * 300, "d" * 100),
    )
    async with client:
        await client.auth(request)
    (sent,) = seen
    assert sent.headers["content-type"] == "application/json"
    body = json.loads(sent.content)
    assert body["userVisibleData"] == "SGVqIMOlw6TDtg=="
    assert body["returnUrl"] == "https://kivra.example.se/r?x=1&nonce=abc"
    assert (
        body["web"]["referringDomain"]
        == "xn--" + "kivrä".encode("punycode").decode() + ".example.se"
    )
    assert len(body["web"]["userAgent"]) == 256
    assert len(body["web"]["deviceIdentifier"]) == 64
    assert "personalNumber" not in body


async def test_test_app_page(sim: Sim) -> None:
    async with httpx.AsyncClient(base_url=sim.base) as http:
        page = await http.get("app")
        identities = (await http.get("app/identities")).json()["identities"]
    assert page.status_code == 200
    html = page.text
    assert "<title>BankID test app</title>" in html
    for field in ("identity", "pnr", "qr"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert 'fetch("/' not in html and "fetch('/" not in html  # relative URLs only
    assert {i["kind"] for i in identities} >= {"adult", "coordination", "minor"}
