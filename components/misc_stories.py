"""Stories for the progress bar, the language and theme switches, the app-install prompt and
the 'Klart!' card. Sample values only."""

from __future__ import annotations

from components.app_prompt import app_prompt
from components.done_card import done_card
from components.layout import card, language_switch
from components.progress import progress
from components.stories import story
from components.theme_switch import theme_switch

TOTAL_STEPS = 7  # the signup's steps (state/signup.py); a sample value here


def _progress(t, step, total):
    label = t["progress.label"].format(n=step, total=total)
    return progress(step, total, label, t["progress.name"])


for _step in range(1, TOTAL_STEPS + 1):
    story("progress", f"step-{_step}", args={"step": _step, "total": TOTAL_STEPS})(_progress)


@story("language-switch", "default", interactive=True,
       notes="Named in the language it switches to, with lang= on the button.")
def _(t):
    return language_switch(t, None)


@story("theme-switch", "default", interactive=True,
       notes="Follows the system until pressed; the label names the other theme.")
def _(t):
    return theme_switch(t)


# A 1x1 transparent GIF stands in for the store QR codes (sample values only).
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _prompt(t, platform):
    return app_prompt(texts=t, platform=platform, on_dismiss=None,
                      qr_app_store=_PIXEL, qr_google_play=_PIXEL)


for _platform in ("ios", "android", "desktop"):
    story("app-prompt", _platform, interactive=True, args={"platform": _platform})(_prompt)


def _done(t, welcome_back, name):
    greeting = t["bankid.welcome_back_named"].format(name=name) if name else ""
    return card(done_card(texts=t, welcome_back=welcome_back, greeting=greeting))


story("done-card", "created", interactive=True, title="“Klart!”",
      args={"welcome_back": False, "name": ""})(_done)
story("done-card", "welcome-back", interactive=True, args={"welcome_back": True, "name": ""})(
    _done)
story("done-card", "welcome-back-named", interactive=True,
      args={"welcome_back": True, "name": "Anna"})(_done)
