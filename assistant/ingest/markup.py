"""DOCX, HTML, Markdown and plain text. None has pages, so each document is one page whose text is
the document's lines joined by newlines; every block is an exact slice of it."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import ParseError
from ..settings import Settings
from ..types import ParsedDoc
from .lines import Line, build_blocks, split_lines

# ---- shared: lines with known kinds -> one page


def _assemble(path: Path, fmt: str, items: list[tuple], title: str = "") -> ParsedDoc:
    """items: (text, kind or "", heading level[, column headers of a table row]); empty texts are skipped."""
    parts, lines, pos = [], [], 0
    for text, kind, level, *rest in items:
        text = re.sub(r"[ \t\u00a0]+", " ", text).strip()
        if not text:
            continue
        parts.append(text)
        lines.append(Line(pos, pos + len(text), heading=level, kind=kind if kind != "heading" else "",
                          headers=rest[0] if rest else ()))
        pos += len(text) + 1
    page = "\n".join(parts)
    if not page.strip():
        raise ParseError(str(path), "no text found in document")
    # Each item is its own element in the source (a paragraph, a list item, a row): never merge two.
    gaps = set(range(len(lines)))
    return ParsedDoc(str(path), fmt, (page,), tuple(build_blocks(1, page, lines, gaps)), title)


# ---- DOCX

def parse_docx(path: Path, settings: Settings) -> ParsedDoc:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {i.filename for i in zf.infolist()}
            if "word/document.xml" not in names:
                raise ParseError(str(path), "zip archive without word/document.xml: not a Word document")
            total = sum(i.file_size for i in zf.infolist())
            if total > settings.max_unzipped_mb * 1024 * 1024:
                raise ParseError(str(path), f"DOCX unpacks to {total // 2**20} MB, more than max_unzipped_mb={settings.max_unzipped_mb} (zip bomb?)")
    except zipfile.BadZipFile as exc:
        raise ParseError(str(path), "damaged DOCX (bad zip archive)") from exc
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for broken XML
        raise ParseError(str(path), f"damaged DOCX ({type(exc).__name__})") from exc
    items: list[tuple[str, str, int]] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(el, d)
            style = (p.style.name if p.style is not None else "") or ""
            m = re.match(r"(?:Heading|标题)\s*(\d)", style)
            if m or style == "Title":
                items.append((p.text, "heading", int(m.group(1)) if m else 1))
            elif "List" in style or el.find(".//{*}numPr") is not None:
                items.append((p.text, "list_item", 0))
            else:
                items.append((p.text, "", 0))
        elif tag == "tbl":
            rows = []
            for row in Table(el, d).rows:
                cells = []
                for c in row.cells:
                    t = c.text.strip()
                    if not cells or cells[-1] != t:  # merged cells repeat their text
                        cells.append(t)
                rows.append((cells, any(r.bold for c in row.cells for p in c.paragraphs for r in p.runs if r.text.strip()),
                             row._tr.trPr is not None and row._tr.trPr.find("{*}tblHeader") is not None))
            items += _table_items(rows)
    title = (d.core_properties.title or "").strip()
    return _assemble(path, "docx", items, title)


def _table_items(rows: list[tuple[list[str], bool, bool]]) -> list[tuple]:
    """Items for a Word or HTML table's rows (cells, set in bold, marked as a header row): the first
    row is the header when it is marked so, or bold, or names columns of values (no digits in it while
    most rows below hold some); the rows below it carry its cells as their column headers."""
    from .layout import is_header_row

    head: tuple[str, ...] = ()
    out = []
    for i, (cells, bold, marked) in enumerate(rows):
        text = " | ".join(c for c in cells if c)
        if i == 0 and len(cells) > 1 and (marked or bold or is_header_row(cells, [r[0] for r in rows[1:]])):
            head = tuple(cells)
            out.append((text, "table_row", 1))  # level 1: the table's header row
            continue
        headers = tuple(h for h, c in zip(head, cells) if c) if head and len(head) == len(cells) else ()
        out.append((text, "table_row", 0, headers))
    return out


# ---- HTML


def _cells(tr) -> list[str]:
    """The text of a table row's td and th cells, white space evened out."""
    return [" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["td", "th"])]


_DROP = {"script", "style", "nav", "noscript", "template", "iframe", "svg", "form", "button", "select", "head", "object", "embed"}
_BLOCK = {"p", "div", "li", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "section", "article", "main", "aside",
          "header", "footer", "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "caption", "body", "html",
          "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr"}


def parse_html_text(path: Path, raw: str) -> ParsedDoc:
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    soup = BeautifulSoup(raw, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for t in soup.find_all(list(_DROP)):
        t.decompose()
    for t in soup.find_all(attrs={"role": "navigation"}):
        t.decompose()
    items: list[tuple[str, str, int]] = []

    def kind_of(tag: Tag) -> tuple[str, int]:
        if tag.name and re.fullmatch(r"h[1-6]", tag.name):
            return "heading", int(tag.name[1])
        if tag.name == "li":
            return "list_item", 0
        cls = " ".join(tag.get("class") or []).lower()
        if any(w in cls for w in ("warning", "caution", "danger")):
            return "warning", 0
        return "", 0

    def walk(tag: Tag, kind: str, level: int):
        buf: list[str] = []

        def flush():
            text = " ".join(buf).strip()
            buf.clear()
            if text:
                items.append((text, kind, level))

        for child in tag.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                s = " ".join(str(child).split())
                if s:
                    buf.append(s)
            elif isinstance(child, Tag):
                if child.name == "table" and child.find("tr") is not None:
                    flush()
                    rows = [tr for tr in child.find_all("tr") if tr.find_parent("table") is child]  # not a nested table's
                    items.extend(_table_items([(_cells(tr), False, tr.find("td") is None) for tr in rows]))
                elif child.name == "tr":  # a row outside any table: no header to look for
                    flush()
                    items.extend(_table_items([(_cells(child), False, False)]))
                elif child.name in _BLOCK:
                    flush()
                    k, lv = kind_of(child)
                    walk(child, k or (kind if kind == "warning" else ""), lv or (level if kind == "heading" else 0))
                else:
                    s = " ".join(child.get_text(" ", strip=True).split())
                    if s:
                        buf.append(s)
        flush()

    walk(soup.body or soup, "", 0)
    return _assemble(path, "html", items, title)


# ---- Markdown and plain text

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def parse_markdown_text(path: Path, text: str) -> ParsedDoc:
    """Markdown keeps its own text as the page (so quotes match the file); '#' lines are headings."""
    lines, gaps = [], set()
    in_code = False
    for ln in split_lines(text):
        s = text[ln.start : ln.end]
        if s.startswith("```"):
            in_code = not in_code
            continue
        m = _MD_HEADING.match(s) if not in_code else None
        if m:
            ln.heading = len(m.group(1))
            ln.start = ln.start + s.index(m.group(2)) if m.group(2) else ln.start
            gaps.add(len(lines))
        elif re.fullmatch(r"\|?[\s:\-|]+\|?", s):  # table separator row
            continue
        elif s.startswith("|"):
            ln.kind = "table_row"
        lines.append(ln)
    gaps |= _blank_gaps(text, lines)
    return ParsedDoc(str(path), "markdown", (text,), tuple(build_blocks(1, text, lines, gaps)))


def parse_plain_text(path: Path, text: str) -> ParsedDoc:
    lines = split_lines(text)
    return ParsedDoc(str(path), "text", (text,), tuple(build_blocks(1, text, lines, _blank_gaps(text, lines))))


def _blank_gaps(text: str, lines: list[Line]) -> set[int]:
    """Indexes of lines preceded by an empty line (a paragraph break)."""
    return {i for i in range(1, len(lines)) if text.count("\n", lines[i - 1].end, lines[i].start) >= 2}
