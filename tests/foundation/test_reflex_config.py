"""rxconfig.py as Reflex reads it (issue #12 findings 2 and 9), in a fresh interpreter each:
which state manager Reflex builds, the address it binds, the proxy hops, and the umask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, rxconfig
from reflex.istate.manager import StateManager
manager = StateManager.create()
umask = os.umask(0)
print(json.dumps({"manager": type(manager).__name__, "host": rxconfig.config.backend_host,
                  "hops": rxconfig.config.trusted_proxy_hops, "umask": umask}))
"""


def _probe(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("KIVRA_", "REFLEX_REDIS", "REDIS_URL"))}
    clean.update(KIVRA_DATA_DIR=str(tmp_path), REFLEX_TELEMETRY_ENABLED="false",
                 REFLEX_CHECK_LATEST_VERSION="false", **env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_one_worker_keeps_state_in_memory_and_binds_loopback(tmp_path: Path) -> None:
    seen = _probe(tmp_path)
    assert seen["manager"] == "StateManagerMemory"  # not StateManagerDisk's .states/*.pkl
    assert seen["host"] == "127.0.0.1"
    assert seen["hops"] == 0
    assert seen["umask"] == 0o077


def test_redis_url_selects_the_redis_state_manager(tmp_path: Path) -> None:
    seen = _probe(tmp_path, KIVRA_REDIS_URL="redis://127.0.0.1:6379/13",
                  KIVRA_TRUSTED_PROXY_HOPS="2", KIVRA_BIND_HOST="0.0.0.0")  # noqa: S104
    assert seen["manager"] == "StateManagerRedis"
    assert (seen["host"], seen["hops"]) == ("0.0.0.0", 2)  # noqa: S104


@pytest.mark.parametrize("name", ["kivra.db", "secret.key"])
def test_files_the_app_writes_are_private(tmp_path: Path, name: str) -> None:
    """The database the migration creates and the development key: owner only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env["KIVRA_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-m", "kivra_app.migrate"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([sys.executable, "-c", "import rxconfig; rxconfig.settings.secret_key_bytes()"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    mode = (tmp_path / name).stat().st_mode & 0o777
    assert mode & 0o077 == 0, oct(mode)
