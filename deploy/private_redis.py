"""A private `redis-server` on a free port, for tests and benchmarks that restart or load Redis
without touching the machine's shared one (127.0.0.1:6379, used by other people).

No persistence, so a restart loses everything it held, as a Redis without persistence does.
Keyspace notifications are in its own configuration: Reflex's Redis state manager waits for lock
releases through them and sets them only once at its start, so a Redis that restarts must have
them configured (deploy/README.md says the same for production).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NOTIFY_KEYSPACE_EVENTS = "K$sgxe"  # reflex/istate/manager/redis.py NOTIFY_KEYSPACE_EVENTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--notify-keyspace-events", NOTIFY_KEYSPACE_EVENTS,
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
