"""Change the email address or the mobile number: the new one is verified with a 6-digit code
exactly as in the signup (the same CodeStore: HMAC-stored codes, 30-minute lifetime, 5 tries
per code, resend cooldown, per-address and per-identity limits), then a notice goes to the old
one. Plain Python, no Reflex.

The codes machinery keys codes by a signup row. A change therefore runs in a small "change
context": a `signup` row of the person (step `change_email` / `change_phone`, the new address in
its email / phone_e164 column, expiring like a signup) that nothing can log in with (its secret
is thrown away). Closing the account deletes these rows with the person's signups.
An email address that belongs to another account gets the signup's "address in use" mail
instead of a code (the screen is the same: nobody learns whose address it is).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import normalise_language, t
from kivra_app.mailbox.feed import audit
from kivra_app.messaging.texts import code_sms_text
from kivra_app.models import Signup, User, as_utc, utcnow
from kivra_app.signup.codes import CHANNEL_EMAIL, CHANNEL_SMS, CodeStore, identity_hash
from kivra_app.signup.errors import SignupError
from kivra_app.signup.validation import phone_national, validate_email, validate_phone

CHANNELS = {"email": CHANNEL_EMAIL, "phone": CHANNEL_SMS}
CONTEXT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class ChangeResult:
    ok: bool
    key: str  # a catalogue key: the message to show
    params: dict[str, Any]


class ContactChange:
    def __init__(self, *, engine, settings, mailer, sms, clock=utcnow) -> None:  # noqa: ANN001
        self.engine, self.settings, self.mailer, self.sms, self.clock = (
            engine, settings, mailer, sms, clock)
        self.codes = CodeStore(engine, settings.secret_key_bytes(), settings, clock)

    def _identity(self, user: User) -> str:
        return identity_hash(self.settings.secret_key_bytes(), user.personnummer)

    def _context(self, session: Session, user_id: int, kind: str) -> Signup | None:
        now = self.clock()
        rows = session.exec(select(Signup).where(Signup.user_id == user_id,
                                                 Signup.step == f"change_{kind}")
                            .order_by(Signup.id.desc())).all()  # type: ignore[union-attr]
        return next((r for r in rows if as_utc(r.expires_at) > now), None)  # type: ignore[operator]

    async def send_code(self, user_id: int, kind: str, raw: object, *,
                        client_ip: str | None, lang: str) -> ChangeResult:
        """Check the new address and send it a code (or the "in use" notice). The database
        work runs in worker threads; only the gateway is awaited on the event loop."""
        lang = normalise_language(lang)
        if kind not in CHANNELS:
            return ChangeResult(False, "error.generic", {})
        try:
            value = validate_email(raw) if kind == "email" else validate_phone(raw).e164
        except SignupError as exc:
            return ChangeResult(False, exc.key, dict(exc.params or {}))
        prepared = await asyncio.to_thread(self._prepare_send, user_id, kind, value, lang,
                                           client_ip)
        if isinstance(prepared, ChangeResult):
            return prepared
        code_id, code, taken = prepared
        try:
            if kind == "email" and taken:
                await self.mailer.send_address_in_use(value, lang)
            elif kind == "email":
                await self.mailer.send_code(value, code, lang,
                                            valid_minutes=max(1, self.settings.email_code_ttl // 60))
            else:
                await self.sms.send(value, code_sms_text(code, lang))
        except Exception:  # noqa: BLE001 - any gateway failure: nothing sent, try again
            await asyncio.to_thread(self.codes.mark_failed, code_id)
            return ChangeResult(False, "service.mail" if kind == "email" else "service.sms", {})
        await asyncio.to_thread(self.codes.mark_sent, code_id)
        shown = value if kind == "email" else phone_national(value)
        return ChangeResult(True, f"settings.code_sent_{kind}", {kind: shown})

    def _prepare_send(self, user_id: int, kind: str, value: str, lang: str,
                      client_ip: str | None) -> ChangeResult | tuple[int, str, bool]:
        """The change context, the send caps and a not-yet-live code row: (code id, code,
        whether the address is another account's), or the refusal to show."""
        now = self.clock()
        with session_scope(self.engine) as session:
            user = session.get(User, user_id)
            if user is None:
                return ChangeResult(False, "error.generic", {})
            if value == (user.email if kind == "email" else user.phone):
                return ChangeResult(False, "settings.same_contact", {})
            taken = kind == "email" and session.exec(
                select(User.id).where(User.email == value, User.id != user_id)).first() is not None
            identity = self._identity(user)
            context = self._context(session, user_id, kind)
            if context is None or (context.email if kind == "email" else context.phone_e164) != value:
                context = Signup(secret_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                                 step=f"change_{kind}", language=lang, user_id=user_id,
                                 verified_personnummer=user.personnummer,
                                 expires_at=now + CONTEXT_TTL)
                if kind == "email":
                    context.email = value
                else:
                    context.phone_e164 = value
                session.add(context)
                session.flush()
            context_id = context.id
        channel = CHANNELS[kind]
        try:
            self.codes.check_can_send(signup_id=context_id, channel=channel, destination=value,  # type: ignore[arg-type]
                                      identity=identity, client_ip=client_ip)
        except SignupError as exc:
            return ChangeResult(False, exc.key, dict(exc.params or {}))
        code_id, code = self.codes.prepare(signup_id=context_id, channel=channel,  # type: ignore[arg-type]
                                           destination=value, identity=identity,
                                           client_ip=client_ip)
        return code_id, code, taken

    async def verify(self, user_id: int, kind: str, code: object, *, lang: str) -> ChangeResult:
        """A correct code changes the address (in the code's consuming transaction, in a worker
        thread), then the old address gets a notice."""
        lang = normalise_language(lang)
        if kind not in CHANNELS:
            return ChangeResult(False, "error.generic", {})
        checked = await asyncio.to_thread(self._verify, user_id, kind, code)
        if isinstance(checked, ChangeResult):
            return checked
        await self._notify_old(kind, checked, lang)
        return ChangeResult(True, f"settings.{kind}_changed", {})

    def _verify(self, user_id: int, kind: str, code: object) -> ChangeResult | str:
        """Check the code and change the address: the old address, or the refusal to show."""
        with Session(self.engine) as session:
            user = session.get(User, user_id)
            context = self._context(session, user_id, kind) if user else None
            if user is None or context is None:
                return ChangeResult(False, "code.expired", {})
            identity = self._identity(user)
            new = context.email if kind == "email" else context.phone_e164
            old = user.email if kind == "email" else user.phone
            context_id = context.id

        def on_success(session: Session) -> None:
            row = session.get(User, user_id)
            if kind == "email":
                row.email = new  # type: ignore[union-attr,assignment]
            else:
                row.phone = new  # type: ignore[union-attr,assignment]
            session.add(row)
            ctx = session.get(Signup, context_id)
            ctx.expires_at = self.clock()  # type: ignore[union-attr]
            session.add(ctx)
            audit(session, user_id, f"account.{kind}_changed")

        try:
            self.codes.verify(signup_id=context_id, channel=CHANNELS[kind], destination=new,  # type: ignore[arg-type]
                              identity=identity, code=code, on_success=on_success)
        except SignupError as exc:
            return ChangeResult(False, exc.key, dict(exc.params or {}))
        except IntegrityError:  # the address was taken by another account meanwhile
            return ChangeResult(False, "settings.email_taken", {})
        return old  # type: ignore[return-value]

    async def _notify_old(self, kind: str, old: str, lang: str) -> None:
        try:
            if kind == "email":
                body = t(lang, "notice.email_changed_body")
                await self.mailer.send(to=old, subject=t(lang, "notice.contact_changed_subject"),
                                       text=body, html="<p>" + body.replace("\n\n", "</p><p>")
                                       .replace("\n", "<br>") + "</p>")
            else:
                await self.sms.send(old, t(lang, "notice.phone_changed_sms"))
        except Exception:  # noqa: BLE001 - the change is done; the notice is best effort
            import logging

            logging.getLogger(__name__).warning("contact_change_notice_fail channel=%s", kind)

