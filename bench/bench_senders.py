"""Sender API throughput: deliveries/s and p99 latency with 1, 10 and 50 concurrent senders,
each delivering letters with a 100 KB PDF, on SQLite and on PostgreSQL; and the server's memory
(RSS) before and after 10,000 deliveries.

The API is served as `make run` serves the app: Granian with `--workers` processes (default:
one per core, as KIVRA_WORKERS defaults with Redis) and the rate limits in Redis (a private
redis-server); `--workers 1 --no-redis` is one process with the limits in the database. The
client is aiohttp (or httpx: --client httpx) over a real socket, on the same machine; each level
prints the CPU per delivery of the server, of PostgreSQL and of the client. Run: .venv/bin/python bench/bench_senders.py
  [--db sqlite,postgresql] [--concurrency 1,10,50] [--per-level 500] [--memory 10000]
  [--workers N] [--no-redis] [--port P] [--redis-url URL] [--pg-prefix NAME_]

On a machine shared with others: --port (the server's port; default a free one), --redis-url (a
Redis database of yours instead of the private redis-server; the keys get a run's own prefix)
and --pg-prefix (the throwaway PostgreSQL database's name prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    """The resident memory of a process and its children (Granian's workers), in KB."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        total += rss_kb(int(child))
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (Granian's workers), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        total += cpu_seconds(int(child))
    return total


def postgres_cpu_seconds() -> float:
    """CPU of every `postgres` process on the machine (the bench's backends among them; other
    people's queries too, so an upper bound for ours)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            # own time, and (the postmaster's) that of backends that have ended meanwhile
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


class Server:
    def __init__(self, url: str, data_dir: str, *, workers: int, redis_url: str | None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        env = {**os.environ, "KIVRA_DATABASE_URL": url, "KIVRA_DATA_DIR": data_dir,
               "KIVRA_SECRET_KEY": "bench" * 8, "KIVRA_SENDER_RATE_BURST": "100000",
               "KIVRA_SENDER_RATE_PER_SECOND": "100000", "PYTHONPATH": str(ROOT)}
        env.pop("KIVRA_REDIS_URL", None)
        if redis_url:
            env["KIVRA_REDIS_URL"] = redis_url
            env["KIVRA_REDIS_PREFIX"] = f"kivra-bench-{uuid.uuid4().hex[:8]}:"
        subprocess.run([sys.executable, "-m", "kivra_app.migrate"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
             "--workers", str(workers), "--port", str(self.port), "--log-level", "warning",
             "bench.sender_api_server:app"],
            cwd=ROOT, env=env)
        self.base = f"http://127.0.0.1:{self.port}/api/sender/v1"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/openapi.json", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def setup_people(url: str, n: int) -> list[str]:
    from sqlmodel import Session

    from kivra_app.db import make_engine
    from kivra_app.models import Mailbox, NotificationPreference, User
    from tests.unit.fakes import make_pnr

    engine = make_engine(url)
    numbers = []
    with Session(engine) as session:
        for i in range(n):
            pnr = make_pnr("19800101", f"{i + 1:03d}")
            user = User(personnummer=pnr, email=f"bench{i}@example.se", phone="+46701740605")
            session.add(user)
            session.flush()
            session.add(Mailbox(user_id=user.id))
            session.add(NotificationPreference(user_id=user.id, email_new_mail=True))
            numbers.append(pnr)
        session.commit()
    engine.dispose()
    return numbers


def make_senders(url: str, n: int) -> list[tuple[str, str]]:
    from stdnum import luhn

    from kivra_app.db import make_engine
    from kivra_app.senders.credentials import create_sender

    engine = make_engine(url)
    out = []
    for i in range(n):
        nine = f"559{i:06d}"
        orgnr = nine + luhn.calc_check_digit(nine)
        issued = create_sender(engine, name=f"Bench {i} AB", orgnr=orgnr)
        out.append((issued.client_id, issued.client_secret))
    engine.dispose()
    return out


def body_bytes(personnummer: str, pdf: str) -> bytes:
    """A letter's JSON body; the 130 KB of base64 spliced in rather than encoded each time
    (the client shares the server's two cores, its CPU is not what is measured)."""
    head = json.dumps({"recipient": {"personnummer": personnummer},
                       "external_id": uuid.uuid4().hex, "type": "letter", "subject": "Bench",
                       "parts": [{"filename": "b.pdf", "content_type": "application/pdf",
                                  "data_base64": "@PDF@"}]})
    before, after = head.split("@PDF@")
    return b"".join((before.encode(), pdf.encode(), after.encode()))


async def run_level(base: str, creds: list[tuple[str, str]], people: list[str], pdf: str,
                    total: int, client: str = "httpx") -> tuple[float, float, float]:
    """(deliveries/s, p50 ms, p99 ms) with len(creds) senders sending at once."""
    if client == "aiohttp":
        return await _run_level_aiohttp(base, creds, people, pdf, total)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=len(creds) + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        tokens = []
        for client_id, secret in creds:
            r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                auth=(client_id, secret))
            tokens.append(r.json()["access_token"])
        per_sender = max(1, total // len(creds))

        async def sender(token: str, index: int) -> None:
            for j in range(per_sender):
                body = body_bytes(people[(index * 7 + j) % len(people)], pdf)
                t0 = time.perf_counter()
                r = await http.post("/messages", content=body, headers={
                    "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex,
                    "Content-Type": "application/json"})
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code} {r.text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(sender(t, i) for i, t in enumerate(tokens)))
        elapsed = time.perf_counter() - start
    return _summary(latencies, elapsed)


def _summary(latencies: list[float], elapsed: float) -> tuple[float, float, float]:
    """deliveries/s, p50 ms, p99 ms of one level."""
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000


async def _run_level_aiohttp(base: str, creds: list[tuple[str, str]], people: list[str],
                             pdf: str, total: int) -> tuple[float, float, float]:
    """The same load from aiohttp's client (C HTTP parser). With 50 connections httpx's pool
    took ~6 ms of CPU per request here, aiohttp ~0.7 ms: on a machine shared with the server
    that is throughput taken from the server, which real senders' machines would not take."""
    import aiohttp

    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=len(creds) + 5)
    async with aiohttp.ClientSession(base + "/", connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        tokens = []
        for client_id, secret in creds:
            basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            async with http.post("oauth/token", data={"grant_type": "client_credentials"},
                                 headers={"Authorization": f"Basic {basic}"}) as r:
                tokens.append((await r.json())["access_token"])
        per_sender = max(1, total // len(creds))

        async def sender(token: str, index: int) -> None:
            for j in range(per_sender):
                body = body_bytes(people[(index * 7 + j) % len(people)], pdf)
                t0 = time.perf_counter()
                async with http.post("messages", data=body, headers={
                        "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex,
                        "Content-Type": "application/json"}) as r:
                    text = await r.text()
                latencies.append(time.perf_counter() - t0)
                if r.status != 201:
                    raise RuntimeError(f"{r.status} {text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(sender(t, i) for i, t in enumerate(tokens)))
        elapsed = time.perf_counter() - start
    return _summary(latencies, elapsed)


def database(kind: str, tmp: str, prefix: str = "kivra_bench_") -> tuple[str, object]:
    if kind == "sqlite":
        return f"sqlite:///{tmp}/bench.db", None
    from sqlalchemy import create_engine, text

    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return f"postgresql://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--per-level", type=int, default=500)
    parser.add_argument("--memory", type=int, default=10_000, help="deliveries for the RSS check (0: skip)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-redis", action="store_true", help="rate limits in the database")
    parser.add_argument("--port", type=int, default=None, help="the server's port (default: free)")
    parser.add_argument("--redis-url", default=None,
                        help="use this Redis (own key prefix) instead of a private redis-server")
    parser.add_argument("--client", choices=("httpx", "aiohttp"), default="aiohttp",
                        help="the load generator's HTTP client")
    parser.add_argument("--pg-prefix", default="kivra_bench_",
                        help="name prefix of the throwaway PostgreSQL database")
    args = parser.parse_args()
    from deploy.private_redis import PrivateRedis
    from kivra_app.senders.pdfwriter import make_pdf

    pdf = base64.b64encode(make_pdf("Bench", ["Rad"] * 40, pad_to=100_000)).decode()
    levels = [int(x) for x in args.concurrency.split(",")]
    print(f"PDF {len(base64.b64decode(pdf)) // 1000} KB; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.1f}; Granian, {args.workers} worker(s); client {args.client}; "
          f"rate limits in "
          f"{'the database' if args.no_redis else 'Redis'}")
    for kind in args.db.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url, drop = database(kind, tmp, args.pg_prefix)
            redis = None if args.no_redis or args.redis_url else PrivateRedis(Path(tmp) / "redis")
            if redis:
                redis.start()
            redis_url = None if args.no_redis else (args.redis_url or redis.url)  # type: ignore[union-attr]
            server = Server(url, tmp, workers=args.workers, redis_url=redis_url, port=args.port)
            try:
                people = setup_people(url, 200)
                creds = make_senders(url, max(levels))
                for level in levels:
                    cpu = cpu_seconds(server.proc.pid), postgres_cpu_seconds(), time.process_time()
                    rate, p50, p99 = asyncio.run(run_level(server.base, creds[:level], people,
                                                           pdf, args.per_level, args.client))
                    n = max(1, args.per_level // level) * level
                    used = [(cpu_seconds(server.proc.pid) - cpu[0]) * 1000 / n,
                            (postgres_cpu_seconds() - cpu[1]) * 1000 / n,
                            (time.process_time() - cpu[2]) * 1000 / n]
                    print(f"{kind:10s} senders={level:3d} deliveries/s={rate:7.1f} "
                          f"p50={p50:7.1f} ms p99={p99:7.1f} ms  CPU ms/delivery: server "
                          f"{used[0]:.1f}, postgres {used[1]:.1f}, client {used[2]:.1f}")
                if args.memory and kind == args.db.split(",")[-1]:
                    before = rss_kb(server.proc.pid)
                    asyncio.run(run_level(server.base, creds[:10], people, pdf, args.memory,
                                          args.client))
                    after = rss_kb(server.proc.pid)
                    print(f"{kind:10s} RSS before={before / 1024:.0f} MB after {args.memory} "
                          f"deliveries={after / 1024:.0f} MB (delta {(after - before) / 1024:+.0f} MB)")
            finally:
                server.stop()
                if redis:
                    redis.stop()
                if drop:
                    drop()


if __name__ == "__main__":
    main()
