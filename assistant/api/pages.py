"""A PDF page as an image, with the quoted passage marked where the page's text layer holds it.

>>> img, marked = render_page(Path("hp3_pump_manual.pdf"), 3, ["Tighten the cover to 25 N·m"])  # doctest: +SKIP
>>> marked                                                                                  # doctest: +SKIP
True
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from .errors import ApiError

MARK_FILL = (255, 214, 0, 90)
MARK_LINE = (200, 0, 0, 255)


def quote_pattern(quote: str, max_tokens: int | None = None) -> re.Pattern | None:
    """A pattern matching the quote whatever the whitespace between its words (PDF text layers put
    line breaks where the quote may have spaces)."""
    tokens = re.findall(r"\S+", quote)[:max_tokens]
    if not tokens:
        return None
    # Chinese text has no spaces: a quote's "技术人员" may sit on the page as "技术人\r\n员" (a line wrap)
    return re.compile(r"\s*".join(r"\s*".join(map(re.escape, re.findall(r"[\u3400-\u9fff]|[^\u3400-\u9fff]+", t)))
                                  for t in tokens))


def find_spans(page_text: str, quote: str) -> list[tuple[int, int]]:
    """Character spans of the quote in the page text: the whole quote, else its first words."""
    for n in (None, 12, 6):
        pat = quote_pattern(quote, n)
        if pat is None:
            return []
        m = pat.search(page_text)
        if m:
            return [(m.start(), m.end())]
    return []


def render_page(path: Path, page: int, quotes: list[str] = (), scale: float = 1.6):
    """(PIL image of page `page` (1-based), whether any quote was marked). ApiError 404 for a page
    the document does not have, 415 for a file that is not a PDF."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise ApiError(415, "page images exist for PDF documents only", str(exc)) from None
    try:
        if not 1 <= page <= len(pdf):
            raise ApiError(404, f"the document has no page {page}", {"pages": len(pdf)})
        p = pdf[page - 1]
        img = p.render(scale=scale).to_pil().convert("RGBA")
        height = p.get_size()[1]
        rects = _quote_rects(p, quotes)
        if rects:
            layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(layer)
            for left, bottom, right, top in rects:
                box = (left * scale - 2, (height - top) * scale - 2, right * scale + 2, (height - bottom) * scale + 2)
                draw.rectangle(box, fill=MARK_FILL, outline=MARK_LINE, width=2)
            img = Image.alpha_composite(img, layer)
        return img.convert("RGB"), bool(rects)
    finally:
        pdf.close()


def _quote_rects(page, quotes) -> list[tuple[float, float, float, float]]:
    tp = page.get_textpage()
    try:
        text = tp.get_text_range()
        rects = []
        for q in quotes:
            for start, end in find_spans(text, q):
                n = tp.count_rects(start, end - start)
                rects += [tp.get_rect(i) for i in range(n)]
        return rects
    finally:
        tp.close()


def png_bytes(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
