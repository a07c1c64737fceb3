"""The admin command line: `python -m kivra_app.admin <command>`.

    create-sender --name "Telia Sverige AB" --orgnr 5564300142   -> {"sender_id", "client_id", "client_secret"}
    rotate-secret --sender SENDER_ID_OR_ORGNR [--overlap-hours H] -> the same three fields, new secret
    suspend-sender --sender SENDER_ID_OR_ORGNR
    list-senders
    demo-deliver --personnummer 19YYMMDDNNNN [--sender SENDER_ID_OR_ORGNR]

The secret is printed once and stored only as a hash. Output is JSON on stdout; refusals go to
stderr with exit status 2. Nothing prints a personnummer.
"""

from __future__ import annotations

import argparse
import json
import sys

from kivra_app.db import get_engine
from kivra_app.senders import credentials
from kivra_app.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kivra_app.admin",
                                     description="Manage senders of the Kivra sender API.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-sender", help="a new sender and its client credentials")
    create.add_argument("--name", required=True, help="display name, e.g. 'Telia Sverige AB'")
    create.add_argument("--orgnr", required=True, help="organisationsnummer, e.g. 556430-0142")
    rotate = sub.add_parser("rotate-secret", help="new client credentials; the old ones stop")
    rotate.add_argument("--sender", required=True, help="sender_id or organisationsnummer")
    rotate.add_argument("--overlap-hours", type=float, default=0.0,
                        help="keep the old secret working this long (default: stop at once)")
    suspend = sub.add_parser("suspend-sender", help="refuse the sender's tokens and calls")
    suspend.add_argument("--sender", required=True, help="sender_id or organisationsnummer")
    sub.add_parser("list-senders", help="every sender (never a secret)")
    demo = sub.add_parser("demo-deliver", help="sample letters and invoices to one person")
    demo.add_argument("--personnummer", required=True, help="12 digits (a signed-up person)")
    demo.add_argument("--sender", default=None,
                      help="sender_id or organisationsnummer (default: the demo sender)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    from kivra_app.migrate import upgrade

    engine = get_engine()
    upgrade(engine)
    try:
        if args.command == "create-sender":
            out: object = credentials.create_sender(engine, name=args.name, orgnr=args.orgnr).as_json()
        elif args.command == "rotate-secret":
            out = credentials.rotate_secret(engine, args.sender,
                                            overlap_hours=args.overlap_hours).as_json()
        elif args.command == "suspend-sender":
            out = {"sender_id": credentials.suspend_sender(engine, args.sender),
                   "status": "suspended"}
        elif args.command == "list-senders":
            out = credentials.list_senders(engine)
        else:
            from kivra_app.senders.demo import demo_deliver

            out = demo_deliver(engine, settings, args.personnummer, sender_ref=args.sender)
    except credentials.SenderAdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=None if args.command != "list-senders" else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
