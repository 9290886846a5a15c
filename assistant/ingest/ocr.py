"""OCR for scanned pages with the PP-OCRv4 models bundled in rapidocr-onnxruntime (the [ocr] extra)."""
from __future__ import annotations

import threading
from ..errors import MissingDependency, ParseError
from ..settings import Settings

_lock = threading.Lock()


def _engine():
    """The OCR engine (bundled PP-OCRv4 through RapidOCR), loaded once per process (assistant.models)."""
    from ..models import REGISTRY

    return REGISTRY.get(("ocr", "rapidocr"), _load_engine)


def _load_engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise MissingDependency("rapidocr-onnxruntime", "ocr") from exc
    return RapidOCR()


def ocr_page(page, settings: Settings, path: str, page_no: int) -> str:
    """Text of a rendered page, one recognised line per output line, in top-to-bottom order.
    Returns "" when OCR is not installed (the caller reports the scanned page)."""
    import time

    try:
        engine = _engine()
    except MissingDependency:
        return ""
    image = page.render(scale=2).to_pil()
    t0 = time.monotonic()
    with _lock:  # the ONNX sessions are shared; one page at a time per process
        result, _ = engine(image)
    if time.monotonic() - t0 > settings.ocr_seconds_per_page:
        raise ParseError(path, f"OCR of page {page_no} took longer than {settings.ocr_seconds_per_page:.0f} s")
    if not result:
        return ""
    # result: [[box, text, score], ...]; group boxes into rows by their vertical centre.
    items = sorted(((sum(p[1] for p in box) / 4, box[0][0], text) for box, text, score in result), key=lambda t: (t[0], t[1]))
    rows: list[list] = []
    for y, x, text in items:
        if rows and abs(rows[-1][0] - y) < 12:
            rows[-1][1].append((x, text))
        else:
            rows.append([y, [(x, text)]])
    return "\n".join(" ".join(t for _, t in sorted(r[1])) for r in rows)
