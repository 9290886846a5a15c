"""Read a file into a ParsedDoc, whatever its format, or raise ParseError with a specific reason.

>>> from importlib.resources import files
>>> parse(files("assistant.samples") / "hp3_pump_manual.pdf").pages[0][:20]
'HP-3 Hydraulic Power'
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ParseError, UnsupportedFormat
from ..settings import Settings
from ..types import ParsedDoc

# The reader's version: a library re-reads a document indexed by another (tables, page labels and
# running headers came with "layout-1"; a table row cut by the page break read as one row with "layout-3";
# letter-spaced words pdfium splits read whole, and Chinese in a font the machine lacks, with "layout-4";
# a degree sign set as a raised "0", and lettered steps whose parentheses are drawn, with "layout-5"; the
# lettered parts a task covers, listed a line each, as a list and not one heading over the task, with "layout-6";
# a callout wrapped onto a line's start, "(6) with three screws (1).", as the step's text and no item 6, a
# changed page's footer "3- 2 Change 1" as its label, not a heading, and a lettered part titled by a phrase,
# "e . Securing Shelter on 1-1/4-Ton (M1028) Truck.", as a heading, with "layout-7"; a wrapped line of Chinese
# joined also where a figure in it is set in another font, with "layout-8"; a table's group heading over
# sub-columns, "SAE GRADE / No. 5" over "POUND FEET | NEWTON METERS", naming both sub-columns, and a header
# line such as "NO. 1 or 2" read as a header, with "layout-9").
PARSER_VERSION = "layout-9"

EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".md": "markdown",
              ".markdown": "markdown", ".txt": "text", ".text": "text"}


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


def sniff(head: bytes) -> str:
    """What the first bytes say the file is: pdf, zip, html, text or binary."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return "text"
    if b"\x00" in head[:4096] or _control_ratio(head[:4096]) > 0.05:
        return "binary"
    low = head[:2048].lower()
    if any(t in low for t in (b"<!doctype html", b"<html", b"<body", b"<head")):
        return "html"
    return "text"


def _control_ratio(b: bytes) -> float:
    if not b:
        return 0.0
    bad = sum(1 for x in b if x < 32 and x not in (9, 10, 12, 13, 27))
    return bad / len(b)


def decode_text(raw: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a superset of GBK and GB2312)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(path, "invalid UTF-16 text") from exc
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text.encode("utf-8", "replace")[:4096]) <= 0.05:
            return text
    raise ParseError(path, "binary content, not text in UTF-8, UTF-16 or GB18030")


def parse(path: Path | str, settings: Settings | None = None) -> ParsedDoc:
    from .markup import parse_docx, parse_html_text, parse_markdown_text, parse_plain_text
    from .pdf import parse_pdf

    settings = settings or Settings()
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise UnsupportedFormat(str(path), f"unsupported file type '{ext or '(none)'}'; supported: {', '.join(sorted(EXTENSIONS))}")
    try:
        size = path.stat().st_size
        if size == 0:
            raise ParseError(str(path), "empty file")
        if size > settings.max_file_mb * 1024 * 1024:
            raise ParseError(str(path), f"file is {size // 2**20} MB, more than max_file_mb={settings.max_file_mb}")
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as exc:
        raise ParseError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
    kind, want = sniff(head), EXTENSIONS[ext]
    expected = {"pdf": "pdf", "docx": "zip"}.get(want, "text")
    if kind != expected and not (kind == "html" and want in ("html", "markdown", "text")):
        if kind == "binary":
            raise UnsupportedFormat(str(path), "binary content, not a readable document")
        raise UnsupportedFormat(str(path), f"content is {_NAMES[kind]}, not {_NAMES[expected]} as the extension '{ext}' says")
    try:
        if want == "pdf":
            return parse_pdf(path, settings)
        if want == "docx":
            return parse_docx(path, settings)
        text = decode_text(path.read_bytes(), str(path))
        if not text.strip():
            raise ParseError(str(path), "no text found in document")
        if want == "html":
            return parse_html_text(path, text)
        if want == "markdown":
            return parse_markdown_text(path, text)
        return parse_plain_text(path, text)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(str(path), "document nesting too deep") from exc
    except Exception as exc:  # a parser bug must not stop a batch; report it for this file
        raise ParseError(str(path), f"could not parse ({type(exc).__name__}: {exc})") from exc


_NAMES = {"pdf": "a PDF", "zip": "a ZIP/Office file", "html": "HTML", "text": "text", "binary": "binary data"}
