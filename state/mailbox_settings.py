"""The senders page ("Avsändare", "Ta emot digitalt") and the settings page (notifications,
language, "Logga ut från alla enheter", "Hämta din data", "Avsluta konto"). Thin: every handler
reads the session from this connection's cookie and lets the domain check each id."""

from __future__ import annotations

from typing import Any

import reflex as rx

from state import deps
from state.lang import LangState, set_html_lang
from state.mailbox import MailboxState


class _Session:
    """Shared helpers (a plain mixin: the states stay direct rx.State subclasses)."""

    async def _user_id(self) -> int | None:
        from kivra_app.mailbox.step_up import session_user

        secret = deps.cookie_value(self.router.headers.cookie, deps.SESSION_COOKIE)  # type: ignore[attr-defined]
        found = await deps.off_loop(session_user, deps.services().engine, secret)
        return found[0] if found else None

    async def _lang(self) -> str:
        return (await self.get_state(LangState)).lang  # type: ignore[attr-defined]


class SendersState(_Session, rx.State):
    status: str = ""  # "" | in | out
    senders: list[dict[str, Any]] = []
    intro: str = ""
    notice: str = ""

    async def _show(self, user_id: int) -> None:
        from kivra_app.i18n import t
        from kivra_app.mailbox.sender_choices import display_rows, list_senders

        lang = await self._lang()
        choices = await deps.off_loop(list_senders, deps.services().engine, user_id)
        self.senders = display_rows(choices, lang)
        self.intro = t(lang, "senders.intro", days=deps.services().settings.sender_opt_out_grace_days)

    @rx.event
    async def load(self):
        lang = await self._lang()
        user_id = await self._user_id()
        if user_id is None:
            self.status, self.senders = "out", []
            return set_html_lang(lang)
        self.notice = ""
        await self._show(user_id)
        self.status = "in"
        mailbox = await self.get_state(MailboxState)
        mailbox.status = "in"
        from kivra_app.mailbox.inbox import unread_count

        mailbox.unread = await deps.off_loop(unread_count, deps.services().engine, user_id)
        return set_html_lang(lang)

    @rx.event
    async def toggle(self, sender_id: str):
        from kivra_app.i18n import t
        from kivra_app.mailbox.sender_choices import set_sender_enabled

        user_id = await self._user_id()
        if user_id is None:
            self.status, self.senders = "out", []
            return
        current = next((s for s in self.senders if s["id"] == sender_id), None)
        if current is None:
            return
        choice = await deps.off_loop(
            set_sender_enabled, deps.services().engine, user_id, sender_id,
            not current["enabled"], grace_days=deps.services().settings.sender_opt_out_grace_days)
        if choice is None:
            return
        lang = await self._lang()
        await self._show(user_id)
        if choice.enabled:
            self.notice = t(lang, "senders.saved_on", sender=choice.name)
        else:
            day = deps.local_date(choice.paper_from) if choice.paper_from else ""
            self.notice = t(lang, "senders.saved_off", sender=choice.name, date=day)


class SettingsState(_Session, rx.State):
    status: str = ""  # "" | in | out | closed
    email_new_mail: bool = True
    sms_invoices: bool = False
    language: str = "sv"
    email: str = ""
    phone: str = ""
    notice: str = ""
    form_key: int = 0
    # Changing the email address / mobile number: "" | new | code, per channel
    email_stage: str = ""
    phone_stage: str = ""
    email_error: str = ""
    phone_error: str = ""
    email_sent: str = ""
    phone_sent: str = ""

    def _change_service(self) -> Any:
        from kivra_app.mailbox.contact_change import ContactChange

        svc = deps.services()
        return ContactChange(engine=svc.engine, settings=svc.settings, mailer=svc.mailer,
                             sms=svc.sms)

    def _set_contact(self, kind: str, *, stage: str | None = None, error: str | None = None,
                     sent: str | None = None) -> None:
        if stage is not None:
            setattr(self, f"{kind}_stage", stage)
        if error is not None:
            setattr(self, f"{kind}_error", error)
        if sent is not None:
            setattr(self, f"{kind}_sent", sent)

    @rx.event
    def start_change(self, kind: str):
        if kind not in ("email", "phone"):
            return
        self._set_contact(kind, stage="new", error="", sent="")
        self.form_key += 1

    @rx.event
    def cancel_change(self, kind: str):
        if kind not in ("email", "phone"):
            return
        self._set_contact(kind, stage="", error="", sent="")

    async def _send(self, kind: str, form: dict) -> None:
        from kivra_app.i18n import t

        user_id = await self._user_id()
        if user_id is None:
            self.status = "out"
            return
        if getattr(self, f"{kind}_stage") not in ("new", "code") or not isinstance(form, dict):
            return
        lang = await self._lang()
        result = await self._change_service().send_code(
            user_id, kind, form.get("value"), client_ip=self.router.session.client_ip,
            lang=lang)
        text = t(lang, result.key, **result.params)
        if result.ok:
            self._set_contact(kind, stage="code", error="", sent=text)
        else:
            self._set_contact(kind, error=text)

    async def _verify(self, kind: str, form: dict) -> None:
        from kivra_app.i18n import t
        from kivra_app.mailbox.service import user_display

        user_id = await self._user_id()
        if user_id is None:
            self.status = "out"
            return
        if getattr(self, f"{kind}_stage") != "code" or not isinstance(form, dict):
            return
        lang = await self._lang()
        result = await self._change_service().verify(user_id, kind, form.get("code"), lang=lang)
        text = t(lang, result.key, **result.params)
        if not result.ok:
            self._set_contact(kind, error=text)
            return
        display = await deps.off_loop(user_display, deps.services().engine, user_id)
        if display is not None:
            self.email, self.phone = display.email, display.phone_national
        self._set_contact(kind, stage="", error="", sent="")
        self.notice = text

    @rx.event
    async def send_email_code(self, form: dict):
        await self._send("email", form)

    @rx.event
    async def send_phone_code(self, form: dict):
        await self._send("phone", form)

    @rx.event
    async def verify_email(self, form: dict):
        await self._verify("email", form)

    @rx.event
    async def verify_phone(self, form: dict):
        await self._verify("phone", form)

    @rx.event
    async def load(self):
        from kivra_app.mailbox.account import preferences
        from kivra_app.mailbox.service import user_display

        lang = await self._lang()
        user_id = await self._user_id()
        if user_id is None:
            if self.status != "closed":
                self.status = "out"
            return set_html_lang(lang)
        engine = deps.services().engine
        prefs, display = await deps.off_loop(
            lambda: (preferences(engine, user_id), user_display(engine, user_id)))
        if prefs is None or display is None:
            self.status = "out"
            return set_html_lang(lang)
        self.email_new_mail, self.sms_invoices, self.language = (
            prefs.email_new_mail, prefs.sms_invoice, prefs.language)
        self.email, self.phone = display.email, display.phone_national
        self.notice = ""
        self.form_key += 1
        self.status = "in"
        mailbox = await self.get_state(MailboxState)
        mailbox.status = "in"
        from kivra_app.mailbox.inbox import unread_count

        mailbox.unread = await deps.off_loop(unread_count, engine, user_id)
        from state.mailbox_sign import SignState

        return [set_html_lang(lang), SignState.resume]

    @rx.event
    async def save(self, form: dict):
        from kivra_app.i18n import t
        from kivra_app.mailbox.account import save_preferences

        user_id = await self._user_id()
        if user_id is None:
            self.status = "out"
            return None
        if not isinstance(form, dict):
            return None
        saved = await deps.off_loop(
            save_preferences, deps.services().engine, user_id,
            email_new_mail=form.get("email_new_mail") in ("on", True),
            sms_invoice=form.get("sms_invoices") in ("on", True),
            language=form.get("language"))
        if saved is None:
            return None
        self.email_new_mail, self.sms_invoices, self.language = (
            saved.email_new_mail, saved.sms_invoice, saved.language)
        lang_state = await self.get_state(LangState)
        lang_state.lang = saved.language
        self.notice = t(saved.language, "settings.saved")
        return set_html_lang(saved.language)

    @rx.event
    async def logout_everywhere(self):
        from kivra_app.mailbox.account import logout_everywhere

        user_id = await self._user_id()
        if user_id is not None:
            await deps.off_loop(logout_everywhere, deps.services().engine, user_id)
        mailbox = await self.get_state(MailboxState)
        mailbox.reset()
        self.reset()
        return deps.post_page("/api/logout")
