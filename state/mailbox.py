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
(the letters must not come back on the next hydrate of the tab) and then POSTs a form to /api/logout,
which clears the HttpOnly cookie.

No session: a visitor without one goes to /login?next=/mailbox; a session that ran out (idle or
absolute lifetime) gets a calm "Du har blivit utloggad" with "Logga in" (status "expired").

Personal data (#12 finding 3: name, rows, the opened letter, the invoice) is held in backend vars
and shown through computed vars that check THIS connection's session cookie first
(state/personal.py): another tab of a logged-out session, a reconnect with only the tab token,
or an expired session receive nothing personal on hydrate or reconnect.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any

import reflex as rx

from state import deps, personal
from state.lang import LangState, set_html_lang
from state.session import login_redirect, session_check

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
    from kivra_app.mailbox.formatting import unread_label

    base = page_titles(lang).get("/mailbox", "Kivra")
    title = f"({unread_label(unread)}) {base}" if unread > 0 else base
    return rx.call_script(f"document.documentElement.lang={json.dumps(lang)};"
                          f"document.title={json.dumps(title)};")


class MailboxState(rx.State):
    status: str = ""  # "" loading | "in" | "out" | "expired"
    filter: str = "all"
    unread: int = 0
    page_number: int = 1
    page_size: int = 0  # rows on the page (the range text), not personal
    has_next: bool = False
    new_mail: bool = False
    notice: str = ""  # a polite confirmation ("Brevet ligger nu i papperskorgen.")
    open_id: int = 0
    letter_locked: bool = False
    letter_trashed: bool = False
    letter_missing: bool = False

    platform: str = "desktop"  # ios | android | desktop: which store the app prompt offers
    qr_app_store: str = ""
    qr_google_play: str = ""
    # Client storage: only remembers that this browser dismissed the app prompt.
    app_prompt_dismissed: str = rx.LocalStorage("", name="kivra_app_prompt")

    # Personal values (shown through the computed vars below) and whose they are
    _given_name: str = ""
    _letters: list[dict[str, Any]] = []
    _letter: dict[str, str] = {}
    _invoice: dict[str, Any] = {}
    _viewer: str = ""  # SHA-256 of the session cookie that loaded them

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
        return f"{first}–{first + self.page_size - 1}" if self.page_size else ""

    def _may_see(self) -> bool:
        """This connection holds the live session that loaded the personal values."""
        secret = self._session_secret()
        if not self._viewer or not personal.same_viewer(secret, self._viewer):
            return False
        return personal.session_live(deps.services().engine, secret, self._viewer)  # type: ignore[arg-type]

    @rx.var(cache=False)
    def given_name(self) -> str:
        return self._given_name if self._given_name and self._may_see() else ""

    @rx.var(cache=False)
    def letters(self) -> list[dict[str, Any]]:
        return list(self._letters) if self._letters and self._may_see() else []

    def _shown(self, key: str) -> str:
        return self._letter.get(key, "") if self._letter and self._may_see() else ""

    @rx.var(cache=False)
    def letter_sender(self) -> str:
        return self._shown("sender")

    @rx.var(cache=False)
    def letter_subject(self) -> str:
        return self._shown("subject")

    @rx.var(cache=False)
    def letter_date(self) -> str:
        return self._shown("date")

    @rx.var(cache=False)
    def letter_body(self) -> str:
        return self._shown("body")

    @rx.var(cache=False)
    def pdf_src(self) -> str:
        return self._shown("pdf_src")

    @rx.var(cache=False)
    def download_href(self) -> str:
        return self._shown("download_href")

    @rx.var(cache=False)
    def invoice(self) -> dict[str, Any]:
        return dict(self._invoice) if self._invoice and self._may_see() else {}

    # -- session ------------------------------------------------------------------------------
    def _session_secret(self) -> str | None:
        return deps.cookie_value(self.router.headers.cookie, deps.SESSION_COOKIE)

    async def _session(self) -> tuple[int, datetime | None] | None:
        """(user id, last fresh BankID) of this connection's live session, else None."""
        from kivra_app.mailbox.step_up import session_user

        return await deps.off_loop(session_user, deps.services().engine, self._session_secret())

    async def _user_id(self) -> int | None:
        found = await self._session()
        return found[0] if found else None

    async def _lang(self) -> str:
        return (await self.get_state(LangState)).lang

    def _logged_out(self) -> None:
        self.status = "out"
        self._given_name = ""
        self._letters = []
        self._viewer = ""
        self.page_size = 0
        self.unread = 0
        self._cursors = []
        self._next = None
        self._close()

    def _close(self) -> None:
        self.open_id = 0
        self._letter = {}
        self._invoice = {}
        self.letter_locked = self.letter_trashed = False
        self.letter_missing = False

    # -- the page of rows ---------------------------------------------------------------------
    async def _load_page(self, user_id: int, lang: str, cursor: tuple[str, int] | None) -> None:
        engine = deps.services().engine
        page, self.unread, self._latest = await deps.off_loop(
            _read_page, engine, user_id, self.filter, cursor, lang, today())
        self._letters = [row.as_dict() for row in page.rows]
        self.page_size = len(self._letters)
        nxt = page.next_cursor
        self._next = (nxt.received_at.isoformat(), nxt.id) if nxt else None
        self.has_next = nxt is not None

    async def _refresh(self, user_id: int) -> Any:
        lang = await self._lang()
        cursor = self._cursors[-1] if self._cursors else None
        await self._load_page(user_id, lang, cursor)
        return title_script(lang, self.unread)

    @rx.event
    async def load(self):
        lang = await self._lang()
        secret = self._session_secret()
        check = await session_check(self)
        user_id = check.user_id
        if user_id is None:
            self._logged_out()
            if check.state == "expired":
                self.status = "expired"  # say so calmly, offer "Logga in"
                return set_html_lang(lang)
            return [set_html_lang(lang), login_redirect("/mailbox")]
        from kivra_app.mailbox.service import user_display

        display = await deps.off_loop(user_display, deps.services().engine, user_id)
        self._viewer = personal.viewer_of(secret)
        self._given_name = display.given_name if display else ""
        self._cursors = [None]
        self.page_number = 1
        self.new_mail = False
        self.notice = ""
        self._close()
        await self._load_page(user_id, lang, None)
        self.status = "in"
        self.platform = _platform(self.router.headers.user_agent)
        if self.platform == "desktop" and not self.qr_app_store:
            from kivra_app.app_links import APP_STORE_URL, GOOGLE_PLAY_URL
            from kivra_app.bankid.qr import render_qr_svg_data_uri

            self.qr_app_store = render_qr_svg_data_uri(APP_STORE_URL)
            self.qr_google_play = render_qr_svg_data_uri(GOOGLE_PLAY_URL)
        from state.mailbox_sign import SignState

        return [title_script(lang, self.unread), MailboxState.watch, SignState.resume]

    @rx.event
    async def relabel(self):
        """After a language switch: the rows' texts (amounts, statuses) in the new language."""
        user_id = await self._user_id()
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
        user_id = await self._user_id()
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
        user_id = await self._user_id()
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
        user_id = await self._user_id()
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
            user_id, latest = await deps.off_loop(_probe, engine, secret)
            async with self:
                if self._watch_gen != gen or self.status != "in":
                    return
                if user_id is None:
                    self._logged_out()
                    return
                if latest == self._latest:
                    continue
                self._latest = latest
                on_first_page = len(self._cursors) <= 1 and self.filter == "all"
                self.new_mail = not on_first_page or self.open_id != 0
                lang = (await self.get_state(LangState)).lang
                if on_first_page:
                    await self._load_page(user_id, lang, None)
                    self.notice = ""
                    from kivra_app.i18n import t

                    self.notice = t(lang, "mbx.new_arrived")
                else:
                    from kivra_app.mailbox.inbox import unread_count

                    self.unread = await deps.off_loop(unread_count, engine, user_id)
                title = title_script(lang, self.unread)
            yield title

    # -- one letter ---------------------------------------------------------------------------
    async def _show_letter(self, user_id: int, letter_id: int) -> bool:
        from kivra_app.mailbox.inbox import invoice_display, open_letter

        found = await self._session()
        stepped_up_at = found[1] if found else None
        lang = await self._lang()
        engine = deps.services().engine
        detail = await deps.off_loop(open_letter, engine, user_id, letter_id, lang=lang,
                                     stepped_up_at=stepped_up_at)
        self._close()
        if detail is None:
            self.letter_missing = True
            return False
        self.open_id = detail.id
        self.letter_locked = detail.locked
        self.letter_trashed = detail.trashed
        shown = {"sender": detail.sender, "subject": detail.subject, "date": detail.date,
                 "body": detail.body, "pdf_src": "", "download_href": ""}
        pdf = next((p for p in detail.parts if p.content_type == "application/pdf"), None)
        if pdf is not None:
            shown["pdf_src"] = f"/api/me/documents/{pdf.public_id}"
            shown["download_href"] = f"/api/me/documents/{pdf.public_id}?download=1"
        text_part = next((p for p in detail.parts if p.content_type == "text/plain"), None)
        if text_part is not None and not shown["download_href"]:
            shown["download_href"] = f"/api/me/documents/{text_part.public_id}?download=1"
        self._letter = shown
        if detail.kind == "invoice" and not detail.locked:
            self._invoice = await deps.off_loop(invoice_display, engine, user_id, detail.id,
                                                lang=lang, today=today()) or {}
        return True

    @rx.event
    async def open_letter(self, letter_id: int):
        from kivra_app.mailbox.inbox import valid_id

        lid = valid_id(letter_id)
        if lid is None:
            return None
        user_id = await self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        self.notice = ""
        if not await self._show_letter(user_id, lid):
            return None
        if not self.letter_locked:
            self._letters = [{**row, "read": True} if row["id"] == lid else row
                             for row in self._letters]
        from kivra_app.mailbox.inbox import unread_count

        self.unread = await deps.off_loop(unread_count, deps.services().engine, user_id)
        return [title_script(await self._lang(), self.unread),
                rx.call_script("window.scrollTo(0,0);document.getElementById('letter-subject')"
                               "?.focus?.()")]

    @rx.event
    async def reload_letter(self):
        """After a payment (or any change made elsewhere): the open letter and the page again."""
        user_id = await self._user_id()
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

        user_id = await self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not self.open_id:
            return None
        engine = deps.services().engine
        change = {"unread": inbox.mark_unread, "trash": inbox.move_to_trash,
                  "restore": inbox.restore}[action]
        done = await deps.off_loop(change, engine, user_id, self.open_id)
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

        user_id = await self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not await deps.off_loop(inbox.restore, deps.services().engine, user_id, letter_id):
            return None
        self.notice = t(await self._lang(), "mbx.restored")
        return await self._refresh(user_id)

    # -- invoices (no payment: that is MailboxPayState) ---------------------------------------
    @rx.event
    async def set_handled(self, handled: bool):
        from kivra_app.mailbox.invoices import set_handled

        user_id = await self._user_id()
        if user_id is None:
            self._logged_out()
            return None
        if not self.open_id or not isinstance(handled, bool):
            return None
        if await deps.off_loop(set_handled, deps.services().engine, user_id, self.open_id,
                               handled):
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

            await deps.off_loop(end_session, deps.services().engine, secret)
            personal.forget(personal.viewer_of(secret))  # every tab of it: empty from now on
        dismissed = self.app_prompt_dismissed  # a device preference, not the user's data
        self.reset()
        self.app_prompt_dismissed = dismissed
        from state.signup import SignupState

        signup = await self.get_state(SignupState)
        signup.reset()
        return deps.post_page("/api/logout")


def _read_page(engine: Any, user_id: int, filter: str, cursor: tuple[str, int] | None, lang: str,
               day: date) -> tuple[Any, int, int]:
    """One page of rows, the unread count and the newest letter's id (blocking: the caller
    runs it in a worker thread)."""
    from kivra_app.mailbox.inbox import Cursor, inbox_page, latest_letter_id, unread_count

    after = Cursor(datetime.fromisoformat(cursor[0]), cursor[1]) if cursor else None
    page = inbox_page(engine, user_id, filter=filter, after=after, limit=PAGE_SIZE, lang=lang,
                      today=day)
    return page, unread_count(engine, user_id), latest_letter_id(engine, user_id)


def _probe(engine: Any, secret: str | None) -> tuple[int | None, int]:
    """(the session's user, the newest letter's id) for the background probe, without touching
    the session's idle timer; (None, 0) once the session has ended or run out. Blocking: the
    caller runs it in a worker thread."""
    from sqlmodel import Session, select

    from kivra_app.auth.sessions import token_hash
    from kivra_app.mailbox.inbox import latest_letter_id
    from kivra_app.mailbox.step_up import session_alive
    from kivra_app.models import WebSession

    if not secret or not session_alive(engine, secret):
        return None, 0
    with Session(engine) as session:
        user_id = session.exec(select(WebSession.user_id).where(
            WebSession.token_hash == token_hash(secret), WebSession.ended_at.is_(None))  # type: ignore[union-attr]
        ).first()
    return (user_id, latest_letter_id(engine, user_id)) if user_id is not None else (None, 0)
