"""QR frame cost: server CPU and bytes per animated BankID frame.

Run: .venv/bin/python bench/bench_qr.py  (add --baseline to also time qrcode's SVG image)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kivra_app.bankid import qr  # noqa: E402

TOKEN = str(uuid.uuid4())
SECRET = str(uuid.uuid4())


def per_call_ms(fn, number: int) -> float:
    runs = timeit.repeat(fn, number=number, repeat=5)
    return min(runs) / number * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()

    counter = iter(range(10**9))

    def frame() -> str:
        return qr.render_frame(TOKEN, SECRET, next(counter) % 180)

    data = qr.qr_data(TOKEN, SECRET, 123)
    sizes = [len(qr.render_frame(TOKEN, SECRET, s)) for s in range(180)]
    print(f"payload: {len(data)} chars; symbol {len(qr.qr_matrix(data))} modules + quiet zone 4")
    print(f"frame (HMAC + matrix + SVG data URI): {per_call_ms(frame, args.frames):.3f} ms/frame")
    print(
        f"  matrix only:                       {per_call_ms(lambda: qr.qr_matrix(data), args.frames):.3f} ms"
    )
    print(
        f"  HMAC only:                         {per_call_ms(lambda: qr.qr_data(TOKEN, SECRET, 5), args.frames):.4f} ms"
    )
    print(
        f"bytes/frame over 180 frames: mean {statistics.mean(sizes):.0f}, "
        f"max {max(sizes)} (data URI, utf8-escaped)"
    )

    if args.baseline:
        import io

        import qrcode
        import qrcode.image.svg

        def baseline() -> bytes:
            buf = io.BytesIO()
            qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
            return buf.getvalue()

        print(
            f"baseline qrcode SvgPathImage: {per_call_ms(baseline, 100):.2f} ms/frame, "
            f"{len(baseline())} bytes"
        )


if __name__ == "__main__":
    main()
