"""The gallery viewer is one dynamic page: the story comes from its path and what it shows from
the catalogue built from the story registry (issue #10)."""

from __future__ import annotations

from components.stories import Story
from pages.gallery import catalogue_entries
from state.gallery import CATALOGUE, _story_of, set_catalogue


def test_the_story_of_a_viewer_path() -> None:
    assert _story_of("/gallery/code-field/expired") == "code-field/expired"
    assert _story_of("/gallery/code-field/expired/") == "code-field/expired"
    assert _story_of("/gallery/raw/sv/code-field/expired") == ""  # a bare page, not a viewer
    assert _story_of("/gallery") == ""
    assert _story_of("/mailbox/a/b") == ""


def test_the_catalogue_holds_what_the_viewer_shows() -> None:
    story = Story("button", "busy", lambda t, label: None, "components.forms_stories",
                  notes="Väntar.", args={"label": "Skickar …", "n": 2})
    set_catalogue(catalogue_entries([story]))
    assert CATALOGUE == {"button/busy": {
        "label": "button · busy", "notes": "Väntar.",
        "args": [["label", '"Skickar …"'], ["n", "2"]],
        "source": "components/forms_stories.py"}}
    set_catalogue(catalogue_entries([]))
    assert CATALOGUE == {}
