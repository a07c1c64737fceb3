"""Servers for the benchmarks: the app (backend only: the websocket and the HTTP routes) with one
worker or several on Redis, and the bare Reflex app, each in its own process group; CPU time of a
server's whole process tree from /proc."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree_cpu_seconds(pid: int) -> float:
    """user+system CPU of `pid` and all its descendants (the Granian workers)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except OSError:
            continue
        todo += _children(p)
    return total


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVRA_", "REFLEX_"))}
    env.update(
        REFLEX_USE_NPM="1", REFLEX_USE_GRANIAN="true", REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_TELEMETRY_ENABLED="false",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


@dataclass
class Server:
    name: str
    cwd: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    argv: list[str] | None = None  # default: the Reflex app (`reflex run --env prod`)
    ready_path: str | None = "/ping"  # answers 200 once the server serves; None: a TCP port

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, timeout: float = 600) -> Server:
        env = dict(self.env)
        env.setdefault("REFLEX_BACKEND_ONLY", "true")
        self.log = self.log or Path(tempfile.gettempdir()) / f"bench-{self.name}-{self.port}.log"
        out = self.log.open("ab")  # a restart (bench_scale.fresh) keeps the earlier log
        argv = self.argv or [
            shutil.which("reflex", path=env["PATH"]) or "reflex", "run", "--env", "prod",
            "--backend-port", str(self.port), "--backend-host", "127.0.0.1"]
        self.proc = subprocess.Popen(
            argv,
            cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            if self.ready_path is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return self
                except OSError:
                    pass
            else:
                try:
                    url = f"http://127.0.0.1:{self.port}{self.ready_path}"
                    if httpx.get(url, timeout=2).status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not start in {timeout}s; see {self.log}")

    def cpu(self) -> float:
        assert self.proc is not None
        return tree_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def create_database() -> str:
    from sqlalchemy import create_engine, text

    name = f"kivra_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_server(name: str, database_url: str, data_dir: Path, *, workers: int,
               redis_url: str | None, smtp_port: int | None = None, **extra: str) -> Server:
    """The app, backend only. `smtp_port`: mail goes to the dev SMTP server there (its own
    process, `mail_server`), as to a relay in production; None: the one embedded in a worker."""
    env = base_env()
    port = free_port()
    env.update(
        KIVRA_ENV="development", KIVRA_PORT=str(port), KIVRA_DATABASE_URL=database_url,
        KIVRA_DATA_DIR=str(data_dir), KIVRA_SMTP_PORT=str(free_port()),
        KIVRA_LOG_LEVEL="WARNING", GRANIAN_WORKERS=str(workers),
        # The benchmark's thousands of starts come from one address: the per-IP limit is
        # raised by setting (a test shows it holding at its default).
        KIVRA_IP_START_BURST="1000000", KIVRA_IP_START_PER_MINUTE="1000000",
        # ... and so is the per-IP cap on code sends (30 a window: two a signup, so every
        # signup past the 15th waited at its email step until the bench gave up).
        KIVRA_CODE_MAX_SENDS_PER_IP="1000000",
        # No test-support API (/_test, unused here): its movable clock reads its offset from
        # the database on every `now()`, a query production never makes (it refuses
        # KIVRA_TEST_SUPPORT), three of them per personnummer event.
        KIVRA_TEST_SUPPORT="false",
        **extra,
    )
    if redis_url:
        env.update(KIVRA_REDIS_URL=redis_url)
    if smtp_port is not None:
        env.update(KIVRA_SMTP_HOST="127.0.0.1", KIVRA_SMTP_PORT=str(smtp_port),
                   KIVRA_SMTP_STARTTLS="false")
    subprocess.run([sys.executable, "-m", "kivra_app.migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return Server(name, ROOT, env, port=port)


def mail_server(database_url: str, port: int) -> Server:
    """The dev SMTP server in a process of its own (`python -m devtools.dev_smtp`), storing the
    mail in the dev outbox of `database_url` (migrated first, by `app_server`)."""
    env = base_env()
    env.update(KIVRA_ENV="development", KIVRA_DATABASE_URL=database_url,
               KIVRA_LOG_LEVEL="WARNING")
    argv = [sys.executable, "-m", "devtools.dev_smtp", "--port", str(port)]
    return Server("dev-smtp", ROOT, env, port=port, argv=argv, ready_path=None)


def simulator_server(*, start_deadline: float, order_lifetime: float) -> Server:
    """The BankID simulator in a process of its own (`python -m devtools.bankid_sim`), as
    BankID is outside the app in production: the app's workers then spend their CPU on the
    app alone, and the simulator's CPU is measured apart. Its RP API is at `url + /rp/v6.0/`,
    its simulated app at `url + /app/...`."""
    port = free_port()
    argv = [sys.executable, "-m", "devtools.bankid_sim", "--port", str(port),
            "--start-deadline", str(start_deadline), "--order-lifetime", str(order_lifetime)]
    return Server("bankid-sim", ROOT, base_env(), port=port, argv=argv,
                  ready_path="/app/identities")


def bare_server(workdir: Path, *, workers: int = 1, redis_url: str | None = None,
                database_url: str | None = None) -> Server:
    """The bare app from bench/bare_app, copied into `workdir` (its .web stays out of the
    worktree), in the app's set-up: `workers` Granian workers, Reflex's state in memory (one
    worker) or in Redis at `redis_url` (its own key space: Reflex keys by tab token)."""
    target = workdir / "bare_app"
    if not target.exists():
        shutil.copytree(ROOT / "bench" / "bare_app", target)
    env = base_env()
    port = free_port()
    env.update(BARE_PORT=str(port), GRANIAN_WORKERS=str(workers))
    if redis_url:
        env["BARE_REDIS_URL"] = redis_url
    if database_url:  # for its step-check baseline (bare_app.submit_checked)
        env["BARE_DATABASE_URL"] = database_url
    return Server(f"bare-{workers}", target, env, port=port)
