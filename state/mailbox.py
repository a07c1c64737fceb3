"""The mailbox: one page of letter summaries and one opened letter.

The login session is the HttpOnly cookie `kivra_session` (`__Host-kivra_session` on https), read
from the websocket's own request headers by every handler (never a client-sent value); the user
id stays server-side.

"Logga ut" is the `logout` event: it ends the session on the server, empties this tab's states
(the letters must not come back on the next hydrate of the tab) and then POSTs a form to /api/logout,
which clears the HttpOnly cookie.

No session: a visitor without one goes to /login?next=/mailbox; a session that ran out (idle or
absolute lifetime) gets a calm "Du har blivit utloggad" with "Logga in" (status "expired").

Personal data (#12 finding 3: name, letters, the opened letter) is held in backend vars and
shown through computed vars that check THIS connection's session cookie first
(state/personal.py): another tab of a logged-out session, a reconnect with only the tab token,
or an expired session receive nothing personal on hydrate or reconnect.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from state import deps, personal
from state.lang import LangState, set_html_lang
from state.session import login_redirect, session_check

PAGE_SIZE = 25
MAX_LETTER_ID = 2**53  # anything larger (or not an int) is a crafted payload


def _row(summary: Any) -> dict[str, Any]:
    """Only what the list shows, as plain values (never a whole model)."""
    return {
        "id": int(summary.id),
        "sender": summary.sender,
        "subject": summary.subject,
        "date": deps.local_date(summary.received_at),
        "read": summary.read,
    }


def _platform(user_agent: str | None) -> str:
    from kivra_app.bankid.links import Platform, platform_of

    return {Platform.IOS: "ios", Platform.ANDROID: "android"}.get(platform_of(user_agent), "desktop")


class MailboxState(rx.State):
    status: str = ""  # "" loading | "in" | "out" | "expired"
    open_id: int = 0
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
    _viewer: str = ""  # SHA-256 of the session cookie that loaded them

    @rx.var
    def show_app_prompt(self) -> bool:
        return self.status == "in" and self.app_prompt_dismissed != "1"

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

    def _session_secret(self) -> str | None:
        return deps.cookie_value(self.router.headers.cookie, deps.SESSION_COOKIE)

    def _user_id(self) -> int | None:
        secret = self._session_secret()
        if not secret:
            return None
        from kivra_app.auth.sessions import user_for_session

        return user_for_session(deps.services().engine, secret)

    def _logged_out(self) -> None:
        self.status = "out"
        self._given_name = ""
        self._letters = []
        self._viewer = ""
        self._close()

    def _close(self) -> None:
        self.open_id = 0
        self._letter = {}
        self.letter_missing = False

    @rx.event
    async def load(self):
        lang_state = await self.get_state(LangState)
        secret = self._session_secret()
        check = await session_check(self)
        user_id = check.user_id
        if user_id is None:
            self._logged_out()
            if check.state == "expired":
                self.status = "expired"  # say so calmly, offer "Logga in"
                return set_html_lang(lang_state.lang)
            return [set_html_lang(lang_state.lang), login_redirect("/mailbox")]
        from kivra_app.mailbox.service import list_letters, user_display

        engine = deps.services().engine
        display = user_display(engine, user_id)
        self._viewer = personal.viewer_of(secret)
        self._given_name = str(getattr(display, "given_name", "") or "") if display else ""
        self._letters = [_row(s) for s in list_letters(engine, user_id, offset=0,
                                                       limit=PAGE_SIZE)]
        self._close()
        self.status = "in"
        self.platform = _platform(self.router.headers.user_agent)
        if self.platform == "desktop" and not self.qr_app_store:
            from kivra_app.app_links import APP_STORE_URL, GOOGLE_PLAY_URL
            from kivra_app.bankid.qr import render_qr_svg_data_uri

            self.qr_app_store = render_qr_svg_data_uri(APP_STORE_URL)
            self.qr_google_play = render_qr_svg_data_uri(GOOGLE_PLAY_URL)
        return set_html_lang(lang_state.lang)

    @rx.event
    async def open_letter(self, letter_id: int):
        if isinstance(letter_id, bool) or not isinstance(letter_id, int):
            return
        if not 0 < letter_id < MAX_LETTER_ID:
            return
        user_id = self._user_id()
        if user_id is None:
            self._logged_out()
            return
        from kivra_app.mailbox.service import get_letter

        letter = get_letter(deps.services().engine, user_id, letter_id)
        self._close()
        if letter is None:
            self.letter_missing = True
            return
        self.open_id = int(letter.id)  # type: ignore[arg-type]
        self._letter = {
            "sender": letter.sender,
            "subject": letter.subject,
            "date": deps.local_date(letter.received_at),
            "body": letter.body,
        }
        self._letters = [
            {**row, "read": True} if row["id"] == self.open_id else row for row in self._letters
        ]

    @rx.event
    def close_letter(self):
        self._close()

    @rx.event
    def dismiss_app_prompt(self):
        self.app_prompt_dismissed = "1"

    @rx.event
    async def logout(self):
        """'Logga ut': end the session (R-27), forget this tab's mailbox and signup data, then
        a POSTed form to /api/logout, which clears the cookie and shows the start page."""
        secret = self._session_secret()
        if secret:
            from kivra_app.auth.sessions import end_session

            end_session(deps.services().engine, secret)
            personal.forget(personal.viewer_of(secret))  # every tab of it: empty from now on
        dismissed = self.app_prompt_dismissed  # a device preference, not the user's data
        self.reset()
        self.app_prompt_dismissed = dismissed
        from state.signup import SignupState

        signup = await self.get_state(SignupState)
        signup.reset()
        return deps.post_page("/api/logout")
