"""The client's connection bound: at most POOL_SIZE requests in flight, the rest wait their turn
(not inside httpcore's queue, whose upkeep grows with it), and a wait past the pool timeout is a
calm BankIdTimeout. A transport stands in for BankID, so in-flight requests can be counted."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kivra_app.bankid import errors
from kivra_app.bankid.client import POOL_SIZE, BankIdClient

PENDING = {"orderRef": "r", "status": "pending", "hintCode": "outstandingTransaction"}


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
        return httpx.Response(200, json=PENDING)


async def test_at_most_pool_size_requests_in_flight_and_every_one_answered() -> None:
    bankid = SlowBankId(0.02)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid) as client:
        answers = await asyncio.gather(*(client.collect("r") for _ in range(3 * POOL_SIZE)))
    assert [a.status for a in answers] == ["pending"] * (3 * POOL_SIZE)
    assert bankid.most == POOL_SIZE


async def test_a_request_that_gets_no_connection_in_time_is_a_timeout() -> None:
    bankid = SlowBankId(1.0)
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with BankIdClient("http://bankid.test/rp/v6.0", transport=bankid,
                            timeout=timeout) as client:
        busy = [asyncio.create_task(client.collect("r")) for _ in range(POOL_SIZE)]
        await asyncio.sleep(0.01)
        with pytest.raises(errors.BankIdTimeout):
            await client.collect("r")
        assert [a.status for a in await asyncio.gather(*busy)] == ["pending"] * POOL_SIZE
