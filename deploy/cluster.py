"""`make cluster`: nginx on PORT in front of two app instances (each with its backend workers),
sharing one Redis (Reflex's state) and one PostgreSQL database, all on this machine.

    python deploy/cluster.py            # settings from the environment, see Cluster.from_env
    Ctrl-C / SIGTERM stops everything it started.

The frontend is built once (`reflex export --frontend-only`) into the cluster's own folder
(REFLEX_WEB_WORKDIR), with the public URL baked in, and nginx serves it; the instances run
`reflex run --env prod --backend-only`. The worktree's own `.web` is left alone, so a `make run`
or an e2e app beside it keeps its bundle. The e2e test drives the same class (tests/e2e/).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("KIVRA_NGINX", "/usr/sbin/nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f}s")


@dataclass
class Instance:
    name: str
    port: int
    smtp_port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Cluster:
    port: int  # nginx, the public port
    workdir: Path  # the cluster's own folder: frontend build, nginx config and logs
    database_url: str
    redis_url: str
    workers: int = 2  # per instance
    instance_count: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    instances: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_env(cls) -> Cluster:
        env = os.environ
        return cls(
            port=int(env.get("PORT", "8000")),
            workdir=Path(env.get("CLUSTER_DIR", str(ROOT / ".cluster"))),
            database_url=env.get(
                "CLUSTER_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kivra_cluster"
            ),
            redis_url=env.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/9"),
            workers=int(env.get("KIVRA_WORKERS", "2")),
        )

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def web_dir(self) -> Path:
        return self.workdir / "web"

    # --- the shared parts ------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVRA_", "REFLEX_"))}
        env.update(
            KIVRA_ENV=os.environ.get("KIVRA_ENV", "development"),
            KIVRA_PUBLIC_URL=self.url,
            KIVRA_DATABASE_URL=self.database_url,
            KIVRA_REDIS_URL=self.redis_url,
            KIVRA_DATA_DIR=str(self.workdir / "data"),
            KIVRA_TRUSTED_PROXY_HOPS="1",  # nginx appends the address it saw to X-Forwarded-For
            KIVRA_WORKERS=str(self.workers),
            REFLEX_WEB_WORKDIR=str(self.web_dir),
            REFLEX_API_URL=self.url,
            REFLEX_USE_NPM="1",
            REFLEX_USE_GRANIAN="true",
            REFLEX_CHECK_LATEST_VERSION="false",
            REFLEX_TELEMETRY_ENABLED="false",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        for name in ("KIVRA_SECRET_KEY", "KIVRA_LOG_LEVEL", "KIVRA_IP_START_BURST",
                     "KIVRA_IP_START_PER_MINUTE"):
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(self.extra_env)
        return env

    def _run(self, *args: str, log: Path) -> None:
        with log.open("ab") as out:
            subprocess.run(args, cwd=ROOT, env=self.base_env(), check=True, stdout=out,
                           stderr=subprocess.STDOUT)

    def prepare(self) -> None:
        """Database (created if missing) and migrations, then the frontend build, once."""
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        self._create_database()
        log = self.workdir / "logs" / "prepare.log"
        self._run(sys.executable, "-m", "kivra_app.migrate", log=log)
        self._build_frontend(log)

    def _create_database(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        if not url.drivername.startswith("postgresql"):
            return
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()

    def _build_frontend(self, log: Path) -> None:
        # Start from the worktree's .web (its node_modules) when there is one: no npm install.
        source = ROOT / ".web"
        if not self.web_dir.exists() and (source / "node_modules").exists():
            def top_level_only(directory: str, names: list[str]) -> set[str]:
                return {"build", ".states"} & set(names) if Path(directory) == source else set()

            shutil.copytree(source, self.web_dir, symlinks=True, ignore=top_level_only)
        self._run(
            shutil.which("reflex", path=self.base_env()["PATH"]) or "reflex",
            "export", "--frontend-only", "--no-zip", "--env", "prod",
            log=log,
        )

    def write_nginx_conf(self) -> Path:
        upstreams = "\n".join(
            f"        server 127.0.0.1:{i.port} max_fails=1 fail_timeout=3s;"
            for i in self.instances
        )
        conf = (DEPLOY / "nginx" / "cluster.conf.template").read_text()
        for name, value in {
            "port": str(self.port),
            "upstreams": upstreams,
            "static_root": str(self.web_dir / "build" / "client"),
            "prefix": str(self.workdir),
            "user": getpass.getuser(),
        }.items():
            conf = conf.replace("{{" + name + "}}", value)
        for name in ("kivra-locations.conf", "security-headers.conf"):
            shutil.copy(DEPLOY / "nginx" / name, self.workdir / name)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / "nginx-tmp" / sub).mkdir(parents=True, exist_ok=True)
        path = self.workdir / "nginx.conf"
        path.write_text(conf)
        return path

    # --- processes ---------------------------------------------------------------------------

    def _make_instances(self) -> None:
        if not self.instances:
            self.instances = [
                Instance(chr(ord("a") + n), free_port(), free_port(),
                         self.workdir / "logs" / f"instance-{chr(ord('a') + n)}.log")
                for n in range(self.instance_count)
            ]

    def start_instance(self, instance: Instance, timeout: float = 300, *, wait: bool = True) -> None:
        env = self.base_env()
        env.update(
            KIVRA_PORT=str(instance.port),
            # One embedded SMTP server per instance (its workers share it), mails to the DB outbox.
            KIVRA_SMTP_PORT=str(instance.smtp_port),
            GRANIAN_WORKERS=str(self.workers),
            REFLEX_BACKEND_ONLY="true",  # = --backend-only, and rxconfig names no frontend port
        )
        out = instance.log.open("ab")
        instance.proc = subprocess.Popen(
            [shutil.which("reflex", path=env["PATH"]) or "reflex", "run", "--env", "prod",
             "--backend-port", str(instance.port), "--backend-host", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        if wait:
            self.wait_instance(instance, timeout)

    def wait_instance(self, instance: Instance, timeout: float = 300) -> None:
        _wait_http(f"{instance.url}/ping", timeout, instance.proc)

    def stop_instance(self, instance: Instance, sig: int = signal.SIGTERM) -> None:
        if instance.proc is None:
            return
        if instance.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(instance.proc.pid, sig)
            try:
                instance.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(instance.proc.pid, signal.SIGKILL)
                instance.proc.wait()
        instance.proc = None

    def start(self) -> Cluster:
        self.prepare()
        self._make_instances()
        for instance in self.instances:  # all at once: each start takes a while
            self.start_instance(instance, wait=False)
        for instance in self.instances:
            self.wait_instance(instance)
        conf = self.write_nginx_conf()
        check = subprocess.run([NGINX, "-t", "-p", str(self.workdir), "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.workdir), "-c", str(conf), "-g", "daemon off;"],
            start_new_session=True,
        )
        _wait_http(f"{self.url}/health", 30, self.nginx)
        return self

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=20)
        for instance in self.instances:
            self.stop_instance(instance)

    @contextlib.contextmanager
    def running(self) -> Iterator[Cluster]:
        try:
            yield self.start()
        finally:
            self.stop()


def main() -> None:
    cluster = Cluster.from_env()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with cluster.running():
        print(f"cluster: nginx {cluster.url} -> "
              + ", ".join(f"{i.name}={i.url} (smtp {i.smtp_port})" for i in cluster.instances)
              + f"; {cluster.workers} workers each; Redis {cluster.redis_url}; "
              f"database {cluster.database_url}; logs in {cluster.workdir / 'logs'}", flush=True)
        try:
            while not stop:
                for instance in cluster.instances:
                    if not instance.running():
                        raise SystemExit(f"instance {instance.name} exited; see {instance.log}")
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
