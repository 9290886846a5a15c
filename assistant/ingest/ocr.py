"""OCR for scanned pages with the PP-OCRv4 models bundled in rapidocr-onnxruntime (the [ocr] extra)."""
from __future__ import annotations

import re
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


def ocr_runs(page, settings: Settings, path: str, page_no: int) -> list:
    """The recognised lines of a rendered page as layout runs (page coordinates in points, top down),
    so that the same column and table reading applies as to a page with a text layer; English words
    the recogniser ran together are split again (`respace`). [] when OCR is not installed (the caller
    reports the scanned page)."""
    import time

    from .layout import Run

    try:
        engine = _engine()
    except MissingDependency:
        return []
    scale = 2
    image = page.render(scale=scale).to_pil()
    t0 = time.monotonic()
    with _lock:  # the ONNX sessions are shared; one page at a time per process
        result, _ = engine(image)
    if time.monotonic() - t0 > settings.ocr_seconds_per_page:
        raise ParseError(path, f"OCR of page {page_no} took longer than {settings.ocr_seconds_per_page:.0f} s")
    out = []
    for box, text, _score in result or []:
        xs, ys = [p[0] / scale for p in box], [p[1] / scale for p in box]
        text = respace(" ".join(str(text).split()))
        if text:
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            out.append(Run(0, 0, x0, y0, x1, y1, round(0.8 * (y1 - y0), 1), False, text))
    return out


_RUN_TOGETHER = re.compile(r"[A-Za-z]{7,}")


def respace(text: str) -> str:
    """Spaces the recogniser dropped between English words put back: "noleaksatthefiltercover" ->
    "no leaks at the filter cover" (a word-frequency split, wordninja, where it is installed), and a
    space after a list number or a comma, colon or sentence end run into the next word ("1.Oil",
    "level:5", "cracks.Next"). Codes (HF-220-10, E-211), numbers and Chinese are left alone.

    >>> respace("1.Oil levelatMAXmark,noleaksatthefiltercover.")
    '1. Oil level at MAX mark, no leaks at the filter cover.'
    >>> respace("3.Replace filter element HF-220-10every500hours.")
    '3. Replace filter element HF-220-10 every 500 hours.'
    """
    text = re.sub(r"^(\d{1,2}\.)(?=[A-Za-z])", r"\1 ", text)
    text = re.sub(r"(?<=[a-z)])([,;:.])(?=[A-Z][a-z])|(?<=[A-Za-z0-9)])([,;:])(?=[A-Za-z])", lambda m: (m.group(1) or m.group(2)) + " ", text)
    text = re.sub(r"(?<=[A-Za-z])(:)(?=\d)", r"\1 ", text)  # "Date:2024-04-08"
    text = re.sub(r"(\d)([a-z]{3,})", r"\1 \2", text)  # "HF-220-10every" -> "HF-220-10 every", "500hours"
    text = re.sub(r"\b([a-z]{2,})(\d)", r"\1 \2", text)  # "at5498h" -> "at 5498h"
    try:
        import wordninja
    except ImportError:
        return text

    def split(m: re.Match) -> str:
        pieces = wordninja.split(m.group())
        # keep the split only when it is made of plausible words (no single stray letters but "a", "A", "I")
        if len(pieces) > 1 and all(len(p) > 1 or p in "aAI" for p in pieces):
            return " ".join(pieces)
        return m.group()

    return _RUN_TOGETHER.sub(split, text)
