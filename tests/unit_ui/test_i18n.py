"""The one catalogue: identical keys in sv and en, a text for every domain error key."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kivra_app.i18n import CATALOGUE, ERROR_KEYS, LANGUAGES, normalise_language, t, texts_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "signup-service.md"


def _doc_error_keys() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("Error keys", 1)[1].split("Same-screen rule", 1)[0]
    return set(re.findall(r"`([a-z_]+\.[a-z_]+)`", section))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(CATALOGUE) == set(LANGUAGES) == {"sv", "en"}
    assert CATALOGUE["sv"].keys() == CATALOGUE["en"].keys()


def test_every_error_key_of_the_contract_has_a_text_in_both_languages() -> None:
    doc_keys = _doc_error_keys()
    assert len(doc_keys) >= 26, doc_keys  # the parser found the list
    assert doc_keys == set(ERROR_KEYS)
    for lang in LANGUAGES:
        for key in doc_keys:
            assert CATALOGUE[lang].get(key, "").strip(), (lang, key)


@pytest.mark.parametrize("key", sorted(CATALOGUE["sv"]))
def test_texts_are_non_empty_with_the_same_placeholders(key: str) -> None:
    sv, en = CATALOGUE["sv"][key], CATALOGUE["en"][key]
    assert sv.strip() and en.strip()
    assert _placeholders(sv) == _placeholders(en), key


def test_swedish_words_from_kivras_guide() -> None:
    sv = CATALOGUE["sv"]
    assert sv["pnr.submit"] == "Fortsätt med BankID"
    assert sv["common.continue"] == "Fortsätt"
    assert sv["done.heading"] == "Klart!"
    assert sv["done.ok"] == "Ok"
    assert sv["nav.help"] == "Behöver du hjälp?"
    assert sv["bankid.this_device"] == "Öppna BankID på den här datorn"
    assert sv["bankid.other_device"] == "Använd BankID på en annan enhet"
    assert sv["bankid.cancel"] == "Avbryt"
    assert sv["code.resend"] == "Skicka ny kod"
    assert "skräppost" in sv["email_code.spam"]
    assert sv["progress.label"].format(n=2, total=7) == "Steg 2 av 7"


def test_t_fills_params_and_falls_back_safely() -> None:
    assert t("sv", "code.wrong", attempts_left=3) == (
        "Koden stämmer inte. Du kan försöka 3 gånger till."
    )
    assert t("en", "code.resend_wait", seconds=42).startswith("Wait 42 seconds")
    # A crafted or unknown language falls back to Swedish; an unknown key to the generic text.
    assert t({"$ne": 1}, "done.ok") == "Ok"
    assert t("xx", "nav.help") == "Behöver du hjälp?"
    assert t("en", "no.such.key") == CATALOGUE["en"]["error.generic"]
    # A missing parameter leaves the placeholder instead of raising.
    assert "{attempts_left}" in t("sv", "code.wrong")
    assert normalise_language("en") == "en" and normalise_language(None) == "sv"
    assert texts_for("en")["start.cta"] == "Create account"
