"""The development SMTP server in a process of its own: python -m devtools.dev_smtp --port 8025.

The app embeds it (one worker binds the port, kivra_app/web/lifespan.py) when no SMTP host is
set. Standalone, it stands where a mail relay stands in production: outside the app's
workers, so under load it neither shares a worker's interpreter nor counts in its CPU. Point
the app at it with KIVRA_SMTP_HOST=127.0.0.1, KIVRA_SMTP_PORT and KIVRA_SMTP_STARTTLS=false;
it stores every mail in the dev outbox of the app's database (KIVRA_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import signal
import threading

from kivra_app.db import get_engine
from kivra_app.messaging.smtp_server import DevSmtpServer
from kivra_app.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Development SMTP server (the dev outbox)")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    if get_settings().is_production:
        # It writes every mail, the verification codes in them, to the app's database.
        raise SystemExit("devtools.dev_smtp is for development only (KIVRA_ENV=production)")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with DevSmtpServer(get_engine(), port=args.port) as server:
        print(f"dev SMTP server on 127.0.0.1:{server.port}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
