"""The whole signup with the real SMTP mailer, the embedded outbox server and the SMS outbox."""

from __future__ import annotations

from kivra_app.messaging.factory import build_mailer, build_sms
from kivra_app.messaging.outbox import latest_code
from kivra_app.messaging.smtp_server import start_embedded_smtp
from kivra_app.settings import Settings
from kivra_app.signup.service import SignupService, Step
from tests.unit.fakes import FakeBankId


async def test_signup_end_to_end_through_the_dev_outbox(engine, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="k", smtp_port=0,
                        allow_test_personnummer=True)
    server = start_embedded_smtp(settings, engine)
    try:
        bankid = FakeBankId()
        svc = SignupService(engine=engine, settings=settings, bankid=bankid,
                            mailer=build_mailer(settings, smtp_port=server.port),
                            sms=build_sms(settings, engine))
        secret = svc.begin("sv")
        svc.submit_personnummer(secret, "19850709-9805")
        started = await svc.start_bankid(secret, tab="contract-tab", end_user_ip="127.0.0.1",
                                         same_device=False, user_agent="pytest",
                                         return_url="http://localhost/")
        bankid.complete("198507099805")
        progress = await svc.poll_bankid(secret, started.order_id, tab="contract-tab")
        assert progress.state == "complete"
        secret = svc.rotate_secret(secret, progress.continue_ticket)  # GET /api/signup/continue
        await svc.submit_contact("email", secret, "karin@example.se", client_ip="127.0.0.1")
        svc.verify_code("email", secret, latest_code(engine, "karin@example.se", channel="email"))
        await svc.submit_contact("phone", secret, "070-174 06 05", client_ip="127.0.0.1")
        view = svc.verify_code("phone", secret, latest_code(engine, "+46701740605", channel="sms"))
        assert view.step == Step.DONE and view.user_id
    finally:
        server.stop()
