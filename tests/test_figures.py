"""Figures (issue #15): a figure's caption and callouts read as one unit, its region of the page
recorded (and cut from the page on demand), stored with its document, and carried by the card steps
that point to it ("See Figure 4-2"), on its own page.

The PDFs are drawn at test time with reportlab (tests/layout_pdfs.py): a vector figure with callouts,
a procedure whose steps point to a vector figure on their page and to an embedded image with callouts
on the next page, a scanned page, a scan behind a text layer and a figure that is one big image."""
from __future__ import annotations

import io
import json
import sqlite3

import pytest

from assistant.ingest import parse
from assistant.ingest.figures import caption_label, figure_key
from tests import layout_pdfs as L
from tests.test_layout_pdf import _check_contract, _raw_pages

PAGE_H = 792.0  # US Letter


def _top_down(box):
    """reportlab's (x0, y0, x1, y1), y up, as the reader's (x0, top, x1, bottom), y down."""
    x0, y0, x1, y1 = box
    return (x0, PAGE_H - y1, x1, PAGE_H - y0)


def _near(got, want, tol=3.0):
    return all(abs(a - b) <= tol for a, b in zip(got, want)), (got, want)


def test_caption_labels_and_keys():
    assert caption_label("Figure 3-2. Filter assembly.") == "Figure 3-2"
    assert caption_label("Fig. 4 Pump housing") == "Fig. 4"
    assert caption_label("图 3-1 滤清器") == "图 3-1"
    assert caption_label("图 2") == "图 2"
    assert caption_label("FIGURE 3-31.") == "FIGURE 3-31"
    assert caption_label("Table 3-1. Troubleshooting.") == ""  # a table's caption
    assert caption_label("Figure 3-21), the inner door and outer door handle") == ""  # a sentence that names a figure
    assert caption_label("Fit a new O-ring (2).") == ""
    # what a step says and what a caption says meet on the figure's number
    assert {figure_key(x) for x in ("Figure 3-23", "(Figure 3-23)", "Fig. 3-23.", "FIGURE 3-23")} == {"3-23"}
    assert figure_key("图 2") == figure_key("Figure 2") == "2"


def test_a_figure_with_callouts_is_one_unit_with_its_region(tmp_path):
    path = tmp_path / "filter_fig.pdf"
    L.figure_page(path)
    doc, raw = parse(path), _raw_pages(path)
    _check_contract(doc, raw)  # verbatim: the figure block is a slice of the page, no character lost or added
    [fig] = doc.figures
    assert (fig.page, fig.label, fig.caption) == (1, "Figure 3-2", L.FIGURE_CAPTION)
    assert fig.callouts == tuple(text for _, _, text in L.FIGURE_CALLOUTS)  # top to bottom, as drawn
    assert _near(fig.bbox, _top_down((150, 420, 470, 660)))  # c.rect(150, 420, 320, 240)
    [block] = [b for b in doc.blocks if b.kind == "figure"]
    assert block.text.splitlines() == [L.FIGURE_CAPTION] + [t for _, _, t in L.FIGURE_CALLOUTS]
    assert block.context == "Figure 3-2" and doc.pages[0][fig.start : fig.end] == block.text
    # the body reads on around it, the callouts no longer scattered among its lines
    body = [b.text for b in doc.blocks if b.kind != "figure"]
    assert not any(t in x for x in body for _, _, t in L.FIGURE_CALLOUTS)
    page = doc.pages[0]
    assert page.index("Fit a new O-ring (2)") < page.index(L.FIGURE_CAPTION) < page.index("Tighten the housing by hand")


def test_a_vector_figure_and_an_image_figure_on_the_next_page(tmp_path):
    path = tmp_path / "seal.pdf"
    L.figure_procedure(path)
    doc, raw = parse(path), _raw_pages(path)
    _check_contract(doc, raw)
    vec, img = doc.figures
    assert (vec.page, vec.label, vec.caption) == (1, "Figure 4-1", L.FIGPROC_VECTOR[0])
    assert vec.callouts == tuple(t for _, _, t in L.FIGPROC_VECTOR[2])
    assert _near(vec.bbox, _top_down(L.FIGPROC_VECTOR[1]))
    assert (img.page, img.label, img.caption) == (2, "Figure 4-2", L.FIGPROC_IMAGE[0])
    assert img.callouts == ("C Seal puller", "D Seal")
    assert _near(img.bbox, _top_down(L.FIGPROC_IMAGE[1]), 1.0)  # an image's box is exact
    steps = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert steps == L.FIGPROC_STEPS  # the figure under the steps is not read into them


def test_a_caption_wrapped_onto_two_lines_is_one_caption(tmp_path):
    path = tmp_path / "coupling.pdf"
    L.wrapped_caption(path)
    doc, raw = parse(path), _raw_pages(path)
    _check_contract(doc, raw)
    (fig,) = doc.figures
    assert fig.caption == " ".join(L.WRAPPED_CAPTION)
    # the second line is read with the caption, the paragraph after the gap is not
    assert [b.text for b in doc.blocks if b.kind != "figure"] == [L.WRAPPED_AFTER]


def test_scans_and_big_images(tmp_path):
    path = tmp_path / "scans.pdf"
    L.scans_and_big_images(path)
    from assistant.settings import Settings

    doc = parse(path, Settings(ocr="off"))  # page 3 is a scan without a text layer: no text, no figure, no error
    assert [f.page for f in doc.figures] == [2]  # page 1's image is the scan behind its text layer
    [fig] = doc.figures
    assert fig.label == "Figure 7" and fig.callouts == ("PANEL A",)
    assert _near(fig.bbox, _top_down(L.BIG_IMAGE_BOX), 1.0)
    assert doc.pages[2] == "" and 3 not in doc.ocr_pages
    assert "Figure 1. Hydraulic schematic." in doc.pages[0] and not any(b.kind == "figure" for b in doc.blocks if b.page == 1)


# --- stored with the document, cut from the page, carried by card steps ------------------------------


@pytest.fixture(scope="module")
def seal_library(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths

    root = tmp_path_factory.mktemp("figlib")
    docs = root / "docs"
    docs.mkdir()
    L.figure_procedure(docs / "seal.pdf")
    report = index_paths([docs], settings, index_dir=root / "idx", progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    return root / "idx"


@pytest.fixture(scope="module")
def seal_assistant(seal_library, settings, embedder):
    from assistant.app import Assistant

    a = Assistant(settings.model_copy(update={"index_dir": seal_library}), embedder=embedder, llm=None)
    yield a
    a.close()


def test_figures_are_stored_with_their_chunk(seal_assistant):
    store = seal_assistant.library.store
    [d] = store.documents()
    rows = store.figures(d.id)
    assert [(r.n, r.figure.page, r.figure.label) for r in rows] == [(1, 1, "Figure 4-1"), (2, 2, "Figure 4-2")]
    assert rows[1].figure.callouts == ("C Seal puller", "D Seal")
    assert _near(rows[1].figure.bbox, _top_down(L.FIGPROC_IMAGE[1]), 1.0)
    for r in rows:  # the chunk that holds the figure's caption and callouts
        text = store.db.execute("SELECT text FROM chunks WHERE id=?", (r.chunk_id,)).fetchone()[0]
        assert r.figure.caption in text and all(c in text for c in r.figure.callouts)
    listed = seal_assistant.figures(d.id)
    assert listed[1] | {"bbox": None} == {"n": 2, "page": 2, "label": "Figure 4-2", "caption": L.FIGPROC_IMAGE[0],
                                          "callouts": ["C Seal puller", "D Seal"], "bbox": None, "chunk_id": rows[1].chunk_id}


def test_a_library_without_the_figures_table_still_opens(seal_library, tmp_path):
    import shutil

    from assistant.index.store import Store

    old = tmp_path / "old.sqlite"
    shutil.copy(seal_library / "store.sqlite", old)
    db = sqlite3.connect(old)
    db.execute("DROP TABLE figures")
    db.commit()
    db.close()
    ro = Store(old, readonly=True)
    try:
        assert ro.figures(1) == []  # an older library, read-only: no figures, no error
    finally:
        ro.close()
    rw = Store(old)  # opened for writing, it gets the table
    try:
        assert rw.figures(1) == [] and "figures" in {r[0] for r in rw.db.execute("SELECT name FROM sqlite_master")}
    finally:
        rw.close()


def test_the_figure_image_is_cut_from_its_page(seal_assistant):
    from PIL import Image

    from assistant.errors import NotFound

    [d] = seal_assistant.library.store.documents()
    png = seal_assistant.figure_image(d.id, 2)
    img = Image.open(io.BytesIO(png))
    x0, y0, x1, y1 = L.FIGPROC_IMAGE[1]
    assert abs(img.width - 2 * (x1 - x0 + 12)) <= 3 and abs(img.height - 2 * (y1 - y0 + 12)) <= 3  # scale 2, 6-point margin
    assert seal_assistant.figure_image(d.id, "Figure 4-2") == png == seal_assistant.figure_image(d.id, "4-2")
    grey = img.getpixel((img.width // 2, 20))  # the drawing's grey ground, not the white page
    assert all(200 <= v <= 245 for v in grey[:3]), grey
    with pytest.raises(NotFound):
        seal_assistant.figure_image(d.id, 9)
    with pytest.raises(NotFound):
        seal_assistant.figure_image(d.id + 100, 1)


def _seal_procedure(store):
    from assistant.cards.select import candidates, parse_doc
    from assistant.cards.source import load_document

    [d] = store.documents()
    found = [c for c in candidates(parse_doc(load_document(store.db, d.id))) if "Seal Replacement" in c.title]
    return d, max(found, key=lambda c: len([i for r in c.runs for i in r.steps]))


def test_card_steps_carry_the_figures_they_point_to(seal_assistant):
    from assistant.cards.assemble import assemble

    store = seal_assistant.library.store
    d, proc = _seal_procedure(store)
    card = assemble(proc, "replace the pump seal", [r.figure for r in store.figures(d.id)])
    figs = {s.number: [(m.label, m.page) for m in s.media if m.kind == "figure"] for s in card.steps}
    # step 2 says "See Figure 4-2": that figure, on the next page; the others show the figure the
    # procedure's intro names (Figure 4-1)
    assert figs == {1: [("Figure 4-1", 1)], 2: [("Figure 4-2", 2)], 3: [("Figure 4-1", 1)], 4: [("Figure 4-1", 1)]}
    [m] = [m for m in card.steps[1].media if m.kind == "figure"]
    assert _near(m.bbox, _top_down(L.FIGPROC_IMAGE[1]), 1.0)
    assert [m.page for m in card.steps[1].media if m.kind == "page"] == [1]  # the step's own page stays
    # without the recorded figures (assemble alone), the caption in the text still gives the page
    bare = assemble(proc, "replace the pump seal")
    assert [(m.label, m.page, m.bbox) for m in bare.steps[1].media if m.kind == "figure"] == [("Figure 4-2", 2, None)]
    # the card's JSON carries the region (the published schema allows it)
    assert json.loads(card.model_dump_json())["steps"][1]["media"][-1]["bbox"] == m.bbox


def test_the_card_view_shows_a_figure_once(seal_assistant):
    from assistant.cards.assemble import assemble
    from ui.render import card_html

    store = seal_assistant.library.store
    d, proc = _seal_procedure(store)
    card = assemble(proc, "replace the pump seal", [r.figure for r in store.figures(d.id)])
    asked = []

    def png(m):
        asked.append(m.label)
        return seal_assistant.figure_image(d.id, m.label)

    html = card_html(card, png)
    assert html.count('<img src="data:image/png;base64,') == 2 and asked == ["Figure 4-1", "Figure 4-2"]
    assert html.count("ma-figref") == 2  # steps 3 and 4 name Figure 4-1, shown at step 1
    assert "🖼" not in card_html(card).split("ma-steps")[0] and card_html(card).count("ma-figref") == 4


@pytest.mark.slow
def test_figure_routes(seal_library, settings, embedder, tmp_path):
    import httpx

    from assistant.api import assistant_for, create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.settings import ServerSettings

    s = settings.model_copy(update={"index_dir": seal_library})
    server = ServerSettings(api_keys="k1, k2:other", rate_limit_per_minute=0, feedback_db=tmp_path / "fb.sqlite")
    service = assistant_for(s, server, embedder=embedder)
    with BackgroundServer(create_app(s, server, assistant=service, ui=False)) as url, httpx.Client(base_url=url, timeout=60) as c:
        auth = {"Authorization": "Bearer k1"}
        [d] = c.get("/v1/documents", headers=auth).json()["documents"]
        figs = c.get(f"/v1/documents/{d['id']}/figures", headers=auth).json()["figures"]
        assert [(f["n"], f["label"], f["page"]) for f in figs] == [(1, "Figure 4-1", 1), (2, "Figure 4-2", 2)]
        r = c.get(f"/v1/documents/{d['id']}/figures/2.png", headers=auth)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert c.get(f"/v1/documents/{d['id']}/figures/3.png", headers=auth).status_code == 404
        assert c.get(f"/v1/documents/{d['id']}/figures/2.png").status_code == 401  # the page image's access rules
        other = {"Authorization": "Bearer k2"}  # a key for another collection: the document does not exist for it
        assert c.get(f"/v1/documents/{d['id']}/figures", headers=other).status_code == 404
        assert c.get(f"/v1/documents/{d['id']}/figures/1.png", headers=other).status_code == 404
