"""Autostart launch links per platform and browser (reference §7.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from kivra_app.bankid.links import is_mobile, launch_url

TOKEN = "46f7d7fa-4e4b-4f0c-9d1b-1e1f2a3b4c5d"
RETURN = "https://kivra.example.se/bankid/return?nonce=abc#initiated=true"

UA = {
    "windows_chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "mac_safari": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
    "android_chrome": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    "android_firefox": "Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0",
    "ios_safari": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "ipad_safari": "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "ios_chrome": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
    "ios_firefox": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15",
    "ios_edge": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/120.0 Mobile/15E148 Safari/605.1.15",
    "ios_opera": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 OPiOS/16.0 Mobile/15E148 Safari/9537.53",
    "ios_opera_touch": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 OPT/4.0.0 Mobile/15E148 Safari/605.1.15",
}


def _parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    base = f"{split.scheme}://{split.netloc}{split.path}"
    return base, {k: v[0] for k, v in parse_qs(split.query).items()}


@pytest.mark.parametrize("ua", ["windows_chrome", "mac_safari"])
def test_desktop_uses_the_bankid_scheme(ua: str) -> None:
    url = launch_url(TOKEN, UA[ua], RETURN)
    assert url == f"bankid:///?autostarttoken={TOKEN}&redirect=null"


def test_unknown_or_missing_user_agent_is_desktop() -> None:
    assert launch_url(TOKEN, None, RETURN).startswith("bankid:///?")
    assert launch_url(TOKEN, "", RETURN).startswith("bankid:///?")


@pytest.mark.parametrize(
    ("ua", "redirect"),
    [
        ("android_chrome", "null"),
        ("android_firefox", "null"),
        ("ios_safari", RETURN),
        ("ipad_safari", RETURN),
        ("ios_chrome", "googlechromes://"),
        ("ios_firefox", "firefox://"),
        ("ios_edge", "null"),
        ("ios_opera", "null"),
        ("ios_opera_touch", "touch-" + RETURN),
    ],
)
def test_phone_uses_the_universal_link_with_browser_redirect(ua: str, redirect: str) -> None:
    url = launch_url(TOKEN, UA[ua], RETURN)
    base, query = _parts(url)
    assert base == "https://app.bankid.com/"
    assert query == {"autostarttoken": TOKEN, "redirect": redirect}


def test_return_url_is_fully_encoded() -> None:
    url = launch_url(TOKEN, UA["ios_safari"], RETURN)
    assert "#" not in url and "?nonce" not in url  # fragment and query stay inside redirect


def test_ios_chrome_with_http_return_url() -> None:
    _, query = _parts(launch_url(TOKEN, UA["ios_chrome"], "http://localhost:3000/x"))
    assert query["redirect"] == "googlechrome://"


@pytest.mark.parametrize(
    ("ua", "mobile"),
    [
        ("windows_chrome", False),
        ("android_chrome", True),
        ("ios_safari", True),
        ("mac_safari", False),
    ],
)
def test_is_mobile(ua: str, mobile: bool) -> None:
    assert is_mobile(UA[ua]) is mobile
