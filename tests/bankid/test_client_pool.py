"""The client's connection bound: at most POOL_SIZE requests in flight, the rest wait their turn
(not inside httpcore's queue, whose upkeep grows with it), collects leave START_RESERVE of them
to starts, and a wait past the pool timeout is a calm BankIdTimeout. A transport stands in for
BankID, so in-flight requests can be counted."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kivra_app.bankid import errors
from kivra_app.bankid.client import POOL_SIZE, START_RESERVE, BankIdClient
from kivra_app.bankid.models import AuthRequest

PENDING = {"orderRef": "r", "status": "pending", "hintCode": "outstandingTransaction"}
STARTED = {"orderRef": "s", "autoStartToken": "a", "qrStartToken": "q", "qrStartSecret": "x"}


class SlowBankId(httpx.AsyncBaseTransport):
    """Answers every collect after `delay` seconds; counts the requests it holds at once."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.now = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.now -= 1
        return httpx.Response(200, json=STARTED if request.url.path.endswith("/auth") else PENDING)


async def test_collects_leave_connections_for_starts_and_every_one_is_answered() -> None:
    bankid = SlowBankId(0.02)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid) as client:
        answers = await asyncio.gather(*(client.collect("r") for _ in range(3 * POOL_SIZE)))
    assert [a.status for a in answers] == ["pending"] * (3 * POOL_SIZE)
    assert bankid.most == POOL_SIZE - START_RESERVE


async def test_a_start_does_not_queue_behind_the_collects() -> None:
    bankid = SlowBankId(0.5)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid) as client:
        polls = [asyncio.create_task(client.collect("r")) for _ in range(10 * POOL_SIZE)]
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        began = loop.time()
        started = await client.auth(AuthRequest(end_user_ip="192.0.2.1"))
        waited = loop.time() - began
        assert started.order_ref == "s"
        assert waited < 2.0  # one BankID answer (0.5 s), not ten rounds of collects (5 s)
        assert bankid.most <= POOL_SIZE
        await asyncio.gather(*polls)


async def test_a_request_that_gets_no_connection_in_time_is_a_timeout() -> None:
    bankid = SlowBankId(1.0)
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid,
                            timeout=timeout, start_wait=0.1) as client:
        share = POOL_SIZE - START_RESERVE  # every connection a collect may hold
        busy = [asyncio.create_task(client.collect("r")) for _ in range(share)]
        await asyncio.sleep(0.01)
        with pytest.raises(errors.BankIdBusy):  # nothing sent: the app's own queue
            await client.collect("r")
        starts = [asyncio.create_task(client.auth(AuthRequest(end_user_ip="192.0.2.1")))
                  for _ in range(START_RESERVE)]
        await asyncio.sleep(0.01)
        with pytest.raises(errors.BankIdBusy):  # the whole pool is in use now
            await client.auth(AuthRequest(end_user_ip="192.0.2.1"))
        assert [a.status for a in await asyncio.gather(*busy)] == ["pending"] * share
        assert [s.order_ref for s in await asyncio.gather(*starts)] == ["s"] * START_RESERVE


async def test_a_start_waits_longer_for_a_connection_than_a_collect() -> None:
    """Under load a start is what the person waits for: it waits for a connection past the
    pool timeout that ends a collect's wait (the collect tries again in 2 s anyway)."""
    bankid = SlowBankId(0.5)
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid,
                            timeout=timeout, start_wait=3.0) as client:
        busy = [asyncio.create_task(client.auth(AuthRequest(end_user_ip="192.0.2.1")))
                for _ in range(POOL_SIZE)]
        await asyncio.sleep(0.01)
        with pytest.raises(errors.BankIdBusy):
            await client.collect("r")
        late = await client.auth(AuthRequest(end_user_ip="192.0.2.1"))  # ~0.5 s, not 0.1
        assert late.order_ref == "s"
        await asyncio.gather(*busy)
