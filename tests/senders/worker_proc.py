"""A notification worker in its own process, for the killed-send test:
`python -m tests.senders.worker_proc DATABASE_URL DATA_DIR` claims a group, prints
"sending <n>" and then hangs inside the mailer until it is killed."""

from __future__ import annotations

import asyncio
import sys

from kivra_app.db import make_engine
from kivra_app.senders.notifications import NotificationWorker
from tests.senders.harness import make_settings


class HangingMailer:
    async def send(self, **_: str) -> None:
        await asyncio.Event().wait()  # the SMTP server never answers


async def main(url: str, data_dir: str) -> None:
    settings = make_settings(data_dir, url, notification_lease=2.0)
    worker = NotificationWorker(make_engine(url), settings, HangingMailer(), None)
    claim = await asyncio.to_thread(worker.claim)
    print(f"sending {len(claim.rows) if claim else 0}", flush=True)
    if claim is not None:
        await worker.send(claim)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
