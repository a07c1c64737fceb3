"""The story registry: slugs, no duplicates, every story renders alone in both languages, and
the states the issue asks for are all there."""

from __future__ import annotations

import pytest

from components import stories
from kivra_app.i18n import LANGUAGES, texts_for
from kivra_app.mailbox.formatting import STATUSES

ALL = stories.discover()
KEYS = {s.key for s in ALL}


def test_every_story_renders_alone_in_both_languages() -> None:
    for story in ALL:
        for lang in LANGUAGES:
            assert story.render(texts_for(lang)).render(), story.key


def test_the_required_states_have_stories() -> None:
    required = {
        "personnummer-field/empty", "personnummer-field/typed",
        "personnummer-field/error-invalid", "personnummer-field/error-required",
        "bankid-panel/qr", "bankid-panel/autostart-phone", "bankid-panel/failed-cancelled",
        "bankid-panel/hint-user-sign", "email-field/error-invalid", "code-field/expired",
        "code-field/resend-countdown", "code-field/sent-sms", "phone-field/error-invalid",
        "button/primary-default", "button/primary-busy", "button/primary-disabled",
        "language-switch/default", "theme-switch/default", "status-message/error",
        "app-prompt/ios", "app-prompt/android", "app-prompt/desktop", "done-card/created",
        # The mailbox (issues 9 and 10): every row state, filters, empty inbox and trash, the
        # reader, the invoice per status and the pay form, BankID, senders, settings.
        "inbox-item/read", "inbox-item/unread", "inbox-item/sensitive", "inbox-item/in-trash",
        "inbox-list/mixed", "inbox-list/empty", "inbox-list/trash", "inbox-list/trash-empty",
        "inbox-filters/all", "inbox-filters/unread", "inbox-filters/trash",
        "mailbox-header/unread", "new-mail-notice/shown",
        "letter-reader/pdf", "letter-reader/plain-text", "letter-reader/sensitive-locked",
        "letter-reader/invoice",
        "payment-form/default", "payment-form/error-not-bank-day", "invoice-panel/paying",
        "bankid-sign-panel/starting", "bankid-sign-panel/pay-qr", "bankid-sign-panel/pay-app",
        "bankid-sign-panel/failed", "senders-list/mixed", "senders-list/empty",
        "settings-notifications/default", "settings-contact/default",
        "settings-contact/phone-code", "settings-sessions/default", "settings-data/default",
        "settings-close/default",
    } | {f"progress/step-{n}" for n in range(1, 8)} \
      | {f"inbox-item/invoice-{s}" for s in STATUSES} | {f"invoice-panel/{s}" for s in STATUSES}
    assert required <= KEYS, sorted(required - KEYS)


def test_story_names_are_route_safe_and_unique() -> None:
    with pytest.raises(ValueError, match="slug"):
        stories.story("Bad Name", "x")
    with pytest.raises(ValueError, match="duplicate"):
        stories.story("button", "primary-default")(lambda t: None)
    assert len(KEYS) == len(ALL)


def test_args_are_what_the_story_function_receives() -> None:
    seen = {}

    def render(t, label):  # noqa: ANN001, ANN202
        seen["label"] = label
        return "x"

    story = stories.Story("unit", "args", render, __name__, args={"label": "Hej"})
    story.render(texts_for("sv"))
    assert seen == {"label": "Hej"}
