"""A small Reflex websocket client for the benchmarks: the Engine.IO 4 / Socket.IO 5 text frames
Reflex 0.10.1 speaks on `/_event`, over one aiohttp websocket (light enough for 1,000 at once).

Each received frame is kept with its arrival time and its size on the wire, so a benchmark can
tell QR frame gaps and bytes without guessing what the server sends.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

NAMESPACE = "/_event"
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@dataclass
class Update:
    at: float  # time.monotonic() on arrival
    size: int  # bytes of the websocket text frame
    delta: dict[str, Any]
    events: list[Any]


@dataclass
class ReflexClient:
    base: str  # http://localhost:PORT (also the Origin)
    cookie: str = ""
    user_agent: str = DESKTOP_UA
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    updates: asyncio.Queue[Update] = field(default_factory=asyncio.Queue)
    keep: list[Update] | None = None  # every update, when a benchmark wants them all
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _reader: asyncio.Task | None = None

    async def connect(self, session: aiohttp.ClientSession, timeout: float = 30) -> None:
        url = self.base.replace("http", "ws", 1) + (
            f"/_event/?EIO=4&transport=websocket&token={self.token}"
        )
        headers = {"Origin": self.base, "User-Agent": self.user_agent}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self._ws = await session.ws_connect(url, headers=headers, timeout=timeout,
                                            autoping=True, max_msg_size=0)
        opened = await self._ws.receive(timeout=timeout)
        if not str(opened.data).startswith("0"):
            raise RuntimeError(f"no Engine.IO open packet: {opened.data!r}")
        await self._ws.send_str(f"40{NAMESPACE},")
        while True:
            msg = await self._ws.receive(timeout=timeout)
            text = str(msg.data)
            if text.startswith(f"40{NAMESPACE}"):
                break
            if text.startswith(f"44{NAMESPACE}"):
                raise RuntimeError(f"namespace refused: {text}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            text: str = msg.data
            if text == "2":  # Engine.IO ping
                await self._ws.send_str("3")
                continue
            prefix = f"42{NAMESPACE},"
            if not text.startswith(prefix):
                continue
            name, *args = json.loads(text[len(prefix):])
            if name != "event" or not args:
                continue
            body = args[0] if isinstance(args[0], dict) else {}
            update = Update(time.monotonic(), len(text.encode()), body.get("delta") or {},
                            body.get("events") or [])
            if self.keep is not None:
                self.keep.append(update)
            self.updates.put_nowait(update)

    async def emit(self, state: str, handler: str, path: str = "/signup",
                   **payload: Any) -> None:
        assert self._ws is not None
        event = {
            "name": f"{state}.{handler}",
            "payload": payload,
            "router_data": {"pathname": path, "query": {}, "asPath": path},
        }
        await self._ws.send_str(f"42{NAMESPACE}," + json.dumps(["event", event]))

    async def next_update(self, timeout: float = 30) -> Update:
        return await asyncio.wait_for(self.updates.get(), timeout)

    async def call(self, state: str, handler: str, path: str = "/signup", timeout: float = 30,
                   **payload: Any) -> tuple[float, Update]:
        """Emit and wait for the first update after it: (round trip in seconds, the update)."""
        while not self.updates.empty():
            self.updates.get_nowait()
        start = time.monotonic()
        await self.emit(state, handler, path, **payload)
        update = await self.next_update(timeout)
        return update.at - start, update

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()


def field_values(delta: dict[str, Any], state: str) -> dict[str, Any]:
    """The state's changed fields, by their Python names (Reflex appends `_rx_state_`)."""
    values = delta.get(state) or {}
    return {k.removesuffix("_rx_state_"): v for k, v in values.items()}
