"""Run the simulator standalone: python -m devtools.bankid_sim --port 8765.

With --cert/--key it serves HTTPS; adding --client-ca requires a client certificate
issued by that CA (mutual TLS, as the real API does).
"""

from __future__ import annotations

import argparse
import ssl

import uvicorn

from devtools.bankid_sim.app import create_simulator_app
from devtools.bankid_sim.config import SimulatorConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="BankID RP API v6.0 simulator (development only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cert", help="server certificate (PEM) for HTTPS")
    parser.add_argument("--key", help="server private key (PEM)")
    parser.add_argument("--client-ca", help="CA (PEM) that client certificates must chain to")
    parser.add_argument("--start-deadline", type=float, default=30.0)
    parser.add_argument("--order-lifetime", type=float, default=180.0)
    args = parser.parse_args(argv)
    if args.client_ca and not args.cert:
        parser.error("--client-ca needs --cert and --key")

    app = create_simulator_app(
        SimulatorConfig(start_deadline=args.start_deadline, order_lifetime=args.order_lifetime)
    )
    tls: dict[str, object] = {}
    if args.cert:
        tls = {"ssl_certfile": args.cert, "ssl_keyfile": args.key}
        if args.client_ca:
            tls.update(ssl_ca_certs=args.client_ca, ssl_cert_reqs=ssl.CERT_REQUIRED)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", **tls)


if __name__ == "__main__":
    main()
