"""Animated-QR payloads (published test vectors) and rendered frames that must still scan."""

from __future__ import annotations

import re
import urllib.parse
import uuid

import pytest
import qrcode
import zxingcpp
from PIL import Image

from kivra_app.bankid import qr

TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
SECRET = "d28db9a7-4cde-429e-a983-359be676944c"
# From BankID's RP guideline, as quoted in the reference §5.1.
VECTORS = {
    0: "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8",
    1: "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2",
    2: "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3",
}


@pytest.mark.parametrize("seconds", sorted(VECTORS))
def test_qr_data_matches_published_vectors(seconds: int) -> None:
    assert qr.qr_data(TOKEN, SECRET, seconds) == f"bankid.{TOKEN}.{seconds}.{VECTORS[seconds]}"


def test_qr_seconds_round_down() -> None:
    assert qr.qr_seconds(100.0, 100.99) == 0
    assert qr.qr_seconds(100.0, 102.5) == 2
    assert qr.qr_seconds(100.0, 99.0) == 0


def test_negative_seconds_refused() -> None:
    with pytest.raises(ValueError):
        qr.qr_data(TOKEN, SECRET, -1)


# --- rasterising ---------------------------------------------------------------------------


def _uri_to_svg(uri: str) -> str:
    prefix = "data:image/svg+xml,"
    assert uri.startswith(prefix)
    return urllib.parse.unquote(uri[len(prefix) :])


def _svg_to_grid(svg: str) -> list[list[bool]]:
    """Rasterise our SVG independently of the renderer: read viewBox and replay the path."""
    box = re.search(r"viewBox='([-\d.]+),([-\d.]+),([\d.]+),([\d.]+)'", svg)
    assert box is not None
    x0, y0, width, height = (float(v) for v in box.groups())
    grid = [[False] * int(width) for _ in range(int(height))]
    path = re.search(r"<path stroke='#000' d='([^']*)'", svg)
    assert path is not None
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHh])([^MmHh]*)", path.group(1)):
        nums = [float(n) for n in re.findall(r"-?\d*\.?\d+", args)]
        if cmd in "Mm":
            dx, dy = nums
            x, y = (dx, dy) if cmd == "M" else (x + dx, y + dy)
        else:
            (length,) = nums
            end = length if cmd == "H" else x + length
            row = int(y - 0.5 - y0)
            for col in range(int(min(x, end) - x0), int(max(x, end) - x0)):
                grid[row][col] = True
            x = end
    return grid


def _image(grid: list[list[bool]], scale: int = 4) -> Image.Image:
    size = len(grid)
    img = Image.new("L", (size * scale, size * scale), 255)
    px = img.load()
    for r, line in enumerate(grid):
        for c, dark in enumerate(line):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        px[c * scale + dx, r * scale + dy] = 0
    return img


def _decode(uri: str) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(_image(_svg_to_grid(_uri_to_svg(uri))))]


@pytest.mark.parametrize("seconds", [0, 1, 2, 29, 57, 179])
def test_rendered_frames_decode_to_the_exact_payload(seconds: int) -> None:
    uri = qr.render_frame(TOKEN, SECRET, seconds)
    assert _decode(uri) == [qr.qr_data(TOKEN, SECRET, seconds)]


def test_frames_of_random_orders_decode() -> None:
    for _ in range(15):
        token, secret = str(uuid.uuid4()), str(uuid.uuid4())
        seconds = uuid.uuid4().int % 200
        assert _decode(qr.render_frame(token, secret, seconds)) == [
            qr.qr_data(token, secret, seconds)
        ]


@pytest.mark.parametrize(
    "text",
    [
        "https://apps.apple.com/se/app/bankid-s%C3%A4kerhetsapp/id433151512",
        "https://play.google.com/store/apps/details?id=com.bankid.bus",
        "x",
        "Åäö & <svg> #100%",
    ],
)
def test_any_short_string_renders_and_decodes(text: str) -> None:
    assert _decode(qr.render_qr_svg_data_uri(text)) == [text]


def test_quiet_zone_is_four_light_modules() -> None:
    svg = _uri_to_svg(qr.render_frame(TOKEN, SECRET, 5))
    grid = _svg_to_grid(svg)
    size = len(grid)
    border = [
        grid[r][c]
        for r in range(size)
        for c in range(size)
        if min(r, c) < qr.QUIET_ZONE or max(r, c) >= size - qr.QUIET_ZONE
    ]
    assert border and not any(border)
    assert "fill='#fff'" in svg  # the quiet zone is painted white, not transparent


def test_matrix_equals_the_qrcode_library_for_every_mask() -> None:
    data = qr.qr_data(TOKEN, SECRET, 42)
    for ec_name, level in (
        ("L", qrcode.constants.ERROR_CORRECT_L),
        ("M", qrcode.constants.ERROR_CORRECT_M),
    ):
        for mask in range(8):
            rows = qr.qr_matrix(data, ec=ec_name, mask=mask)
            ref = qrcode.QRCode(
                version=(len(rows) - 17) // 4, error_correction=level, mask_pattern=mask, border=0
            )
            ref.add_data(data, optimize=0)
            ref.make(fit=False)
            assert rows == ["".join("1" if m else "0" for m in line) for line in ref.modules]


def test_frames_stay_small() -> None:
    sizes = [len(qr.render_frame(TOKEN, SECRET, s)) for s in range(0, 180, 7)]
    assert max(sizes) <= 3 * 1024


def test_data_uri_has_no_characters_needing_escape() -> None:
    uri = qr.render_frame(TOKEN, SECRET, 3)
    assert not re.search(r"[\s<>\"#{}]", uri)


def test_too_long_data_is_refused() -> None:
    with pytest.raises(ValueError):
        qr.render_qr_svg_data_uri("x" * 3000)
