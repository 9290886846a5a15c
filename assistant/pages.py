"""A PDF page as an image, with the quoted passage marked where the page's text layer holds it.

>>> from importlib.resources import files
>>> img, marked = render_page(files("assistant.samples") / "hp3_pump_manual.pdf", 3, ["tighten it to 25 N·m"])
>>> marked
True
"""
from __future__ import annotations

import io
from pathlib import Path

from .textrules import find_spans
from .errors import NotFound, UnsupportedFormat

MARK_FILL = (255, 214, 0, 90)
MARK_LINE = (200, 0, 0, 255)


def render_page(path: Path, page: int, quotes: list[str] = (), scale: float = 1.6):
    """(PIL image of page `page` (1-based), whether any quote was marked). NotFound for a page the
    document does not have, UnsupportedFormat for a file that is not a PDF."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise UnsupportedFormat(path.name, "page images exist for PDF documents only", detail=str(exc)) from None
    try:
        if not 1 <= page <= len(pdf):
            raise NotFound(f"the document has no page {page}", detail={"pages": len(pdf)})
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
