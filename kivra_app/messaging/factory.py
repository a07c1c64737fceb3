"""Build the mailer and the SMS sender from settings."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from kivra_app.messaging.mail import SmtpMailer
from kivra_app.messaging.sms import ElksSms, OutboxSms, SmsSender, TwilioSms


class MisconfiguredSms(RuntimeError):
    pass


def build_mailer(settings, *, smtp_port: int | None = None) -> SmtpMailer:  # noqa: ANN001
    """`smtp_port`: the embedded server's real port when it was started with port 0."""
    return SmtpMailer.from_settings(settings, port=smtp_port)


def build_sms(settings, engine: Engine) -> SmsSender:  # noqa: ANN001
    provider = settings.sms_provider
    if provider == "outbox":
        return OutboxSms(engine, sender=settings.sms_sender)
    if provider == "46elks":
        if not settings.elks_username or settings.elks_password is None:
            raise MisconfiguredSms("KIVRA_ELKS_USERNAME and KIVRA_ELKS_PASSWORD are required")
        return ElksSms(
            api_url=settings.elks_api_url,
            username=settings.elks_username,
            password=settings.elks_password.get_secret_value(),
            sender=settings.sms_sender,
            timeout=settings.sms_timeout,
        )
    if provider == "twilio":
        if not settings.twilio_account_sid or settings.twilio_auth_token is None:
            raise MisconfiguredSms("KIVRA_TWILIO_ACCOUNT_SID and KIVRA_TWILIO_AUTH_TOKEN are required")
        return TwilioSms(
            api_url=settings.twilio_api_url,
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            sender=settings.twilio_from or settings.sms_sender,
            timeout=settings.sms_timeout,
        )
    raise MisconfiguredSms(f"unknown SMS provider {provider!r}")
