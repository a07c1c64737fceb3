"""Issue #11's figures, measured side by side in one run, written as a table.

    .venv/bin/python bench/bench_scale.py [--quick] [--only qr,rtt,state,signups,lighthouse]

Servers (backend only: the websocket and the HTTP routes; PostgreSQL, a private redis-server):
  * "1 worker":  the app with one Granian worker and Reflex's state in memory (today's `make run`)
  * "N workers": the app with one worker per core and Reflex's state in Redis
  * "bare":      a bare Reflex 0.10.1 app (bench/bare_app: one form), the baseline, in the
                 same set-up as the app it is compared with (workers, state manager)
Clients are raw websocket clients (bench/wsclient.py), each a real signup on the simulator.
BankID: the simulator in a process of its own (`--bankid process`, the default: BankID is
outside the app in production) or embedded in the app's workers (`--bankid embedded`).
Lighthouse and first-load bytes: bench/lighthouse.py (npm `lighthouse`, Debian's Chromium).

Every figure with a baseline measured in the same run is also given as a ratio against it.
The table goes to stdout and to bench/results/scale.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import (  # noqa: E402
    Server,
    app_server,
    bare_server,
    create_database,
    drop_database,
    free_port,
    mail_server,
    simulator_server,
)
from bench.wsclient import PHONE_UA, ReflexClient, Update, field_values  # noqa: E402
from deploy.private_redis import PrivateRedis  # noqa: E402

SIGNUP = "reflex___state____state.state___signup____signup_state"
BARE = "reflex___state____state.bare_app___bare_app____form_state"
RESULTS = Path(__file__).resolve().parent / "results"
CORES = os.cpu_count() or 1


def pnr(i: int) -> str:
    """A valid (Luhn), adult personnummer, different for every i < 18,000 x 700."""
    born = date(1950, 1, 1) + timedelta(days=i % 18000)
    serial = 200 + (i // 18000) % 700
    nine = born.strftime("%y%m%d") + f"{serial:03d}"
    total = 0
    for n, digit in enumerate(nine):
        d = int(digit) * (2 if n % 2 == 0 else 1)
        total += d // 10 + d % 10
    return born.strftime("%Y%m%d") + f"{serial:03d}" + str((10 - total % 10) % 10)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def begin(session: aiohttp.ClientSession, base: str) -> str:
    """POST /api/signup/begin ('Skapa konto'): the cookie header of the new signup."""
    async with session.post(f"{base}/api/signup/begin", allow_redirects=False) as response:
        if response.status != 303:
            raise RuntimeError(f"begin answered {response.status}")
        return "; ".join(f"{k}={m.value}" for k, m in response.cookies.items())


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
    )


def _is_qr_frame(update: Update) -> bool:
    """A QR frame: a changed, non-empty `bankid_qr` (the frame's text, state/bankid_loop.py;
    the browser draws the code). `bankid_show_qr` and the like are not frames."""
    changed = field_values(update.delta, SIGNUP)
    return any(k.removeprefix("bankid_").startswith("qr") and v for k, v in changed.items())


async def gather_limited(n: int, limit: int, fn: Callable[[int], Awaitable[Any]]) -> list[Any]:
    sem = asyncio.Semaphore(limit)

    async def one(i: int) -> Any:
        async with sem:
            return await fn(i)

    return await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)


# --- QR fan-out --------------------------------------------------------------------------------


@dataclass
class FanOut:
    screens: int
    opened: int
    errors: int
    gap_p50: float
    gap_p99: float
    frame_bytes: float
    cpu_cores: float  # server CPU during the window, in cores
    sim_cores: float  # the BankID simulator's own process during the window (0 when embedded)
    cpu_ms_per_frame: float
    frames: int
    client_cores: float  # this benchmark's own CPU (the websocket clients) during the window


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def qr_fanout(server: Server, sim: Server | None, screens: int, window: float,
                    offset: int) -> FanOut:
    async with _session() as session:
        clients: list[ReflexClient] = []

        async def open_screen(i: int) -> None:
            client = ReflexClient(server.url)
            client.cookie = await begin(session, server.url)
            await client.connect(session)
            await client.call(SIGNUP, "load", timeout=60)
            await client.call(SIGNUP, "submit_personnummer", timeout=60,
                              form_data={"personnummer": pnr(offset + i)})
            clients.append(client)

        results = await gather_limited(screens, 25, open_screen)
        errors = sum(isinstance(r, Exception) for r in results)
        await asyncio.sleep(3)  # every loop past its first frame
        for client in clients:
            client.keep = []
        sim0 = sim.cpu() if sim else 0.0
        cpu0, own0, t0 = server.cpu(), _own_cpu(), time.monotonic()
        await asyncio.sleep(window)
        cpu1, own1, t1 = server.cpu(), _own_cpu(), time.monotonic()
        sim1 = sim.cpu() if sim else 0.0
        gaps: list[float] = []
        sizes: list[int] = []
        for client in clients:
            frames = [u for u in (client.keep or []) if _is_qr_frame(u)]
            sizes += [u.size for u in frames]
            gaps += [b.at - a.at for a, b in zip(frames, frames[1:], strict=False)]
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    cpu = cpu1 - cpu0
    return FanOut(
        screens, len(clients), errors, pct(gaps, 50), pct(gaps, 99),
        statistics.mean(sizes) if sizes else float("nan"), cpu / (t1 - t0),
        (sim1 - sim0) / (t1 - t0),
        cpu * 1000 / len(sizes) if sizes else float("nan"), len(sizes), (own1 - own0) / (t1 - t0),
    )


async def settled(*servers: Server | None, quiet: float = 0.05, most: float = 90.0) -> float:
    """Wait until `servers` use under `quiet` of a core over a second (the last measurement's
    tabs gone: 1,000 QR loops end at their next tick, their collects finish), at most `most`
    seconds; returns the seconds waited. A figure taken while they still ran was not the
    figure of the next measurement."""
    running = [s for s in servers if s is not None]
    start = time.monotonic()
    while time.monotonic() - start < most:
        before = sum(s.cpu() for s in running)
        await asyncio.sleep(1.0)
        if sum(s.cpu() for s in running) - before < quiet:
            break
    else:
        print(f"  not quiet after {most:.0f} s: measuring anyway", flush=True)
    return time.monotonic() - start


async def fresh(server: Server, ran: list[str], *others: Server | None) -> None:
    """Each section on a newly started server (same database), once the BankID simulator and
    the mail server are quiet, so that its figures do not depend on what ran before it on the
    same workers: the 1,850 tabs' states a memory state manager still holds after the QR
    fan-out, their loops and collects still finishing."""
    if ran:
        server.stop()
        server.start()
    ran.append(server.name)
    await settled(server, *others)


# --- event round trip --------------------------------------------------------------------------


async def round_trips(app: Server, bare: Server, clients: int, pairs: int) -> dict[str, list[float]]:
    """The personnummer step with an invalid number (field error back) vs the bare app's
    one-field form (its error back) and the bare form with a step check (one thread hop, one
    PostgreSQL round trip: `submit_checked`), `pairs` round trips per client on each.

    One client: interleaved (app, bare, checked, app, ...), so all see the same machine load.
    More clients: one kind at a time, all `clients` at once, the same number of events on each.
    (Interleaved per client, the bare server sat nearly idle while every client waited on the
    slower app, so its "100 clients" figure was in truth a figure for one or two.)"""
    out: dict[str, list[float]] = {"app": [], "bare": [], "checked": []}
    async with _session() as session:

        async def open_pair(i: int) -> tuple[ReflexClient, ReflexClient]:
            kivra = ReflexClient(app.url, cookie=await begin(session, app.url))
            plain = ReflexClient(bare.url)
            await kivra.connect(session)
            await plain.connect(session)
            await kivra.call(SIGNUP, "load", timeout=60)
            await plain.call(BARE, "submit", path="/", form_data={"value": "1"})
            await plain.call(BARE, "submit_checked", path="/", form_data={"value": "1"})
            return kivra, plain

        async def on_app(kivra: ReflexClient, n: int) -> None:
            took, _ = await kivra.call(SIGNUP, "submit_personnummer", timeout=60,
                                       form_data={"personnummer": f"1234{n % 10}"})
            out["app"].append(took)

        async def on_bare(plain: ReflexClient, n: int) -> None:
            took, _ = await plain.call(BARE, "submit", path="/", timeout=60,
                                       form_data={"value": f"1234{n % 10}"})
            out["bare"].append(took)

        async def on_checked(plain: ReflexClient, n: int) -> None:
            took, _ = await plain.call(BARE, "submit_checked", path="/", timeout=60,
                                       form_data={"value": f"1234{n % 10}"})
            out["checked"].append(took)

        opened = await gather_limited(clients, 25, open_pair)
        failed = [r for r in opened if isinstance(r, BaseException)]
        if failed:
            raise failed[0]
        if clients == 1:
            kivra, plain = opened[0]
            for n in range(pairs):
                await on_app(kivra, n)
                await on_bare(plain, n)
                await on_checked(plain, n)
        else:
            for side, fn in ((0, on_app), (1, on_bare), (1, on_checked)):
                async def run_client(i: int, side: int = side, fn=fn) -> None:  # noqa: ANN001
                    for n in range(pairs):
                        await fn(opened[i][side], n)

                results = await gather_limited(clients, clients, run_client)
                failed = [r for r in results if isinstance(r, BaseException)]
                if failed:
                    raise failed[0]
        await asyncio.gather(*(c.close() for pair in opened for c in pair),
                             return_exceptions=True)
    return out


# --- state bytes per tab -------------------------------------------------------------------------


async def state_bytes(app: Server, redis: PrivateRedis, tabs: int, offset: int) -> dict[str, float]:
    """Redis bytes per tab (MEMORY USAGE of the tab's keys): idle on the personnummer step, and
    on the QR screen."""
    import redis as redis_lib

    r = redis_lib.Redis(port=redis.port)
    figures: dict[str, float] = {}
    async with _session() as session:
        clients = []
        for _ in range(tabs):
            c = ReflexClient(app.url, cookie=await begin(session, app.url))
            await c.connect(session)
            await c.call(SIGNUP, "load", timeout=60)
            clients.append(c)
        await asyncio.sleep(1)

        def measure() -> float:
            sizes = []
            for c in clients:
                keys = list(r.scan_iter(match=f"{c.token}*", count=1000))
                sizes.append(sum(r.memory_usage(k) or 0 for k in keys))
            return statistics.mean(sizes)

        figures["idle"] = measure()
        for i, c in enumerate(clients):
            await c.call(SIGNUP, "submit_personnummer", timeout=60,
                         form_data={"personnummer": pnr(offset + i)})
        await asyncio.sleep(2)
        figures["qr"] = measure()
        await asyncio.gather(*(c.close() for c in clients))
    return figures


# --- signups end to end --------------------------------------------------------------------------


async def _code(session: aiohttp.ClientSession, base: str, to: str, newer: int = 0,
                timeout: float = 120) -> tuple[str, int]:
    import re

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(f"{base}/dev/outbox.json", params={"to": to}) as response:
            for message in await response.json():
                found = re.search(r"\b(\d{6})\b", message["text"])
                if message["id"] > newer and found:
                    return found.group(1), message["id"]
        await asyncio.sleep(0.5)
    raise TimeoutError(f"no code for {to}")


async def _until(client: ReflexClient, predicate: Callable[[Update], bool],
                 timeout: float = 120) -> Update:
    deadline = time.monotonic() + timeout
    while True:
        update = await client.next_update(max(0.1, deadline - time.monotonic()))
        if predicate(update):
            return update


def _refused(update: Update) -> dict[str, Any]:
    """The signup's values in an update; a refusal on the page (an inline error, an error
    notice, BankID's failure text) ends the wait at once with the text a person would read,
    rather than after the timeout."""
    values = field_values(update.delta, SIGNUP)
    text = values.get("field_error") or (values.get("notice_is_error") and values.get("notice")) \
        or (values.get("bankid_state") == "failed" and values.get("bankid_message"))
    if text:
        raise RuntimeError(f"refused: {text}")
    return values


def _field(name: str, value: Any = None) -> Callable[[Update], bool]:
    def check(update: Update) -> bool:
        values = _refused(update)
        return name in values and (value is None or values[name] == value)

    return check


class SignupFailed(Exception):
    """A bench signup that stopped: the step it was waiting at, and why."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(f"{stage}: {cause!r}")
        self.stage = stage


async def one_signup(session: aiohttp.ClientSession, base: str, sim: str, i: int,
                     offset: int) -> None:
    stages: list[str] = ["connect"]
    try:
        await _one_signup(session, base, sim, i, offset, stages)
    except Exception as e:  # noqa: BLE001 - reported per stage by signups()
        raise SignupFailed(stages[-1], e) from e


async def _one_signup(session: aiohttp.ClientSession, base: str, sim: str, i: int,
                      offset: int, stages: list[str]) -> None:
    """A whole signup on a phone (autostart: the launch link reaches the page; the simulated app
    approves at once), codes read from the dev outbox. `stages` gets the step being waited at."""
    client = ReflexClient(base, cookie=await begin(session, base), user_agent=PHONE_UA)
    await client.connect(session)
    stages.append("load")
    await client.call(SIGNUP, "load", timeout=120)
    stages.append("personnummer")
    await client.emit(SIGNUP, "submit_personnummer", form_data={"personnummer": pnr(offset + i)})
    update = await _until(client, lambda u: bool(_refused(u).get("bankid_launch_url")))
    link = field_values(update.delta, SIGNUP)["bankid_launch_url"]
    token = link.split("autostarttoken=", 1)[1].split("&", 1)[0]
    stages.append("autostart")
    async with session.post(f"{sim}/app/autostart", json={
            "autoStartToken": token, "personalNumber": pnr(offset + i), "action": "approve"}) as r:
        if r.status != 200:
            raise RuntimeError(f"autostart {r.status}: {await r.text()}")
    # The loop's collect sees "complete" and sends the page to /api/signup/continue (a full
    # page load that rotates the signup cookie); the new page is a new connection.
    stages.append("collect complete")
    update = await _until(client, lambda u: _refused(u) is not None and any(
        "signup/continue" in str(e) for e in u.events))
    script = next(str(e) for e in update.events if "signup/continue" in str(e))
    path = "/api/signup/continue" + script.split("/api/signup/continue", 1)[1].split('"', 1)[0]
    path = path.split("\\", 1)[0]
    stages.append("continue")
    async with session.get(base + path, headers={"Cookie": client.cookie},
                           allow_redirects=False) as r:
        rotated = {k: m.value for k, m in r.cookies.items()}
    cookies = dict(p.split("=", 1) for p in client.cookie.split("; "))
    cookies.update(rotated)
    await client.close()
    client = ReflexClient(base, cookie="; ".join(f"{k}={v}" for k, v in cookies.items()),
                          user_agent=PHONE_UA, token=client.token)
    stages.append("reconnect")
    await client.connect(session)
    await client.call(SIGNUP, "load", timeout=120)
    address = f"bench{offset + i}.{time.time_ns()}@example.se"
    stages.append("email")
    await client.emit(SIGNUP, "submit_email", form_data={"email": address})
    await _until(client, _field("step", "email_code"))
    stages.append("email code")
    code, _ = await _code(session, base, address)
    await client.emit(SIGNUP, "verify_email_code", form_data={"code": code})
    stages.append("verify email")
    await _until(client, _field("step", "phone"))
    phone = f"+4670{(offset + i) % 10_000_000:07d}"
    stages.append("phone")
    await client.emit(SIGNUP, "submit_phone", form_data={"phone": "0" + phone[3:]})
    await _until(client, _field("step", "phone_code"))
    stages.append("sms code")
    code, _ = await _code(session, base, phone)
    await client.emit(SIGNUP, "verify_phone_code", form_data={"code": code})
    stages.append("verify phone")
    await _until(client, _field("step", "done"))
    await client.close()


async def signups(server: Server, sim: str, sim_server: Server | None, count: int,
                  in_flight: int, offset: int, mail: Server | None = None) -> dict[str, float]:
    async with _session() as session:
        cpu0, sim0, own0 = server.cpu(), sim_server.cpu() if sim_server else 0.0, _own_cpu()
        mail0 = mail.cpu() if mail else 0.0
        start = time.monotonic()
        results = await gather_limited(count, in_flight,
                                       lambda i: one_signup(session, server.url, sim, i, offset))
        took = time.monotonic() - start
        cpu = server.cpu() - cpu0
        sim_cpu = (sim_server.cpu() - sim0) if sim_server else 0.0
        mail_cpu = (mail.cpu() - mail0) if mail else 0.0
        own = _own_cpu() - own0
    errors = [r for r in results if isinstance(r, Exception)]
    by_stage = Counter(getattr(e, "stage", type(e).__name__) for e in errors)
    if errors:
        first = {getattr(e, "stage", type(e).__name__): e for e in reversed(errors)}
        print(f"  signup errors ({len(errors)}) by stage: {dict(by_stage)}; the first of each: "
              f"{list(first.values())!r}", file=sys.stderr)
    done = max(1, count - len(errors))
    # CPU seconds per finished signup: what bounds signups/s on these cores (the app's
    # workers; PostgreSQL's and Redis's processes are not counted).
    return {"count": count, "in_flight": in_flight, "seconds": took,
            "per_second": (count - len(errors)) / took, "errors": len(errors),
            "app_ms": cpu / done * 1000, "sim_ms": sim_cpu / done * 1000,
            "mail_ms": mail_cpu / done * 1000,
            "client_ms": own / done * 1000, "by_stage": dict(by_stage)}


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Table:
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append(tuple(str(c) for c in cells))
        print(" | ".join(self.rows[-1]), flush=True)

    def markdown(self) -> str:
        out = ["| figure | measured | baseline (same run) | ratio |", "|---|---|---|---|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out + [""] + [f"- {n}" for n in self.notes]) + "\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b and b == b and a == a else "–"


async def run(args: argparse.Namespace) -> Table:
    table = Table()
    only = set(args.only.split(",")) if args.only else {"qr", "rtt", "state", "signups",
                                                         "lighthouse"}
    screens = [int(s) for s in args.screens.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="kivra-bench-"))
    redis = PrivateRedis(workdir)
    redis.start()
    slow_orders = {"KIVRA_BANKID_START_DEADLINE": "900", "KIVRA_BANKID_ORDER_LIFETIME": "1200"}
    # BankID in a process of its own (as in production: outside the app), or embedded in the
    # app's workers (the development default; its RP API then costs the workers' CPU too).
    sim = simulator_server(start_deadline=900, order_lifetime=1200) if args.bankid == "process" \
        else None
    if sim is not None:
        sim.start()
        slow_orders = {"KIVRA_BANKID_URL": f"{sim.url}/rp/v6.0/"}
    offset = 0
    try:
        setups = [("1 worker, memory", 1, None), (f"{CORES} workers, Redis", CORES, redis.url)]
        setups = [s for s in setups if args.setup in ("both", "redis" if s[2] else "memory")]
        fan: dict[str, list[FanOut]] = {}
        for label, workers, redis_url in setups:
            if not only & {"qr", "rtt", "state", "signups"}:
                break
            if not redis_url and not only & {"qr", "signups", "rtt"}:
                continue  # state bytes are measured on the Redis set-up
            db = create_database()
            (workdir / label[:1]).mkdir(exist_ok=True)
            mail_port = free_port() if args.mail == "process" else None
            server = app_server(label, db, workdir / label[:1], workers=workers,
                                redis_url=redis_url, smtp_port=mail_port, **slow_orders)
            mail = mail_server(db, mail_port).start() if mail_port else None
            ran: list[str] = []  # the sections measured on this server
            try:
                server.start()
                if "qr" in only:
                    await fresh(server, ran, sim, mail)
                    for i, n in enumerate(screens):
                        if i:  # the last size's loops and collects ended
                            await settled(server, sim, mail)
                        result = await qr_fanout(server, sim, n, args.window, offset)
                        offset += n
                        fan.setdefault(label, []).append(result)
                        print(f"  {label}: {result}", flush=True)
                if "rtt" in only:
                    await fresh(server, ran, sim, mail)
                    # The bare app in the same set-up: as many workers, the same state manager.
                    bare = bare_server(workdir, workers=workers, redis_url=redis_url,
                                       database_url=db).start()
                    try:
                        for clients in (1, 100):
                            pairs = args.pairs if clients == 1 else max(5, args.pairs // 20)
                            got = await round_trips(server, bare, clients, pairs)
                            for q in (50, 99):
                                a, b = pct(got["app"], q), pct(got["bare"], q)
                                c = pct(got["checked"], q)
                                table.add(f"event round trip, personnummer step (invalid), "
                                          f"{clients} client(s), p{q} ({label})",
                                          ms(a), f"{ms(b)} bare Reflex ({label}; "
                                          f"{len(got['bare'])} events)", ratio(a, b))
                                table.add(f"the same event vs a bare handler with a step check "
                                          f"(one thread hop, one PostgreSQL round trip), "
                                          f"{clients} client(s), p{q} ({label})",
                                          ms(a), f"{ms(c)} bare + check ({ratio(c, b)} bare)",
                                          ratio(a, c))
                    finally:
                        bare.stop()
                if redis_url and "state" in only:
                    await fresh(server, ran, sim, mail)
                    got = await state_bytes(server, redis, 50, offset)
                    offset += 50
                    table.add("state bytes per idle tab (Redis MEMORY USAGE), personnummer step",
                              f"{got['idle'] / 1024:.1f} KB", "target 50 KB",
                              ratio(got["idle"], 50 * 1024))
                    table.add("state bytes per tab on the QR screen", f"{got['qr'] / 1024:.1f} KB",
                              "target 50 KB", ratio(got["qr"], 50 * 1024))
                if "signups" in only:
                    await fresh(server, ran, sim, mail)
                    sim_url = sim.url if sim else f"{server.url}/bankid-sim"
                    got = await signups(server, sim_url, sim, args.signups, args.in_flight,
                                        offset, mail)
                    offset += args.signups
                    stages = f"; stopped at {got['by_stage']}" if got["by_stage"] else ""
                    table.add(f"signups/s end to end, {args.signups} signups, {args.in_flight} "
                              f"in flight ({label})", f"{got['per_second']:.1f}/s "
                              f"({got['errors']} errors{stages}, {got['seconds']:.0f} s)",
                              "target 50/s", ratio(got["per_second"], 50))
                    table.add(f"CPU per finished signup ({label})",
                              f"app {got['app_ms']:.0f} ms, BankID simulator "
                              f"{got['sim_ms']:.0f} ms, "
                              + (f"mail server {got['mail_ms']:.0f} ms, " if mail else "")
                              + f"clients {got['client_ms']:.0f} ms",
                              f"{CORES} cores: ≤ {CORES * 1000 / 50:.0f} ms for 50/s", "–")
            finally:
                server.stop()
                if mail is not None:
                    mail.stop()
                drop_database(db)
        if fan:
            base_label = setups[0][0]
            for n_index, n in enumerate(screens):
                base = fan.get(base_label, [None] * len(screens))[n_index]
                for label, results in fan.items():
                    r = results[n_index]
                    ok = f"{r.opened}/{r.screens} screens" + (f", {r.errors} errors"
                                                              if r.errors else "")
                    table.add(f"QR fan-out {n} screens, frame gap p50 ({label}; {ok})",
                              f"{r.gap_p50:.2f} s", "1.00 s (BankID)", ratio(r.gap_p50, 1.0))
                    table.add(f"QR fan-out {n} screens, frame gap p99 ({label})",
                              f"{r.gap_p99:.2f} s",
                              f"{base.gap_p99:.2f} s (1 worker)" if base else "–",
                              ratio(r.gap_p99, base.gap_p99) if base else "–")
                    table.add(f"QR fan-out {n} screens, frames delivered per screen per second "
                              f"({label})", f"{r.frames / (r.opened * args.window):.2f}/s"
                              if r.opened else "–", "1.00/s (one frame a second)",
                              ratio(r.frames / (r.opened * args.window), 1.0) if r.opened
                              else "–")
                    table.add(f"QR fan-out {n} screens, bytes per frame ({label})",
                              f"{r.frame_bytes:.0f} B", "target 300 B", ratio(r.frame_bytes, 300))
                    table.add(f"QR fan-out {n} screens, server CPU ({label})",
                              f"{r.cpu_cores:.2f} cores, {r.cpu_ms_per_frame:.2f} ms/frame "
                              f"({r.frames} frames)", f"{CORES} cores on the machine", "–")
                    if sim is not None:
                        table.add(f"QR fan-out {n} screens, the BankID simulator's CPU "
                                  f"({label})", f"{r.sim_cores:.2f} cores", "its own process",
                                  "–")
                    table.add(f"QR fan-out {n} screens, the clients' CPU ({label})",
                              f"{r.client_cores:.2f} cores", "same machine", "–")
        if "lighthouse" in only:
            from bench.lighthouse import first_load_rows

            for row in await asyncio.to_thread(first_load_rows, workdir):
                table.add(*row)
    finally:
        redis.stop()
        if sim is not None:
            sim.stop()
    if "rtt" in only:
        table.notes.append(
            "Event round trips: emit to the first state update, raw websocket clients. The bare "
            "app runs in the same set-up as the app it is compared with (workers, state "
            "manager). 1 client: app and bare interleaved event by event. 100 clients: each "
            "server on its own, 100 connections sending at once, the same number of events on "
            "each (the count is in the baseline column). Bare + check: the bare handler plus one "
            "worker-thread hop and one PostgreSQL statement on a pooled connection (BEGIN, "
            "SELECT, ROLLBACK), a stand-in for the per-event server-side session and step check.")
    table.notes.append(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {CORES} cores shared with the "
        "other engineers' builds and tests (load average "
        f"{os.getloadavg()[0]:.1f}); clients run on the same machine. Command: "
        f"`.venv/bin/python bench/bench_scale.py {' '.join(sys.argv[1:])}`. BankID simulator: "
        + ("its own process." if args.bankid == "process" else "embedded in the app's workers.")
        + " Dev SMTP server: "
        + ("its own process." if args.mail == "process" else "embedded in a worker.")
    )
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small numbers, to try it out")
    parser.add_argument("--only", default="")
    parser.add_argument("--screens", default="100,250,500,1000")
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--signups", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--setup", choices=("both", "memory", "redis"), default="both",
                        help="one worker with the state in memory, several on Redis, or both")
    parser.add_argument("--bankid", choices=("process", "embedded"), default="process",
                        help="the BankID simulator in its own process (default, as BankID is "
                             "outside the app) or embedded in the app's workers")
    parser.add_argument("--mail", choices=("process", "embedded"), default="process",
                        help="the dev SMTP server in its own process (default, as a mail relay "
                             "is outside the app) or embedded in a worker")
    args = parser.parse_args()
    if args.quick:
        args.screens, args.window, args.pairs, args.signups, args.in_flight = (
            "20", 8.0, 20, 10, 10)
    table = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.md").write_text(table.markdown())
    print()
    print(table.markdown())


if __name__ == "__main__":
    main()
