"""Animated BankID QR frames and a cheap SVG renderer for them.

`qr_data` follows the RP guideline (HMAC-SHA256 of the elapsed whole seconds,
keyed with the qrStartSecret text). The renderer is built for a frame per second
per waiting user: the function patterns of each (version, mask) layout are taken
from `qrcode` once and cached, and each frame only encodes its bytes, computes
the Reed-Solomon codewords from lookup tables and XORs them into the cached
layout. The SVG is one `<path>` of horizontal runs, drawn as 1-unit strokes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from qrcode import QRCode, util
from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M

QUIET_ZONE = 4
# A fixed mask keeps the cost flat; a scanner reads any of the eight masks.
DEFAULT_MASK = 0
_EC_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M}
_DARK_RUN = re.compile(r"1+")


def qr_data(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """The payload of the QR frame shown `seconds` whole seconds after the order started."""
    if seconds < 0:
        raise ValueError("seconds must be >= 0")
    qr_time = str(int(seconds))
    code = hmac.new(
        qr_start_secret.encode("ascii"), qr_time.encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bankid.{qr_start_token}.{qr_time}.{code}"


def qr_seconds(started_at: float, now: float) -> int:
    """Whole seconds since the RP received the order (rounded down, as the guideline does)."""
    return max(0, int(now - started_at))


# --- Reed-Solomon over GF(256) with the QR polynomial 0x11d ---------------------------

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Log form of the generator polynomial (x - a^0)...(x - a^(n-1)), leading 1 dropped."""
    poly = [1]
    for i in range(ec_count):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(_LOG[c] for c in poly[1:])


def _rs_remainder(data: list[int], ec_count: int) -> list[int]:
    gen = _generator_logs(ec_count)
    rem = [0] * ec_count
    exp = _EXP
    log = _LOG
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:]
        rem.append(0)
        if factor:
            lf = log[factor]
            rem = [r ^ exp[lf + g] for r, g in zip(rem, gen, strict=True)]
    return rem


# --- Cached layout per (version, error correction, mask) ------------------------------


@dataclass(frozen=True)
class _Layout:
    version: int
    size: int
    template: tuple[bytes, ...]  # rows of b"0"/b"1"; data modules left b"0"
    positions: tuple[tuple[int, int], ...]  # data modules in placement order
    mask_bits: int  # the mask over `positions`, as one big integer (first = MSB)
    blocks: tuple[tuple[int, int], ...]  # (data codewords, ec codewords) per block
    data_capacity: int  # data codewords


@lru_cache(maxsize=64)
def _layout(version: int, ec: int, mask: int) -> _Layout:
    qr = QRCode(version=version, error_correction=ec, mask_pattern=mask, border=0)
    n = version * 4 + 17
    qr.modules_count = n
    qr.modules = [[None] * n for _ in range(n)]
    qr.setup_position_probe_pattern(0, 0)
    qr.setup_position_probe_pattern(n - 7, 0)
    qr.setup_position_probe_pattern(0, n - 7)
    qr.setup_position_adjust_pattern()
    qr.setup_timing_pattern()
    qr.setup_type_info(False, mask)
    if version >= 7:
        qr.setup_type_number(False)
    modules = qr.modules

    positions = []
    row, step = n - 1, -1
    for col in range(n - 1, 0, -2):
        if col <= 6:
            col -= 1
        while 0 <= row < n:
            for c in (col, col - 1):
                if modules[row][c] is None:
                    positions.append((row, c))
            row += step
        row -= step
        step = -step

    is_masked = util.mask_func(mask)
    mask_bits = 0
    for r, c in positions:
        mask_bits = (mask_bits << 1) | bool(is_masked(r, c))
    template = tuple(bytes(48 + bool(m) for m in line) for line in modules)
    blocks = tuple((b.data_count, b.total_count - b.data_count) for b in rs_blocks(version, ec))
    return _Layout(
        version=version,
        size=n,
        template=template,
        positions=tuple(positions),
        mask_bits=mask_bits,
        blocks=blocks,
        data_capacity=sum(d for d, _ in blocks),
    )


def _length_bits(version: int) -> int:
    return 8 if version < 10 else 16


@lru_cache(maxsize=256)
def _version_for(byte_count: int, ec: int) -> int:
    for version in range(1, 41):
        capacity = sum(b.data_count for b in rs_blocks(version, ec)) * 8
        if 4 + _length_bits(version) + 8 * byte_count <= capacity:
            return version
    raise ValueError(f"{byte_count} bytes do not fit in a QR code")


def _codewords(payload: bytes, layout: _Layout) -> list[int]:
    """Byte-mode data codewords plus interleaved Reed-Solomon codewords."""
    bits = 0b0100
    bits = (bits << _length_bits(layout.version)) | len(payload)
    bits = (bits << 8 * len(payload)) | int.from_bytes(payload, "big")
    used = 4 + _length_bits(layout.version) + 8 * len(payload)
    capacity = layout.data_capacity * 8
    terminator = min(4, capacity - used)
    bits <<= terminator
    used += terminator
    pad_to_byte = (-used) % 8
    bits <<= pad_to_byte
    used += pad_to_byte
    data = list(bits.to_bytes(used // 8, "big"))
    pad = (0xEC, 0x11)
    data.extend(pad[i % 2] for i in range(layout.data_capacity - len(data)))

    data_blocks, ec_blocks, offset = [], [], 0
    for data_count, ec_count in layout.blocks:
        block = data[offset : offset + data_count]
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_rs_remainder(block, ec_count))
    out: list[int] = []
    for blocks in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in blocks)):
            out.extend(b[i] for b in blocks if i < len(b))
    return out


def qr_matrix(data: str, *, ec: str = "L", mask: int = DEFAULT_MASK) -> list[str]:
    """The QR symbol for `data` (byte mode, smallest version) as rows of '0'/'1', no quiet zone."""
    payload = data.encode("utf-8")
    level = _EC_LEVELS[ec]
    layout = _layout(_version_for(len(payload), level), level, mask)
    codewords = _codewords(payload, layout)
    count = len(layout.positions)
    stream = int.from_bytes(bytes(codewords), "big")
    stream_bits = 8 * len(codewords)
    # Remainder modules past the codewords carry 0 before masking.
    stream <<= count - stream_bits
    bits = format(stream ^ layout.mask_bits, f"0{count}b")
    rows = [bytearray(line) for line in layout.template]
    for bit, (r, c) in zip(bits, layout.positions, strict=True):
        rows[r][c] = ord(bit)
    return [row.decode("ascii") for row in rows]


def svg_path(rows: list[str]) -> str:
    """Path data drawing each dark run as a horizontal 1-unit stroke at row centre y+0.5."""
    parts: list[str] = []
    x, y = 0, 0.0
    first = True
    for r, row in enumerate(rows):
        cy = r + 0.5
        for run in _DARK_RUN.finditer(row):
            start, end = run.span()
            if first:
                parts.append(f"M{start},{_num(cy)}")
                first = False
            elif cy == y:
                parts.append(f"m{start - x},0")
            else:
                parts.append(f"m{start - x},{_num(cy - y)}")
            parts.append(f"h{end - start}")
            x, y = end, cy
    return "".join(parts)


def _num(value: float) -> str:
    text = f"{value:g}"
    return text[1:] if text.startswith("0.") else text


def render_svg(rows: list[str]) -> str:
    """A standalone SVG (white quiet zone of four modules, black modules)."""
    size = len(rows)
    full = size + 2 * QUIET_ZONE
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' "
        f"viewBox='-{QUIET_ZONE},-{QUIET_ZONE},{full},{full}' shape-rendering='crispEdges'>"
        f"<path fill='#fff' d='M-{QUIET_ZONE},-{QUIET_ZONE}h{full}v{full}h-{full}z'/>"
        f"<path stroke='#000' d='{svg_path(rows)}'/></svg>"
    )


def svg_data_uri(svg: str) -> str:
    """Percent-encode only what a data URI needs; the SVG uses single quotes throughout."""
    escaped = (
        svg.replace("%", "%25")
        .replace("#", "%23")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace(" ", "%20")
    )
    return "data:image/svg+xml," + escaped


def render_qr_svg_data_uri(data: str, *, ec: str = "L") -> str:
    """An `<img src>`-ready SVG data URI of a QR code for any short string (e.g. an app-store link)."""
    return svg_data_uri(render_svg(qr_matrix(data, ec=ec)))


def render_frame(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """The data URI of one animated BankID frame."""
    return render_qr_svg_data_uri(qr_data(qr_start_token, qr_start_secret, seconds))
