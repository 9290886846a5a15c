"""Figures of a PDF page: the drawing's region, its caption and the callout text inside it.

A manual's figure is graphics (an embedded image, often cut into strips, or vector paths) with a
caption under or over it ("Figure 3-2. Filter assembly.", "Fig. 4", "图 3-1") and callout text
drawn on it ("1 Filter housing", "LIFTING AND TIEDOWN POINT"). Read as lines, the callouts land
among the body text and the caption is a stray line. Here:

1. `graphics`: the page's image and path objects (pypdfium2 page objects, Form XObjects entered),
   as boxes on a coarse grid (4 points a cell); touching boxes join, so an image cut into strips or
   a drawing made of many strokes is one region. An image over most of the page is the scan behind
   a text layer, not a figure; a region under 30 x 20 points (a rule, an underline) is no figure.
   Only pages whose text holds a figure caption are looked at (the cost stays on those pages).
2. `find`: each figure caption line (layout.CAPTION that is no table caption) takes the nearest
   region above it (or below it, a caption set over its figure) that it overlaps across, at most
   an inch away (two and a half with no text between them); the runs inside the region are its
   callouts (a run of a dozen words or more is body text that the region's box happens to cover).
3. `read_page`: the page read by layout.read_page with the callouts taken out of the flow; the
   caption's item becomes a "figure" item: the caption, then the callouts in reading order, one a
   line. Its text is still runs joined by white space, so quotes stay verbatim.

Scanned pages (OCR runs) have no figures: their one image is the page. No model, nothing downloaded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import layout
from .layout import Item, Run
from .lines import LIST_RE
from ..textrules import CLOSED

CELL = 4.0  # points per grid cell: boxes closer than this join
MIN_W, MIN_H = 30.0, 20.0  # a smaller region is a rule or a mark, not a figure
MAX_GAP = 72.0  # a caption at most an inch from its figure,
FAR_GAP = 180.0  # or two and a half with no text between them
SCAN_SHARE = 0.85  # an image over this share of the page is a scan behind the text layer
BODY_WORDS = 12  # a run with this many words inside a region is body text, not a callout


@dataclass(frozen=True)
class Found:
    """A figure found on a page, before the page text exists: its label ("Figure 3-2"), the caption
    runs and callout runs (layout runs of the page), and its region (x0, y0, x1, y1, top-down points)."""

    label: str
    caption: tuple[Run, ...]
    callouts: tuple[Run, ...]
    bbox: tuple[float, float, float, float]


def caption_label(text: str) -> str:
    """The label of a figure caption ("Figure 3-2. Filter assembly." -> "Figure 3-2"), or '' when the
    text is no figure caption (a table caption, body text)."""
    m = layout.CAPTION.match(text + " ")
    if not m or layout._CAPTION.match(text):
        return ""
    return " ".join(m.group().split()).rstrip(".")


_LEAD = re.compile(r"^(?:figure|fig\.?|abb\.?|illustration|图)\s*", re.IGNORECASE)


def figure_key(label: str) -> str:
    """What tells figures apart, whatever the wording: "Figure 3-23", "Fig. 3-23.", "(FIGURE 3-23)" -> "3-23"."""
    return _LEAD.sub("", label.strip().strip("()（）")).rstrip(".-)）:： ").lower()


def has_caption(text: str) -> bool:
    """Whether a page's text holds a line that opens with a figure caption (the cheap test before
    the page's graphics are read)."""
    return any(caption_label(line) for line in text.splitlines() if line.lstrip()[:1] in "Ff图")


def graphics(page, width: float, height: float) -> list[tuple[float, float, float, float]]:
    """Regions of the page's graphics (x0, y0, x1, y1; top-down points): image and path objects
    joined where they touch (see the module docstring)."""
    import numpy as np
    import pypdfium2.raw as raw
    from scipy import ndimage

    nx, ny = int(width / CELL) + 2, int(height / CELL) + 2
    grid = np.zeros((ny, nx), dtype=bool)
    area = max(width * height, 1.0)
    kinds = [raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH]
    boxes = []
    for obj in page.get_objects(filter=kinds, max_depth=4):
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # an object pdfium cannot measure: skip it
            continue
        x0, x1 = max(left, 0.0), min(right, width)
        y0, y1 = max(height - top, 0.0), min(height - bottom, height)
        if x1 < x0 or y1 < y0 or (x1 - x0) * (y1 - y0) >= SCAN_SHARE * area:
            continue  # off the page; or a scan or a page frame behind the text, not a figure
        grid[int(y0 / CELL) : int(y1 / CELL) + 1, int(x0 / CELL) : int(x1 / CELL) + 1] = True
        boxes.append((x0, y0, x1, y1))
    if not boxes:
        return []
    labels, n = ndimage.label(grid, structure=np.ones((3, 3), dtype=bool))
    union: dict[int, list[float]] = {}
    for x0, y0, x1, y1 in boxes:  # each component's extent: the exact union of its objects' boxes
        k = int(labels[int(y0 / CELL), int(x0 / CELL)])
        u = union.setdefault(k, [x0, y0, x1, y1])
        u[0], u[1], u[2], u[3] = min(u[0], x0), min(u[1], y0), max(u[2], x1), max(u[3], y1)
    return [tuple(u) for u in union.values() if u[2] - u[0] >= MIN_W and u[3] - u[1] >= MIN_H]


def find(rs: list[Run], regions: list[tuple[float, float, float, float]]) -> list[Found]:
    """The page's figures: each figure caption with the nearest graphics region and the runs inside it."""
    if not regions or not rs:
        return []
    lines = layout.visual_lines(rs)
    free = list(regions)
    used: set[int] = set()
    out: list[Found] = []
    for n, ln in enumerate(lines):
        label = caption_label(ln.text)
        if not label:
            continue
        caption = tuple(ln.runs) + _wrapped(ln, lines[n + 1 :])
        lh = max(ln.y1 - ln.y0, 1.0)
        best, best_gap = None, None
        for k, (x0, y0, x1, y1) in enumerate(free):
            if min(x1, ln.x1) - max(x0, ln.x0) <= 0:
                continue
            if y0 - 2 <= ln.y0 and ln.y1 <= y1 + 2:
                gap = 0.0  # the caption inside the figure's frame
            elif ln.y0 >= y1 - lh:
                gap = max(ln.y0 - y1, 0.0)  # the caption under the figure
            elif ln.y1 <= y0 + lh:
                gap = max(y0 - ln.y1, 0.0) + 12.0  # over it (captions go under figures more often)
            else:
                continue
            if best_gap is not None and gap >= best_gap:
                continue
            if gap <= MAX_GAP or (gap <= FAR_GAP and not _between(rs, ln, (x0, y0, x1, y1))):
                best, best_gap = k, gap
        if best is None:
            continue
        region = free.pop(best)
        used.update(id(r) for r in caption)
        inside = [r for r in rs if id(r) not in used and _inside(r, region)
                  and len(r.text.split()) < BODY_WORDS]
        used.update(id(r) for r in inside)
        callouts = tuple(r for v in layout.visual_lines(inside) for r in v.runs) if inside else ()
        x0, y0, x1, y1 = region
        for r in callouts:
            x0, y0, x1, y1 = min(x0, r.x0), min(y0, r.y0), max(x1, r.x1), max(y1, r.y1)
        out.append(Found(label, caption, callouts, (round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1))))
    return out


def _wrapped(ln, below: list) -> tuple[Run, ...]:
    """The runs of a caption's second line, where the caption wraps: a caption that does not close
    with a full stop, or a next line in lower case, set tight under it (no paragraph gap) in the
    caption's size, across from it, and neither a caption nor a step of its own."""
    nxt = next((v for v in below if min(v.x1, ln.x1) - max(v.x0, ln.x0) > 0), None)
    if nxt is None:
        return ()
    lh = max(ln.y1 - ln.y0, 1.0)
    tight = 0 <= nxt.y0 - ln.y1 <= 0.5 * lh and abs(nxt.size - ln.size) <= 0.5
    open_end = not CLOSED.search(ln.text) or nxt.text[:1].islower()
    if tight and open_end and not caption_label(nxt.text) and not LIST_RE.match(nxt.text):
        return tuple(nxt.runs)
    return ()


def _between(rs: list[Run], ln, box: tuple[float, float, float, float]) -> bool:
    """Whether any run lies between a caption line and a region, across from both."""
    x0, y0, x1, y1 = box
    top, bottom = (y1, ln.y0) if ln.y0 >= y1 else (ln.y1, y0)
    lo, hi = max(x0, ln.x0), min(x1, ln.x1)
    mine = {id(r) for r in ln.runs}
    return any(r.y0 >= top - 1 and r.y1 <= bottom + 1 and min(r.x1, hi) > max(r.x0, lo) for r in rs if id(r) not in mine)


def _inside(r: Run, box: tuple[float, float, float, float], slack: float = 3.0) -> bool:
    """Whether a run's centre lies in the box and the run stays within it (give or take `slack`)."""
    x0, y0, x1, y1 = box
    cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
    return (x0 <= cx <= x1 and y0 <= cy <= y1 and r.x0 >= x0 - slack and r.x1 <= x1 + slack
            and r.y0 >= y0 - slack and r.y1 <= y1 + slack)


def read_page(rs: list[Run], width: float, found: list[Found]) -> list[Item]:
    """The page's items (layout.read_page) with each figure one "figure" item where its caption is
    read: the caption, then its callouts, one a line (`Item.cells`); `context` holds the label."""
    taken = {id(r) for f in found for r in f.callouts}
    items = layout.read_page([r for r in rs if id(r) not in taken], width)
    for f in found:
        cap = {id(r) for r in f.caption}
        holding = [k for k, it in enumerate(items) if any(id(r) in cap for c in it.cells for r in c)]
        if not holding:
            continue
        for j in reversed(holding[1:]):  # a wrapped caption's second line: read with the first
            items[j].cells = [c for c in ([r for r in c if id(r) not in cap] for c in items[j].cells) if c]
            if not items[j].cells:
                del items[j]
        k = holding[0]
        it = items[k]
        cells = [[r for r in f.caption]] + [[r] for r in f.callouts]
        fig = Item(cells, "figure", (), f.label, it.size, False, f.bbox[0], f.bbox[2])
        rest = [[r for r in c if id(r) not in cap] for c in it.cells]
        rest = [c for c in rest if c]
        if not rest:
            items[k] = fig
        else:  # the caption shared its line with other text: that text stays, the figure follows it
            it.cells = rest
            items.insert(k + 1, fig)
    return items


def of_blocks(blocks, found: list[list[Found]]) -> tuple:
    """The document's figures (types.Figure): each "figure" block (its text: the caption line, then a
    line per callout) with the region found for it on its page (`found[page - 1]`, matched by label
    in page order)."""
    from ..types import Figure

    left = [list(f) for f in found]
    out = []
    for b in blocks:
        if b.kind != "figure" or not 0 < b.page <= len(left):
            continue
        f = next((f for f in left[b.page - 1] if f.label == b.context), None)
        if f is None:
            continue
        left[b.page - 1].remove(f)
        lines = [" ".join(ln.split()) for ln in b.text.splitlines() if ln.strip()]
        out.append(Figure(b.page, f.label, lines[0] if lines else f.label, tuple(lines[1:]), f.bbox, b.start, b.end))
    return tuple(out)
