"""All configuration, read once from the environment (prefix KIVRA_) and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Files and directories this process creates are its owner's only (the SQLite database,
    the development key, logs, Reflex's build): issue #12 finding 2. Called first by rxconfig.py
    (every `reflex` command and worker reads it) and by the migration command."""
    os.umask(PRIVATE_UMASK)


def _is_https(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


# s: the longest one BankID call may take, however long the client waits for a pooled
# connection and for the answer (bankid_flow's CALL_TIMEOUT is this figure). Starts and
# collects run in background events without the state lock; a cancel is still awaited by a
# locked handler, so the lock is sized for it.
BANKID_CALL_WORST = 20.0


class ProductionMisconfigured(RuntimeError):
    """Raised when production is asked to run with development-only parts."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KIVRA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    allow_dev_parts_in_production: bool = False
    port: int = 8000
    # `make dev`: Vite's dev server (hot reload) on its own port, next to the backend's.
    dev_frontend_port: int | None = None
    public_url: str | None = None  # e.g. https://kivra.example.se; default http://localhost:{port}
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str | None = None  # default: SQLite in data_dir
    secret_key: SecretStr | None = None  # HMAC key for codes and session ids; generated in dev
    log_level: str = "INFO"
    default_language: Literal["sv", "en"] = "sv"
    minimum_age: int = 18
    allow_test_personnummer: bool | None = None  # default: allowed outside production
    gallery: bool | None = None  # the component gallery at /gallery; default: on outside production
    # `make dev`: the gallery's pages only, not the product's: a save recompiles every page, and
    # the product's took ~1 s of the 3 s a designer may wait for it (issue #10).
    gallery_only: bool = False
    # The test-support API at /_test (captured mail/SMS, BankID control, movable clock);
    # default: on outside production. Loopback clients only, unless they send this token.
    test_support: bool | None = None
    test_support_token: SecretStr | None = None

    # --- signup core and hardening (issue #7 §3, issue #12) ---------------------------------
    signup_idle_timeout: int = Field(default=3600, ge=60)  # s without activity: the signup ends
    signup_cookie_max_age: int = Field(default=86400, ge=60)  # s the signup cookie is kept
    continue_ticket_ttl: int = Field(default=120, ge=10)  # s: the ticket after BankID
    code_send_claim: int = Field(default=60, ge=5)  # s a send in progress blocks a second one
    # Send caps per code_send_window (code_max_sends_per_window counts one person's sends to
    # one address; this ceiling counts everyone's, so one person cannot block another's address)
    code_max_sends_per_destination: int = Field(default=20, ge=1)
    code_max_sends_per_signup: int = Field(default=10, ge=1)  # per channel
    code_max_sends_per_ip: int = Field(default=30, ge=1)  # offices share an address
    trusted_proxy_hops: int = Field(default=0, ge=0)  # reverse proxies in front (X-Forwarded-For)
    bind_host: str | None = None  # default 127.0.0.1 in development, 0.0.0.0 in production

    # BankID
    bankid_url: str | None = None  # base URL ending in /rp/v6.0/; default the embedded simulator
    bankid_cert: Path | None = None
    bankid_key: Path | None = None
    bankid_cert_password: SecretStr | None = None
    bankid_ca: Path | None = None
    bankid_simulator: bool | None = None  # mount the simulator; default: on outside production
    bankid_start_deadline: float = 30.0  # simulator: seconds before an unopened order fails
    bankid_order_lifetime: float = 180.0  # simulator: seconds before expiredTransaction

    # Verification codes
    email_code_ttl: int = Field(default=1800, ge=60)
    sms_code_ttl: int = Field(default=1800, ge=60)
    code_max_attempts: int = 5
    code_max_consecutive_failures: int = 100
    code_resend_cooldown: int = 60
    code_max_sends_per_window: int = 5
    code_send_window: int = 1800

    # Login sessions (cookie kivra_session): idle timeout and absolute lifetime, in seconds
    session_idle: int = Field(default=1800, ge=60)
    session_max: int = Field(default=12 * 3600, ge=300)

    # Mail
    smtp_host: str | None = None  # default: the embedded SMTP server (dev outbox)
    smtp_port: int = 2525
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # None (default): STARTTLS whenever the server offers it (aiosmtplib's opportunistic mode);
    # True: required (fail if not offered); False: never, plain text (refused in production).
    smtp_starttls: bool | None = None
    smtp_timeout: float = 10.0
    mail_from: str = "Kivra <noreply@notifications.kivra.example>"

    # SMS
    sms_provider: Literal["outbox", "46elks", "twilio"] = "outbox"
    sms_sender: str = "Kivra"
    sms_timeout: float = 10.0
    elks_api_url: str = "https://api.46elks.com/a1"
    elks_username: str | None = None
    elks_password: SecretStr | None = None
    twilio_api_url: str = "https://api.twilio.com/2010-04-01"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None

    # Shared state for every worker (the rate limiter); unset = the database
    redis_url: str | None = None
    redis_prefix: str = "kivra:"
    # s Reflex's Redis state lock lasts (its default is 10 s). A handler that sends the code
    # mail or cancels a BankID order holds it while the gateway answers; a lock that ends first
    # throws the handler's work away (LockExpiredError, "Något gick fel") instead of the calm
    # "try again". It must outlast those deadlines (see _lock_outlasts_the_gateways).
    state_lock_seconds: float = Field(default=25.0, ge=1)

    # Serving and scale-out (issue #11): workers, proxies, anti-automation per client address
    workers: int | None = Field(default=None, ge=1)  # backend workers; default see backend_workers
    # Per client IP: how many signups, logins and BankID orders one address may start (a burst,
    # then a sustained rate per minute), so one address cannot start thousands of BankID orders.
    ip_start_burst: int = Field(default=30, ge=1)
    ip_start_per_minute: float = Field(default=10.0, gt=0)

    @property
    def state_manager_mode(self) -> Literal["memory", "redis"]:
        """Reflex's state manager (issue #12 finding 2): never Reflex's default, the disk
        manager, which pickles every tab's state into world-readable `.states/*.pkl` files.
        Memory for one worker; Redis (KIVRA_REDIS_URL) when several workers share the state."""
        return "redis" if self.redis_url else "memory"

    @property
    def effective_bind_host(self) -> str:
        return self.bind_host or ("0.0.0.0" if self.is_production else "127.0.0.1")  # noqa: S104

    @property
    def allowed_hosts(self) -> list[str]:
        """Host header values we answer (issue #12 finding 9): the public URL's host; in
        development also localhost and 127.0.0.1 (the simulator and the tests use both)."""
        hosts = []
        if self.public_url:
            host = urlsplit(self.base_url).hostname
            if host:
                hosts.append(host)
        if not self.is_production or not self.public_url:
            hosts += ["localhost", "127.0.0.1"]
        return list(dict.fromkeys(hosts))

    # Sender API (/api/sender/v1) and notifications (issue #8)
    sender_token_ttl: int = Field(default=3600, ge=60)  # seconds an access token lives
    # seconds an API worker trusts a token it checked (suspension from another process takes
    # that long to apply; senders/token_cache.py); 0: look every token up every time
    sender_token_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    sender_rate_burst: int = Field(default=200, ge=1)  # requests at once per sender
    sender_rate_per_second: float = Field(default=100.0, gt=0)  # sustained, per sender
    sender_max_request_bytes: int = 10 * 1024 * 1024
    sender_max_part_bytes: int = 5 * 1024 * 1024
    sender_match_max: int = 10_000
    idempotency_ttl_hours: int = 24 * 7
    sender_opt_out_grace_days: int = 10  # "Ta emot digitalt" off: deliveries still arrive
    notification_window: float = Field(default=60.0, ge=0)  # seconds; deliveries coalesce
    notification_poll: float = Field(default=2.0, gt=0)  # worker's idle poll interval
    notification_max_attempts: int = Field(default=6, ge=1)
    notification_backoff: float = Field(default=30.0, ge=0)  # first retry; doubles each time
    notification_lease: float = Field(default=120.0, gt=0)  # a claimed row's send deadline
    notification_worker: bool = True  # start the outbox worker with the app

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def dev_parts_enabled(self) -> bool:
        """Dev outbox pages, the BankID simulator and its test app."""
        return not self.is_production or self.allow_dev_parts_in_production

    @property
    def simulator_enabled(self) -> bool:
        if self.bankid_simulator is None:
            return self.dev_parts_enabled and self.bankid_url is None
        return self.bankid_simulator

    @property
    def backend_workers(self) -> int:
        """Backend worker processes: `workers`, else one per core when Reflex's state is in Redis
        (shared by the workers); always 1 without Redis (each worker would keep its own tabs)."""
        if not self.redis_url:
            return 1
        return self.workers or max(1, os.cpu_count() or 1)

    @property
    def gallery_enabled(self) -> bool:
        if self.gallery is None:
            return not self.is_production
        return self.gallery

    @property
    def product_pages_enabled(self) -> bool:
        """False when only the gallery is served (KIVRA_GALLERY_ONLY with the gallery on)."""
        return not (self.gallery_only and self.gallery_enabled)

    @property
    def test_support_enabled(self) -> bool:
        if self.test_support is None:
            return not self.is_production
        return self.test_support

    @property
    def test_personnummer_allowed(self) -> bool:
        if self.allow_test_personnummer is None:
            return not self.is_production
        return self.allow_test_personnummer

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed for the websocket and CORS (R-42): the public one only."""
        if self.public_url:
            return [self.base_url]
        ports = [self.port] + ([self.dev_frontend_port] if self.dev_frontend_port else [])
        return [f"http://{host}:{p}" for p in ports for host in ("localhost", "127.0.0.1")]

    @property
    def effective_bankid_url(self) -> str:
        return self.bankid_url or f"http://127.0.0.1:{self.port}/bankid-sim/rp/v6.0/"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kivra.db'}"

    @property
    def uses_embedded_smtp(self) -> bool:
        return self.smtp_host is None

    @model_validator(mode="after")
    def _lock_outlasts_the_gateways(self) -> Settings:
        """The longest gateway call a locked handler awaits: the mail or SMS deadline (the
        adapter's timeout + 5 s) or a BankID cancel (one BankID call, BANKID_CALL_WORST)."""
        longest = max(self.smtp_timeout + 5, self.sms_timeout + 5, BANKID_CALL_WORST)
        # + 5 s for the handler's own database steps around the call (worker threads that may
        # queue under load)
        if self.state_lock_seconds < longest + 5:
            raise ValueError(
                f"KIVRA_STATE_LOCK_SECONDS={self.state_lock_seconds:g} must be at least 5 s "
                f"longer than the longest gateway call a handler waits for ({longest:g} s)")
        return self

    @model_validator(mode="after")
    def _refuse_plaintext_smtp_in_production(self) -> Settings:
        """Codes must not cross the network in clear: production refuses STARTTLS=false (even
        with the dev parts allowed; unset means STARTTLS when offered)."""
        if self.is_production and self.smtp_starttls is False:
            raise ProductionMisconfigured(
                "Refusing to start in production: KIVRA_SMTP_STARTTLS=false sends the code mails "
                "unencrypted; leave it unset (STARTTLS when offered) or set it to true (required)."
            )
        return self

    @model_validator(mode="after")
    def _refuse_dev_parts_in_production(self) -> Settings:
        if not self.is_production or self.allow_dev_parts_in_production:
            return self
        problems = []
        if self.bankid_simulator or self.bankid_url is None:
            problems.append("KIVRA_BANKID_URL must point at BankID (the simulator is dev-only)")
        if self.smtp_host is None:
            problems.append("KIVRA_SMTP_HOST must be set (the embedded SMTP outbox is dev-only)")
        if self.sms_provider == "outbox":
            problems.append("KIVRA_SMS_PROVIDER must be 46elks or twilio (the outbox is dev-only)")
        if self.secret_key is None:
            problems.append("KIVRA_SECRET_KEY must be set")
        if self.allow_test_personnummer:
            problems.append("KIVRA_ALLOW_TEST_PERSONNUMMER must be off")
        if self.gallery:
            problems.append("KIVRA_GALLERY must be off (the component gallery is dev-only)")
        if self.gallery_only:
            problems.append("KIVRA_GALLERY_ONLY must be off (it serves the dev-only gallery alone)")
        if self.test_support:
            problems.append("KIVRA_TEST_SUPPORT must be off (the test-support API is dev-only)")
        if problems:
            raise ProductionMisconfigured(
                "Refusing to start in production: "
                + "; ".join(problems)
                + " (or set KIVRA_ALLOW_DEV_PARTS_IN_PRODUCTION=true)."
            )
        return self

    @model_validator(mode="after")
    def _refuse_plain_http_in_production(self) -> Settings:
        """Issue #12 finding 8: production needs https for its public URL (Secure/__Host-
        cookies, HSTS) and for every outside service it talks to, even with the dev parts
        allowed (the embedded simulator on 127.0.0.1 is the one plain-http exception)."""
        if not self.is_production:
            return self
        problems = []
        if not _is_https(self.public_url):
            problems.append("KIVRA_PUBLIC_URL must be an https:// URL (cookies are Secure and "
                            "__Host- only on https, and HSTS needs it)")
        if self.bankid_url is not None and not _is_https(self.bankid_url):
            problems.append("KIVRA_BANKID_URL must be an https:// URL")
        if self.sms_provider == "46elks" and not _is_https(self.elks_api_url):
            problems.append("KIVRA_ELKS_API_URL must be an https:// URL")
        if self.sms_provider == "twilio" and not _is_https(self.twilio_api_url):
            problems.append("KIVRA_TWILIO_API_URL must be an https:// URL")
        if problems:
            raise ProductionMisconfigured("Refusing to start in production: "
                                          + "; ".join(problems) + ".")
        return self

    def secret_key_bytes(self) -> bytes:
        """The server key for HMACs; in development a random key kept in data_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        key_file = self.data_dir / "secret.key"
        if not key_file.exists():
            import secrets

            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
