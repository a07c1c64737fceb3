"""Settings: production refuses development-only parts; every setting is documented."""

import re
from pathlib import Path

import pytest

from kivra_app.settings import ProductionMisconfigured, Settings

ROOT = Path(__file__).resolve().parents[2]


def _env_name(field: str) -> str:
    return f"KIVRA_{field.upper()}"


def test_defaults_use_embedded_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("KIVRA_"):
            monkeypatch.delenv(name)
    s = Settings(_env_file=None, data_dir=tmp_path)
    assert s.env == "development"
    assert s.simulator_enabled and s.dev_parts_enabled and s.uses_embedded_smtp
    assert s.effective_bankid_url == "http://127.0.0.1:8000/bankid-sim/rp/v6.0/"
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'kivra.db'}"
    assert s.email_code_ttl == 1800 and s.sms_code_ttl == 1800


def test_production_refuses_dev_parts() -> None:
    with pytest.raises(ProductionMisconfigured) as err:
        Settings(_env_file=None, env="production")
    message = str(err.value)
    for setting in ("KIVRA_BANKID_URL", "KIVRA_SMTP_HOST", "KIVRA_SMS_PROVIDER", "KIVRA_SECRET_KEY"):
        assert setting in message


PRODUCTION = dict(
    _env_file=None, env="production", public_url="https://kivra.example.se",
    bankid_url="https://appapi2.test.bankid.com/rp/v6.0/", smtp_host="smtp.example.se",
    sms_provider="46elks", secret_key="k" * 64,
)


def test_production_starts_when_configured() -> None:
    s = Settings(**PRODUCTION)
    assert not s.dev_parts_enabled and not s.simulator_enabled
    assert not s.test_personnummer_allowed


def test_production_dev_parts_when_explicitly_allowed() -> None:
    s = Settings(_env_file=None, env="production", allow_dev_parts_in_production=True,
                 public_url="https://kivra.example.se")
    assert s.dev_parts_enabled and s.simulator_enabled


@pytest.mark.parametrize(("change", "named"), [
    ({"public_url": None}, "KIVRA_PUBLIC_URL"),
    ({"public_url": "http://kivra.example.se"}, "KIVRA_PUBLIC_URL"),
    ({"public_url": "https://"}, "KIVRA_PUBLIC_URL"),
    ({"bankid_url": "http://appapi2.test.bankid.com/rp/v6.0/"}, "KIVRA_BANKID_URL"),
    ({"elks_api_url": "http://api.46elks.com/a1"}, "KIVRA_ELKS_API_URL"),
    ({"sms_provider": "twilio", "twilio_api_url": "http://api.twilio.com/2010-04-01"},
     "KIVRA_TWILIO_API_URL"),
])
@pytest.mark.parametrize("dev_parts", [False, True])
def test_production_refuses_plain_http(change: dict, named: str, dev_parts: bool) -> None:
    """Issue #12 finding 8: plain http to BankID or the SMS API, or no https public URL (no
    Secure/__Host- cookies, no HSTS), is a start-up error, dev parts allowed or not."""
    with pytest.raises(ProductionMisconfigured, match=named):
        Settings(**{**PRODUCTION, **change, "allow_dev_parts_in_production": dev_parts})


def test_development_allows_plain_http() -> None:
    s = Settings(_env_file=None, public_url="http://kivra.test",
                 bankid_url="http://127.0.0.1:9/rp/v6.0/")
    assert s.base_url == "http://kivra.test"


@pytest.mark.parametrize(("kwargs", "hosts", "bind"), [
    ({}, ["localhost", "127.0.0.1"], "127.0.0.1"),
    ({"public_url": "http://kivra.test:8000"}, ["kivra.test", "localhost", "127.0.0.1"],
     "127.0.0.1"),
    (PRODUCTION, ["kivra.example.se"], "0.0.0.0"),  # noqa: S104
    ({**PRODUCTION, "bind_host": "10.0.0.5"}, ["kivra.example.se"], "10.0.0.5"),
])
def test_allowed_hosts_and_bind_address(kwargs: dict, hosts: list[str], bind: str) -> None:
    s = Settings(**{"_env_file": None, **kwargs})
    assert (s.allowed_hosts, s.effective_bind_host) == (hosts, bind)


@pytest.mark.parametrize("doc", ["README.md", ".env.example"])
def test_every_setting_is_documented(doc: str) -> None:
    text = (ROOT / doc).read_text()
    missing = [
        _env_name(f) for f in Settings.model_fields if not re.search(rf"\b{_env_name(f)}\b", text)
    ]
    assert missing == []


def test_smtp_starttls_is_opportunistic_by_default(tmp_path: Path) -> None:
    assert Settings(_env_file=None, data_dir=tmp_path).smtp_starttls is None


@pytest.mark.parametrize("dev_parts", [False, True])
def test_production_refuses_plaintext_smtp(dev_parts: bool) -> None:
    with pytest.raises(ProductionMisconfigured, match="KIVRA_SMTP_STARTTLS"):
        Settings(**PRODUCTION, smtp_starttls=False, allow_dev_parts_in_production=dev_parts)


@pytest.mark.parametrize("value", [True, None])
def test_production_accepts_starttls_required_or_opportunistic(value: bool | None) -> None:
    assert Settings(**PRODUCTION, smtp_starttls=value).smtp_starttls is value


@pytest.mark.parametrize(("env", "expected"), [(None, None), ("true", True), ("false", False)])
async def test_the_mailer_passes_starttls_through(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  env: str | None, expected: bool | None) -> None:
    """aiosmtplib: start_tls=None upgrades when offered, False never does (the old default)."""
    import aiosmtplib

    from kivra_app.messaging.mail import SmtpMailer

    for name in list(__import__("os").environ):
        if name.startswith("KIVRA_"):
            monkeypatch.delenv(name)
    if env is not None:
        monkeypatch.setenv("KIVRA_SMTP_STARTTLS", env)
    seen: dict = {}

    async def fake_send(message, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.update(kwargs)

    monkeypatch.setattr(aiosmtplib, "send", fake_send)
    mailer = SmtpMailer.from_settings(Settings(_env_file=None, data_dir=tmp_path,
                                               smtp_host="smtp.example.se"))
    await mailer.send(to="a@example.se", subject="s", text="t", html="<p>t</p>")
    assert "start_tls" in seen and seen["start_tls"] is expected


def test_log_level_applies_to_the_app_loggers(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from kivra_app.logging_setup import configure_logging

    configure_logging(Settings(_env_file=None, log_level="INFO"))
    try:
        logging.getLogger("kivra.security").info("event=signup_test")
        logging.getLogger("kivra_app.bankid.client").debug("hidden")
        err = capsys.readouterr().err
    finally:
        for name in ("kivra", "kivra_app"):
            logger = logging.getLogger(name)
            logger.handlers = [h for h in logger.handlers if not getattr(h, "_kivra", False)]
            logger.propagate = True
            logger.setLevel(logging.NOTSET)
    assert "event=signup_test" in err and "hidden" not in err


def test_the_state_lock_outlasts_every_gateway_call_a_handler_waits_for(tmp_path: Path) -> None:
    """Reflex's Redis lock must not end while a handler waits for the mail server, the SMS
    gateway or BankID: the handler's work would be thrown away (LockExpiredError)."""
    assert Settings(_env_file=None, data_dir=tmp_path).state_lock_seconds >= 25
    with pytest.raises(ValueError, match="KIVRA_STATE_LOCK_SECONDS=24"):
        Settings(_env_file=None, data_dir=tmp_path, state_lock_seconds=24)  # BankID: 20 s
    with pytest.raises(ValueError, match=r"longest gateway call .*\(35 s\)"):
        Settings(_env_file=None, data_dir=tmp_path, sms_timeout=30)
    assert Settings(_env_file=None, data_dir=tmp_path, sms_timeout=30,
                    state_lock_seconds=40).state_lock_seconds == 40
