"""What a part really is: PDFs by magic bytes and a parse with pypdf, refusing encryption and
active content; plain text as strict UTF-8. The filename is only a label (no path parts).

Refused in a PDF (PDFiD's list, OWASP file-upload guidance): /JavaScript, /JS, /Launch and
other actions that run or send something (/SubmitForm, /ImportData, /GoToE,
/RichMediaExecute), /EmbeddedFile(s), /RichMedia, /XFA; encrypted files; files pypdf cannot
read. Names are compared decoded (pypdf turns /J#61vaScript into /JavaScript) on every object,
including those inside compressed object streams.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files are ours to judge

PDF = "application/pdf"
TEXT = "text/plain"
ALLOWED_TYPES = (PDF, TEXT)

_BAD_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"})
_BAD_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}
)
_BAD_TYPES = frozenset({"/EmbeddedFile", "/Filespec"})
# The same names in the raw bytes, for objects a damaged xref would hide from the parser
_RAW_BAD = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9#])")
MAX_OBJECTS = 200_000


class NotAllowed(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def safe_filename(raw: str) -> str:
    """A display label: the last path segment, no control characters, at most 255 chars."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".") or "dokument"
    return name[:255]


def _walk(obj: object, seen: set[int], depth: int = 0) -> None:
    if depth > 100:
        raise NotAllowed("pdf_too_deep")
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        if len(seen) > MAX_OBJECTS:
            raise NotAllowed("pdf_too_complex")
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _BAD_KEYS:
                raise NotAllowed("pdf_active_content")
            if key == "/S" and isinstance(value, NameObject) and value in _BAD_ACTIONS:
                raise NotAllowed("pdf_active_content")
            if key == "/Type" and isinstance(value, NameObject) and value in _BAD_TYPES:
                raise NotAllowed("pdf_embedded_file")
            _walk(value, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            _walk(item, seen, depth + 1)


def check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise NotAllowed("not_a_pdf")
    if b"/Encrypt" in data:
        raise NotAllowed("pdf_encrypted")
    if _RAW_BAD.search(data):
        raise NotAllowed("pdf_active_content")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NotAllowed("pdf_encrypted")
        if len(reader.pages) < 1:
            raise NotAllowed("pdf_no_pages")
        seen: set[int] = set()
        _walk(reader.trailer, seen)
        for generation in reader.xref.values():  # every object the file lists, used or not
            for idnum in generation:
                _walk(IndirectObject(idnum, 0, reader), seen)
        for idnum in reader.xref_objStm:
            _walk(IndirectObject(idnum, 0, reader), seen)
    except NotAllowed:
        raise
    except Exception:  # noqa: BLE001 - any parse failure means "not a PDF we accept"
        raise NotAllowed("pdf_unreadable") from None


def check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise NotAllowed("text_not_utf8") from None
    if "\x00" in text:
        raise NotAllowed("text_binary")


def check_part(content_type: str, data: bytes) -> None:
    if content_type == PDF:
        check_pdf(data)
    elif content_type == TEXT:
        if data.startswith(b"%PDF-"):
            raise NotAllowed("type_mismatch")
        check_text(data)
    else:
        raise NotAllowed("content_type")
