"""Figures the Makefile needs to start the server: `python -m kivra_app.serving workers`.

Reflex 0.10.1 serves the production backend with Granian; `GRANIAN_WORKERS` sets its worker
processes (reflex/utils/exec.py, run_granian_backend_prod). Without Redis every worker would keep
its own tabs' state, so the count is 1 then (see `Settings.backend_workers`).
"""

from __future__ import annotations

import sys

from kivra_app.settings import get_settings


def main(argv: list[str]) -> int:
    settings = get_settings()
    if argv[:1] == ["workers"]:
        workers = settings.backend_workers
        if settings.workers and settings.workers > workers:
            print(
                f"KIVRA_WORKERS={settings.workers} needs KIVRA_REDIS_URL (Reflex's state shared "
                "by the workers); serving with 1 worker",
                file=sys.stderr,
            )
        print(workers)
        return 0
    print("usage: python -m kivra_app.serving workers", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
