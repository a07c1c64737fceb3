"""The mailbox: one keyset page of rows (never the whole mailbox), the unread count (header and
<title>), filters, one opened letter with its invoice panel, trash, and live arrival.

The login session is the HttpOnly cookie `kivra_session` (`__Host-kivra_session` on https), read
from the websocket's own request headers by every handler (never a client-sent value); the user
id stays server-side and every id a handler is given is checked against it in the domain.

Live arrival: while the inbox is open, one background task per tab asks the domain for the id
of the newest letter every POLL_SECONDS (one indexed row; bench/bench_inbox.py) and, when it
changed, refreshes the count and the first page. The probe does not refresh the session's idle
timer, so an unattended tab still times out (R-26).

"Logga ut" is the `logout` event: it ends the session on the server, empties this tab's states
and then loads /api/logout, which clears the HttpOnly cookie.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any

import reflex as rx

from state import deps
from state.lang import LangState, set_html_lang

PAGE_SIZE = 25
POLL_SECONDS = 3.0
FILTERS = ("all", "unread", "invoices", "unpaid", "trash")


def _platform(user_agent: str | None) -> str:
    from kivra_app.bankid.links import Platform, platform_of

    return {Platform.IOS: "ios", Platform.ANDROID: "android"}.get(platform_of(user_agent), "desktop")


def today() -> date:
    return deps.utcnow().astimezone(deps.STOCKHOLM).date()


def title_script(lang: str, unread: int) -> rx.event.EventSpec:
    """<html lang>, and the <title> with the unread count first ("(3) Din Kivra")."""
    from kivra_app.i18n import page_titles

    base = page_titles(lang).get("/mailbox", "Kivra")
    title = f"({unread}) {base}" if unread > 0 else base
    return rx.call_script(f"document.documentElement.lang={json.dumps(lang)};"
                          f"document.title={json.dumps(title)};")


class MailboxState(rx.State):
    status: str = ""  # "" loading | "in" | "out"
    given_name: str = ""
    filter: str = "all"
    letters: list[dict[str, Any]] = []
    unread: int = 0
    page_number: int = 1
    has_next: bool = False
    new_mail: bool = False
    notice: str = ""  # a polite confirmation ("Brevet ligger nu i papperskorgen.")

    open_id: int = 0
    letter_sender: str = ""
    letter_subject: str = ""
    letter_date: str = ""
    letter_body: str = ""
    letter_locked: bool = False
    letter_trashed: bool = False
    pdf_src: str = ""
    download_href: str = ""
    invoice: dict[str, Any] = {}
    letter_missing: bool = False

    platform: str = "desktop"  # ios | android | desktop: which store the app prompt offers
    qr_app_store: str = ""
    qr_google_play: str = ""
    # Client storage: only remembers that this browser dismissed the app prompt.
    app_prompt_dismissed: str = rx.LocalStorage("", name="kivra_app_prompt")

    # backend only
    _cursors: list[tuple[str, int] | None] = []  # the start of each page shown so far
    _next: tuple[str, int] | None = None
    _latest: int = 0
    _watch_gen: int = 0

    @rx.var
    def show_app_prompt(self) -> bool:
        return self.status == "in" and self.app_prompt_dismissed != "1"

    @rx.var
    def page_range(self) -> str:
        """ "1–25" for the page on screen (the catalogue wraps it)."""
        first = (self.page_number - 1) * PAGE_SIZE + 1
        return f"{first}–{first + len(self.letters) - 1}" if self.letters else ""

    # -- session ------------------------------------------------------------------------------
    def _session_secret(self) -> str | None:
        return deps.cookie_value(self.router.headers.cookie, deps.SESSION_COOKIE)

    def _session(self) -> tuple[int, datetime | None] | None:
        """(user id, last fresh BankID) of this connection's live session, else None."""
        from kivra_app.mailbox.step_up import session_user

        return session_user(deps.services().engine, self._session_secret())

    def _user_id(self) -> int | None:
        found = self._session()
        return found[0] if found else None

    async def _lang(self) -> str:
        return (await self.get_state(LangState)).lang

    def _logged_out(self) -> None:
        self.status = "out"
        self.given_name = ""
        self.letters = []
        self.unread = 0
        self._cursors = []
        self._next = None
        self._close()

    def _close(self) -> None:
        self.open_id = 0
        self.letter_sender = self.letter_subject = self.letter_date = self.letter_body = ""
        self.letter_locked = self.letter_trashed = False
        self.pdf_src = self.download_href = ""
        self.invoice = {}
        self.letter_missing = False

    # -- the page of rows ---------------------------------------------------------------------
    def _load_page(self, user_id: int, lang: str, cursor: tuple[str, int] | None) -> None:
        from kivra_app.mailbox.inbox import Cursor, inbox_page, latest_letter_id, unread_count

        engine = deps.services().engine
        after = Cursor(datetime.fromisoformat(cursor[0]), cursor[1]) if cursor else None
        page = inbox_page(engine, user_id, filter=self.filter, after=after, limit=PAGE_SIZE,
                          lang=lang, today=today())
        self.letters = [row.as_dict() for row in page.rows]
        nxt = page.next_cursor
        self._next = (nxt.received_at.isoformat(), nxt.id) if nxt else None
        self.has_next = nxt is not None
        self.unread = unread_count(engine, user_id)
        self._latest = latest_letter_id(engine, user_id)

    async def _refresh(self, user_id: int) -> Any:
        lang = await self._lang()
        cursor = self._cursors[-1] if self._cursors else None
        self._load_page(user_id, lang, cursor)
        return title_script(lang, self.unread)

    @rx.event
    async def load(self):
        lang = await self._lang()
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return set_html_lang(lang)
        from kivra_app.mailbox.service import user_display

        display = user_display(deps.services().engine, user_id)
        self.given_name = display.given_name if display else ""
        self._cursors = [None]
        self.page_number = 1
        self.new_mail = False
        self.notice = ""
        self._close()
        self._load_page(user_id, lang, None)
        self.status = "in"
        self.platform = _platform(self.router.headers.user_agent)
        if self.platform == "desktop" and not self.qr_app_store:
            from components.app_prompt import APP_STORE_URL, GOOGLE_PLAY_URL
            from kivra_app.bankid.qr import render_qr_svg_data_uri

            self.qr_app_store = render_qr_svg_data_uri(APP_STORE_URL)
            self.qr_google_play = render_qr_svg_data_uri(GOOGLE_PLAY_URL)
        from state.mailbox_sign import SignState

        return [title_script(lang, self.unread), MailboxState.watch, SignState.resume]

    @rx.event
    async def relabel(self):
        """After a language switch: the rows' texts (amounts, statuses) in the new language."""
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        events = [await self._refresh(user_id)]
        if self.open_id:
            await self._show_letter(user_id, self.open_id)
        return events

    @rx.event
    async def set_filter(self, name: str):
        if not isinstance(name, str) or name not in FILTERS:
            return None
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        self.filter = name
        self._cursors = [None]
        self.page_number = 1
        self._close()
        return await self._refresh(user_id)

    @rx.event
    async def next_page(self):
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if self._next is None:
            return None
        self._cursors = [*self._cursors, self._next]
        self.page_number = len(self._cursors)
        return await self._refresh(user_id)

    @rx.event
    async def first_page(self):
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        self._cursors = [None]
        self.page_number = 1
        self.new_mail = False
        self._close()
        return await self._refresh(user_id)

    # -- live arrival -------------------------------------------------------------------------
    @rx.event(background=True)
    async def watch(self):
        """One per tab (a newer one ends the older): the cheap probe every POLL_SECONDS."""
        from kivra_app.mailbox.inbox import latest_letter_id
        from kivra_app.mailbox.step_up import session_alive

        async with self:
            self._watch_gen += 1
            gen = self._watch_gen
            token = self.router.session.client_token
            secret = self._session_secret()
        engine = deps.services().engine
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not deps.client_connected(token):
                return
            alive = await asyncio.to_thread(session_alive, engine, secret)
            async with self:
                if self._watch_gen != gen or self.status != "in":
                    return
                if not alive:
                    self._logged_out()
                    return
                user_id = self._user_id_quiet(secret)
            if user_id is None:
                return
            latest = await asyncio.to_thread(latest_letter_id, engine, user_id)
            async with self:
                if self._watch_gen != gen:
                    return
                if latest == self._latest:
                    continue
                self._latest = latest
                on_first_page = len(self._cursors) <= 1 and self.filter == "all"
                self.new_mail = not on_first_page or self.open_id != 0
                lang = (await self.get_state(LangState)).lang
                if on_first_page:
                    self._load_page(user_id, lang, None)
                    self.notice = ""
                    from kivra_app.i18n import t

                    self.notice = t(lang, "mbx.new_arrived")
                else:
                    from kivra_app.mailbox.inbox import unread_count

                    self.unread = unread_count(engine, user_id)
                title = title_script(lang, self.unread)
            yield title

    def _user_id_quiet(self, secret: str | None) -> int | None:
        """The session's user without touching its idle timer (for the background probe)."""
        if not secret:
            return None
        from sqlmodel import Session, select

        from kivra_app.auth.sessions import token_hash
        from kivra_app.models import WebSession

        with Session(deps.services().engine) as session:
            return session.exec(select(WebSession.user_id).where(
                WebSession.token_hash == token_hash(secret), WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            ).first()

    # -- one letter ---------------------------------------------------------------------------
    async def _show_letter(self, user_id: int, letter_id: int) -> bool:
        from kivra_app.mailbox.inbox import invoice_display, open_letter

        found = self._session()
        stepped_up_at = found[1] if found else None
        lang = await self._lang()
        engine = deps.services().engine
        detail = open_letter(engine, user_id, letter_id, lang=lang, stepped_up_at=stepped_up_at)
        self._close()
        if detail is None:
            self.letter_missing = True
            return False
        self.open_id = detail.id
        self.letter_sender = detail.sender
        self.letter_subject = detail.subject
        self.letter_date = detail.date
        self.letter_locked = detail.locked
        self.letter_trashed = detail.trashed
        self.letter_body = detail.body
        pdf = next((p for p in detail.parts if p.content_type == "application/pdf"), None)
        if pdf is not None:
            self.pdf_src = f"/api/me/documents/{pdf.public_id}"
            self.download_href = f"/api/me/documents/{pdf.public_id}?download=1"
        text_part = next((p for p in detail.parts if p.content_type == "text/plain"), None)
        if text_part is not None and not self.letter_body:
            self.download_href = self.download_href or f"/api/me/documents/{text_part.public_id}?download=1"
        if detail.kind == "invoice" and not detail.locked:
            self.invoice = invoice_display(engine, user_id, detail.id, lang=lang,
                                           today=today()) or {}
        return True

    @rx.event
    async def open_letter(self, letter_id: int):
        from kivra_app.mailbox.inbox import valid_id

        lid = valid_id(letter_id)
        if lid is None:
            return None
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        self.notice = ""
        if not await self._show_letter(user_id, lid):
            return None
        if not self.letter_locked:
            self.letters = [{**row, "read": True} if row["id"] == lid else row
                            for row in self.letters]
        from kivra_app.mailbox.inbox import unread_count

        self.unread = unread_count(deps.services().engine, user_id)
        return [title_script(await self._lang(), self.unread),
                rx.call_script("window.scrollTo(0,0);document.getElementById('letter-subject')"
                               "?.focus?.()")]

    @rx.event
    async def reload_letter(self):
        """After a payment (or any change made elsewhere): the open letter and the page again."""
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if self.open_id:
            await self._show_letter(user_id, self.open_id)
        return await self._refresh(user_id)

    @rx.event
    async def close_letter(self):
        self._close()
        return rx.call_script("document.getElementById('inbox-heading')?.focus?.()")

    async def _letter_action(self, action: str):
        from kivra_app.i18n import t
        from kivra_app.mailbox import inbox

        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not self.open_id:
            return None
        engine = deps.services().engine
        done = {"unread": inbox.mark_unread, "trash": inbox.move_to_trash,
                "restore": inbox.restore}[action](engine, user_id, self.open_id)
        if not done:
            return None
        self._close()
        lang = await self._lang()
        self.notice = t(lang, {"unread": "mbx.marked_unread", "trash": "mbx.moved_to_trash",
                               "restore": "mbx.restored"}[action])
        return await self._refresh(user_id)

    @rx.event
    async def mark_unread(self):
        return await self._letter_action("unread")

    @rx.event
    async def trash(self):
        return await self._letter_action("trash")

    @rx.event
    async def restore(self):
        return await self._letter_action("restore")

    @rx.event
    async def restore_row(self, letter_id: int):
        """"Återställ" on a row of the trash."""
        from kivra_app.i18n import t
        from kivra_app.mailbox import inbox

        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not inbox.restore(deps.services().engine, user_id, letter_id):
            return None
        self.notice = t(await self._lang(), "mbx.restored")
        return await self._refresh(user_id)

    # -- invoices (no payment: that is MailboxPayState) ---------------------------------------
    @rx.event
    async def set_handled(self, handled: bool):
        from kivra_app.mailbox.invoices import set_handled

        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not self.open_id or not isinstance(handled, bool):
            return None
        if set_handled(deps.services().engine, user_id, self.open_id, handled):
            await self._show_letter(user_id, self.open_id)
            return await self._refresh(user_id)
        return None

    @rx.event
    def dismiss_app_prompt(self):
        self.app_prompt_dismissed = "1"

    @rx.event
    async def logout(self):
        """'Logga ut': end the session (R-27), forget this tab's mailbox and signup data, then
        a full page load of /api/logout, which clears the cookie and shows the start page."""
        secret = self._session_secret()
        if secret:
            from kivra_app.auth.sessions import end_session

            end_session(deps.services().engine, secret)
        dismissed = self.app_prompt_dismissed  # a device preference, not the user's data
        self.reset()
        self.app_prompt_dismissed = dismissed
        from state.signup import SignupState

        signup = await self.get_state(SignupState)
        signup.reset()
        return deps.full_page("/api/logout")
