"""ElksSms and TwilioSms against a local HTTP fake (real HTTP over 127.0.0.1); OutboxSms."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from kivra_app.messaging.factory import MisconfiguredSms, build_sms
from kivra_app.messaging.outbox import latest_code
from kivra_app.messaging.sms import ElksSms, OutboxSms, SmsError, TwilioSms
from kivra_app.messaging.texts import code_sms_text
from kivra_app.settings import Settings


class FakeGateway:
    """Records requests; answers per path from `responses` (status, body, content type)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.response = (200, {"id": "s1", "status": "created", "parts": 1}, "application/json")
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                gateway.requests.append({
                    "method": "POST", "path": self.path,
                    "auth": self.headers.get("Authorization", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "form": {k: v[0] for k, v in parse_qs(body).items()},
                })
                if gateway.delay:
                    threading.Event().wait(gateway.delay)
                status, payload, ctype = gateway.response
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def basic(self, user: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def gateway():
    fake = FakeGateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def elks(gateway, timeout=5.0) -> ElksSms:
    return ElksSms(api_url=gateway.url + "/a1", username="u123", password="p456",
                   sender="Kivra", timeout=timeout)


def twilio(gateway) -> TwilioSms:
    return TwilioSms(api_url=gateway.url + "/2010-04-01", account_sid="AC42", auth_token="tok",
                     sender="+46700000001", timeout=5.0)


async def test_elks_request_shape(gateway):
    text = code_sms_text("123456", "sv")
    result = await elks(gateway).send("+46701740605", text)
    [request] = gateway.requests
    assert request["path"] == "/a1/sms"
    assert request["auth"] == gateway.basic("u123", "p456")
    assert request["content_type"].startswith("application/x-www-form-urlencoded")
    assert request["form"] == {"from": "Kivra", "to": "+46701740605",
                               "message": "Din verifieringskod från Kivra är 123456",
                               "dontlog": "message"}
    assert (result.provider_id, result.status, result.parts) == ("s1", "created", 1)


@pytest.mark.parametrize(
    ("status", "body", "ctype"),
    [
        (403, "Not enough credits", "text/plain"),
        (404, "Not Found", "text/plain"),
        (401, {"error": "bad credentials"}, "application/json"),
        (400, {"error": "Invalid to"}, "application/json"),
        (500, "oops", "text/plain"),
        (200, "not json", "text/plain"),
        (200, {"id": "s2", "status": "failed"}, "application/json"),
    ],
)
async def test_elks_errors_are_typed(gateway, status, body, ctype):
    gateway.response = (status, body, ctype)
    with pytest.raises(SmsError) as info:
        await elks(gateway).send("+46701740605", "x")
    assert info.value.status == status
    assert bool(info.value.detail) is (status != 200)  # a 200 with a bad body has no detail


async def test_elks_timeout_and_unreachable(gateway):
    gateway.delay = 1.0
    with pytest.raises(SmsError):
        await elks(gateway, timeout=0.2).send("+46701740605", "x")
    dead = ElksSms(api_url="http://127.0.0.1:9/a1", username="u", password="p", sender="Kivra",
                   timeout=1)
    with pytest.raises(SmsError):
        await dead.send("+46701740605", "x")


async def test_twilio_request_shape(gateway):
    gateway.response = (201, {"sid": "SM1", "status": "queued", "num_segments": "1"},
                        "application/json")
    result = await twilio(gateway).send("+46701740605", code_sms_text("123456", "en"))
    [request] = gateway.requests
    assert request["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
    assert request["auth"] == gateway.basic("AC42", "tok")
    assert request["form"] == {"To": "+46701740605", "From": "+46700000001",
                               "Body": "Your verification code from Kivra is 123456"}
    assert (result.provider_id, result.status, result.parts) == ("SM1", "queued", 1)


async def test_twilio_error(gateway):
    gateway.response = (400, {"code": 21211, "message": "Invalid 'To'"}, "application/json")
    with pytest.raises(SmsError) as info:
        await twilio(gateway).send("+46701740605", "x")
    assert info.value.status == 400 and "Invalid" in info.value.detail


async def test_outbox_sms(engine):
    result = await OutboxSms(engine).send("+46701740605", code_sms_text("000123", "sv"))
    assert result.status == "created"
    assert latest_code(engine, "+46701740605", channel="sms") == "000123"


def test_factory(engine, tmp_path):
    base = {"_env_file": None, "data_dir": tmp_path}
    assert isinstance(build_sms(Settings(**base), engine), OutboxSms)
    assert isinstance(build_sms(Settings(**base, sms_provider="46elks", elks_username="u",
                                         elks_password="p"), engine), ElksSms)
    assert isinstance(build_sms(Settings(**base, sms_provider="twilio", twilio_account_sid="AC",
                                         twilio_auth_token="t"), engine), TwilioSms)
    with pytest.raises(MisconfiguredSms):
        build_sms(Settings(**base, sms_provider="46elks"), engine)
