"""Background loops stop for tabs that are gone."""

import sys
from types import SimpleNamespace

import pytest

from state import deps


def test_outside_a_running_app_every_tab_counts_as_connected() -> None:
    assert deps.client_connected("some-token") is True


@pytest.mark.parametrize("token", [None, "", 42, {"$ne": 1}])
def test_no_token_is_not_connected(token: object) -> None:
    assert deps.client_connected(token) is False


async def test_only_tokens_with_a_live_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    from reflex.config import get_config
    from reflex.utils.token_manager import LocalTokenManager

    tokens = LocalTokenManager()  # Reflex's own, as the event namespace holds it
    await tokens.link_token_to_sid("live", "sid-1")
    await tokens.link_token_to_sid("left", "sid-2")
    await tokens.disconnect_token("left", "sid-2")
    namespace = SimpleNamespace(_token_manager=tokens)
    app = SimpleNamespace(event_namespace=namespace, _lifespan_tasks_started=True)
    monkeypatch.setitem(sys.modules, get_config().module, SimpleNamespace(app=app))
    assert deps.client_connected("live") is True
    assert deps.client_connected("gone") is False
    assert deps.client_connected("left") is False
