"""A PDF page as an image, with the quoted passage marked where the page's text layer holds it; a
region of a page (a figure) cut from it.

>>> from importlib.resources import files
>>> img, marked = render_page(files("assistant.samples") / "hp3_pump_manual.pdf", 3, ["tighten it to 25 N·m"])
>>> marked
True
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path

from .textrules import find_spans
from .errors import NotFound, UnsupportedFormat

MARK_FILL = (255, 214, 0, 90)
MARK_LINE = (200, 0, 0, 255)


def render_page(path: Path, page: int, quotes: list[str] = (), scale: float = 1.6):
    """(PIL image of page `page` (1-based), whether any quote was marked). NotFound for a page the
    document does not have, UnsupportedFormat for a file that is not a PDF."""
    from PIL import Image, ImageDraw

    with _page(path, page) as p:
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


@contextmanager
def _page(path: Path, page: int):
    """Page `page` (1-based) of the PDF at `path`, open while the block runs. NotFound for a page the
    document does not have, UnsupportedFormat for a file that is not a PDF."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise UnsupportedFormat(path.name, "page images exist for PDF documents only", detail=str(exc)) from None
    try:
        if not 1 <= page <= len(pdf):
            raise NotFound(f"the document has no page {page}", detail={"pages": len(pdf)})
        yield pdf[page - 1]
    finally:
        pdf.close()


def render_region(path: Path, page: int, bbox, scale: float = 2.0, margin: float = 6.0):
    """PIL image of a region of page `page` (1-based): `bbox` = (x0, y0, x1, y1) in PDF points from the
    page's top-left corner (a figure's region, types.Figure.bbox), widened by `margin` points, cut
    from the page as it is rendered (figures are not stored as images). Errors as render_page."""
    with _page(path, page) as p:
        width, height = p.get_size()
        x0, y0, x1, y1 = (float(v) for v in bbox)
        crop = (max(x0 - margin, 0.0), max(height - y1 - margin, 0.0), max(width - x1 - margin, 0.0), max(y0 - margin, 0.0))
        if crop[0] + crop[2] >= width - 1 or crop[1] + crop[3] >= height - 1:
            raise NotFound(f"the region {[round(v) for v in bbox]} is not on page {page}")
        return p.render(scale=scale, crop=crop).to_pil().convert("RGB")


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
