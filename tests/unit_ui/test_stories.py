"""The story registry: slugs, no duplicates, every story renders alone in both languages, and
the states the issue asks for are all there."""

from __future__ import annotations

import pytest

from components import stories
from kivra_app.i18n import LANGUAGES, texts_for

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
        "letter-list/mixed", "letter-view/default",
    } | {f"progress/step-{n}" for n in range(1, 8)}
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
