"""Links that start the BankID app on the user's own device (autostart).

Desktop: `bankid:///?autostarttoken=<t>&redirect=null` (the page stays and keeps polling).
Phones and tablets: the universal/app link `https://app.bankid.com/?autostarttoken=<t>&redirect=<r>`,
where `redirect` depends on the browser (reference §7.1). When the order was started with a
`returnUrl` in the request body, BankID ignores `redirect`; it is still sent for older apps.
Open the link only on an explicit user action (a click), never on page load.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import quote

DESKTOP_LAUNCH = "bankid:///"
MOBILE_LAUNCH = "https://app.bankid.com/"


class Platform(Enum):
    DESKTOP = "desktop"
    IOS = "ios"
    ANDROID = "android"


def platform_of(user_agent: str | None) -> Platform:
    ua = user_agent or ""
    if "Android" in ua:
        return Platform.ANDROID
    if any(device in ua for device in ("iPhone", "iPad", "iPod")):
        return Platform.IOS
    # iPadOS Safari sends a macOS user agent; it is served the desktop link (BankID's sample
    # does the same, since the request alone cannot tell them apart).
    return Platform.DESKTOP


def is_mobile(user_agent: str | None) -> bool:
    return platform_of(user_agent) is not Platform.DESKTOP


def redirect_for(user_agent: str | None, return_url: str) -> str:
    """The `redirect` value for the user's browser: "null" or where the app should return."""
    ua = user_agent or ""
    platform = platform_of(ua)
    if platform is not Platform.IOS:
        # Android returns to the previous app by itself; the desktop page never leaves.
        return "null"
    if "CriOS/" in ua:
        return "googlechromes://" if return_url.startswith("https://") else "googlechrome://"
    if "FxiOS/" in ua:
        return "firefox://"
    if "OPT/" in ua:  # Opera Touch opens its own scheme in front of the URL
        return "touch-" + return_url
    if "EdgiOS/" in ua or "OPiOS/" in ua:
        return "null"
    return return_url


def launch_url(auto_start_token: str, user_agent: str | None, return_url: str) -> str:
    """The link to put behind the "Open BankID on this device" button."""
    token = quote(auto_start_token, safe="")
    if platform_of(user_agent) is Platform.DESKTOP:
        return f"{DESKTOP_LAUNCH}?autostarttoken={token}&redirect=null"
    redirect = redirect_for(user_agent, return_url)
    encoded = "null" if redirect == "null" else quote(redirect, safe="")
    return f"{MOBILE_LAUNCH}?autostarttoken={token}&redirect={encoded}"
