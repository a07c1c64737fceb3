"""A small writer of real, valid one-or-more-page PDFs with text (Helvetica, WinAnsi so å ä ö
work), for the demo sender's letters, the tests and the bench. No active content."""

from __future__ import annotations

PAGE_LINES = 46


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(title: str, lines: list[str]) -> bytes:
    out = [b"BT /F1 16 Tf 56 780 Td (" + _escape(title) + b") Tj ET"]
    y = 750
    for line in lines:
        out.append(b"BT /F1 11 Tf 56 %d Td (" % y + _escape(line) + b") Tj ET")
        y -= 15
    return b"\n".join(out)


def make_pdf(title: str, lines: list[str] | None = None, *, pad_to: int = 0) -> bytes:
    """A PDF with `title` and `lines` (paged every 46 lines). `pad_to`: grow the file to about
    that many bytes with an unreferenced, harmless stream (bench: 100 KB letters)."""
    lines = list(lines or [])
    pages = [lines[i:i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
    objects: list[bytes] = []  # object n is objects[n-1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # pages tree, filled below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    kids = []
    for number, page_lines in enumerate(pages):
        stream = _content(title if number == 0 else "", page_lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_ref = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_ref)
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    if pad_to:
        size = sum(len(o) for o in objects) + 200 + 20 * len(objects)
        filler = b"0" * max(0, pad_to - size - 60)
        objects.append(b"<< /Length %d >>\nstream\n" % len(filler) + filler + b"\nendstream")
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref_at = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        body += b"%010d 00000 n \n" % offset
    body += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
             % (len(objects) + 1, xref_at))
    return bytes(body)
