"""Reading real-shaped manual pages from their layout (issue #15): tables without rules, tables drawn
column by column, two text columns, running headers and footers with printed page labels, a table
continued on the next page, an Army-TM troubleshooting table with staggered headers, a figure.

The PDFs are drawn at test time with reportlab's canvas (tests/layout_pdfs.py). Besides what each
case must give, every document is held to the reader's contract: each block is the exact slice of its
page text, and the page text is pypdfium2's own text with only white space put in or taken out (no
character lost, none added; running headers and footers are the only text dropped)."""
from __future__ import annotations

from collections import Counter

import pytest

from assistant.index.chunk import chunk_doc
from assistant.ingest import parse
from tests import layout_pdfs as L


def _raw_pages(path) -> list[str]:
    """pypdfium2's text of each page, as a reader's copy-paste gives it."""
    import pypdfium2 as pdfium

    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(str(path))]


def _squash(text: str) -> str:
    return "".join(text.split())


def _norm(text: str) -> str:
    return " ".join(text.split())


def _verbatim(text: str, raw: str) -> bool:
    """Whether `text` can be cut at its white space into pieces that each occur in `raw` (white space
    removed from both): text taken from the page with only white space put between the runs (a
    wrapped cell's lines are apart in the stream when the columns are interleaved)."""
    words, hay = text.split(), _squash(raw)
    ok = [True] + [False] * len(words)  # ok[k]: words[:k] can be cut so
    for end in range(1, len(words) + 1):
        ok[end] = any(ok[s] and "".join(words[s:end]) in hay for s in range(end))
    return ok[-1]


def _check_contract(doc, raw: list[str], dropped: list[str] | None = None) -> None:
    """The reader's contract on one parsed document (see the module docstring). `dropped`: per page,
    the running header/footer/page label text the reader must leave out (nothing else may go)."""
    assert len(doc.pages) == len(raw)
    for b in doc.blocks:
        assert doc.pages[b.page - 1][b.start : b.end] == b.text, b
        assert _verbatim(b.text, raw[b.page - 1]), b.text
        if b.kind == "table_row":
            cells = b.text.split("\t")
            for cell in cells:
                assert cell.strip(), (b.text, "empty cell")
                assert _verbatim(cell, raw[b.page - 1]), (cell, "not verbatim page text")
            assert not b.headers or len(b.headers) == len(cells), (b.text, b.headers)
    for i, (page, r) in enumerate(zip(doc.pages, raw)):
        kept, source = Counter(_squash(page)), Counter(_squash(r))
        gone = Counter(_squash(dropped[i])) if dropped else Counter()
        assert kept + gone == source, {"page": i + 1, "lost": source - kept - gone, "added": kept + gone - source}
    for c in chunk_doc(doc):
        assert doc.pages[c.page - 1][c.start : c.end] == c.text
        assert c.page_label == doc.page_label(c.page)


def _parsed(tmp_path, name: str, build, *args):
    path = tmp_path / f"{name}.pdf"
    build(path, *args)
    return parse(path), _raw_pages(path)


def _rows(doc, page: int | None = None) -> list[tuple[str, tuple[str, ...], str]]:
    # (U+3000 joins two runs of a cell that the text stream holds apart: white space, shown as a space)
    return [(b.text.replace("\u3000", " "), b.headers, b.context) for b in doc.blocks if b.kind == "table_row" and page in (None, b.page)]


def _row(doc, first_cell: str):
    found = [b for b in doc.blocks if b.kind == "table_row" and b.text.split("\t")[0] == first_cell]
    assert len(found) == 1, (first_cell, _rows(doc))
    return found[0]


def _assert_labelled_under(labelled: str, row, above: list[str]) -> None:
    """`row` is a line of a chunk's `labelled` text, with the lines `above` (caption, column names,
    group label) before it in that order. A row of short values may leave out the column names it
    repeats ("Oil pan bolts | M6 x 1.0 | 10 N·m" under "Fastener || Thread || Torque", see
    chunk.labelled); a row of prose names them ("... | Cause: ...")."""
    lines = labelled.splitlines()
    forms = {row.labelled(), " | ".join(_norm(c) for c in row.text.split("\t"))}
    at = next((k for k, ln in enumerate(lines) if ln in forms), None)
    assert at is not None, (forms, lines)
    # column names are written "A || B || C" (a header row, not a row of values)
    pos = [max((k for k, ln in enumerate(lines[:at]) if ln in (a, a.replace(" | ", " || "))), default=-1) for a in above]
    assert -1 not in pos and pos == sorted(pos), (above, lines[: at + 1])


# --- 1. troubleshooting table without rules, its columns interleaved in the text stream ---------------


def _trouble_row(k: int) -> str:
    return "\t".join(" ".join(cell) for cell in L.TROUBLE_ROWS[k])


def test_rows_of_an_unruled_troubleshooting_table_keep_their_wrapped_cells(tmp_path):
    doc, raw = _parsed(tmp_path, "hp3_trouble", L.troubleshooting_table)
    # the stream reads across the columns: a cell's second line comes after the other cells' first lines
    assert raw[0].index("Replace fuse F2 (10 A,") < raw[0].index("control box")
    _check_contract(doc, raw)
    header = _row(doc, "Problem")
    assert header.text == "Problem\tCause\tRemedy" and header.headers == ()
    for k in (0, 2):  # rows whose first cell is one line
        b = _row(doc, L.TROUBLE_ROWS[k][0][0])
        assert (b.text.replace("\u3000", " "), b.headers, b.context) == (_trouble_row(k), L.TROUBLE_HEADERS, L.TROUBLE_CAPTION)
    assert _row(doc, "Pump does not start").text.replace("\u3000", " ") == (
        "Pump does not start\tFuse F2 blown in the control box\tReplace fuse F2 (10 A, slow-blow). Check motor insulation first.")
    labelled = "\n".join(c.labelled for c in chunk_doc(doc))
    assert ("Pump does not start | Cause: Fuse F2 blown in the control box | "
            "Remedy: Replace fuse F2 (10 A, slow-blow). Check motor insulation first.") in labelled.splitlines()
    assert "Motor overheats | Cause: Supply voltage low or one phase missing | Remedy: Measure 400 V ±10 % at terminals L1-L3." in labelled
    assert L.TROUBLE_CAPTION in labelled.splitlines()


def test_a_problem_cell_that_wraps_stays_in_its_row(tmp_path):
    """"Discharge pressure / below 4.5 bar" is one Problem cell: its second line opens no new row (rows
    are told apart by the wider space between them)."""
    doc, raw = _parsed(tmp_path, "hp3_trouble", L.troubleshooting_table)
    body = [r for r in _rows(doc) if r[1]]
    assert body == [(_trouble_row(k), L.TROUBLE_HEADERS, L.TROUBLE_CAPTION) for k in range(len(L.TROUBLE_ROWS))]


def test_a_paragraph_after_a_table_is_no_cell_of_it(tmp_path):
    """A full line of text two lines below the table's last row, crossing its column gutters, ends the
    table: it is a paragraph, not the "Cause" of the last row."""
    doc, raw = _parsed(tmp_path, "hp3_trouble", L.troubleshooting_table)
    after = "If the fault persists, call HP service on +49 30 1234 5678."
    assert [b.kind for b in doc.blocks if after in b.text] == ["paragraph"], [(b.kind, b.text) for b in doc.blocks if after in b.text]
    assert not any("fault persists" in b.text for b in doc.blocks if b.kind == "table_row")


# --- 2. spec table drawn column by column, with a group label ----------------------------------------


def test_a_spec_table_drawn_column_by_column_is_read_row_by_row(tmp_path):
    doc, raw = _parsed(tmp_path, "engine_standards", L.spec_table)
    # pypdfium2 reads it column by column: every label before the first value
    assert raw[0].index("Connecting Rod Bolt Torque") < raw[0].index("3.8750 - 3.8765 in.") < raw[0].index("98.425 - 98.463 mm")
    _check_contract(doc, raw)
    cap, group = L.SPEC_CAPTION, f"{L.SPEC_CAPTION} > Cylinder Bore"
    header = _row(doc, "Component")
    assert header.text == "Component\tStandard (in.)\tMetric (mm)" and header.headers == ()
    b = _row(doc, "Cylinder Bore")  # the group label: a row of its own, first column only
    assert (b.text, b.headers, b.context) == ("Cylinder Bore", ("Component",), cap)
    for label, group_ctx in (("Diameter", group), ("Out of Round", group), ("Piston Ring Gap", cap),
                             ("Valve Spring Pressure", cap), ("Connecting Rod Bolt Torque", cap)):
        _, label, value, metric = next(r for r in L.SPEC_ROWS if r[1] == label)
        b = _row(doc, label)
        assert (b.text, b.headers, b.context) == (f"{label}\t{value}\t{metric}", L.SPEC_HEADERS, group_ctx)
    assert _row(doc, "Taper").text == "Taper\t0.0010 in. max\t0.025 mm max"
    # rows in the printed order
    assert [b.text.split("\t")[0] for b in doc.blocks if b.kind == "table_row"] == ["Component"] + [r[1] for r in L.SPEC_ROWS]
    chunk = next(c for c in chunk_doc(doc) if "Diameter" in c.text)
    _assert_labelled_under(chunk.labelled, _row(doc, "Diameter"), [L.SPEC_CAPTION, " | ".join(L.SPEC_HEADERS), group])


def test_the_last_row_of_a_group_sits_under_the_group_label(tmp_path):
    """"Taper" is the last of the rows indented under "Cylinder Bore": its context names the group,
    as for "Diameter" and "Out of Round" above it."""
    doc, raw = _parsed(tmp_path, "engine_standards", L.spec_table)
    assert _row(doc, "Taper").context == f"{L.SPEC_CAPTION} > Cylinder Bore"


# --- 3. two text columns under a full-width title ----------------------------------------------------


@pytest.mark.parametrize("across", [True, False], ids=["drawn_across", "drawn_by_column"])
def test_two_text_columns_are_read_left_column_first(tmp_path, across):
    doc, raw = _parsed(tmp_path, "hyd_description", L.two_columns, across)
    left, right = L.two_column_lines()
    if across:  # the stream interleaves the columns: the right column's first line before the left's second
        assert raw[0].index(right[0]) < raw[0].index(left[1])
    _check_contract(doc, raw)
    lines = [_norm(ln) for ln in doc.pages[0].splitlines() if ln.strip()]
    # each line of the page is one printed line of one column, left column first
    assert lines == [L.TWO_COL_TITLE] + [_norm(x) for x in left] + [_norm(x) for x in right]
    page = doc.pages[0]
    assert max(page.index(x) for x in left) < min(page.index(x) for x in right)
    heads = [b for b in doc.blocks if b.kind == "heading"]
    assert [b.text for b in heads] == [L.TWO_COL_TITLE]


# --- 4. running header and footer, printed page labels ------------------------------------------------


@pytest.mark.parametrize("printed, labels", [
    (L.RUNNING_LABELS, L.RUNNING_LABELS),
    (("A-1", "A-2", "A-3", "A-4"), ("A-1", "A-2", "A-3", "A-4")),
    (("- 12 -", "- 13 -", "- 14 -", "- 15 -"), ("12", "13", "14", "15")),
    (("ii", "iii", "iv", "v"), ("ii", "iii", "iv", "v")),
    # a changed page's footer as the S-250/G TM prints it ("3- 2 Change 1": it was a heading over the page)
    (("3- 1 Change 1", "3-2", "3- 3 Change 1", "Change 1 3-4"), L.RUNNING_LABELS),
], ids=["chapter_page", "appendix_page", "dashed_number", "roman", "changed_page"])
def test_running_headers_and_footers_are_left_out_and_page_labels_read(tmp_path, printed, labels):
    doc, raw = _parsed(tmp_path, "gpu400_om", L.running_furniture, printed)
    dropped = [f"{L.RUNNING_HEADER} {L.RUNNING_FOOTER} {label}" for label in printed]
    _check_contract(doc, raw, dropped)
    assert doc.page_labels == labels
    chunks = chunk_doc(doc)
    assert {c.page for c in chunks} == {1, 2, 3, 4}
    assert all(c.page_label == labels[c.page - 1] for c in chunks)
    furniture = ("ACME", "O&M Manual", "GPU-400", "Rev. 3", "2024-05-01")
    for text in [b.text for b in doc.blocks] + [c.text for c in chunks] + [c.labelled for c in chunks]:
        assert not any(f in text for f in furniture), text
    for b in doc.blocks:  # the label is no line of any block ("3-1" as a heading's number stays)
        assert not {_norm(x) for x in b.text.splitlines()} & set(printed), b.text
    # the body is all there, in order
    for p, (heading, body) in enumerate(L.RUNNING_BODY, start=1):
        texts = [b.text for b in doc.blocks if b.page == p]
        assert texts[0] == heading and "\n".join(texts[1:]) == "\n".join(body)


# --- 5. a table continued on the next page ------------------------------------------------------------


def test_a_continued_table_keeps_its_headers_on_the_next_page(tmp_path):
    doc, raw = _parsed(tmp_path, "engine_torques", L.continued_table)
    _check_contract(doc, raw, ["GPU-400 Engine Overhaul"] * 2)
    for page, caption, rows in ((1, L.CONT_CAPTIONS[0], L.CONT_PAGE1), (2, L.CONT_CAPTIONS[1], L.CONT_PAGE2)):
        got = _rows(doc, page)
        assert got[0][:2] == ("\t".join(L.CONT_HEADERS), ())  # the (repeated) header row
        assert got[1:] == [("\t".join(r), L.CONT_HEADERS, caption) for r in rows]
    chunk = next(c for c in chunk_doc(doc) if c.page == 2 and "Oil pan bolts" in c.text)
    for first in ("Oil pan bolts", "Exhaust manifold nuts"):
        _assert_labelled_under(chunk.labelled, _row(doc, first), [L.CONT_CAPTIONS[1], " | ".join(L.CONT_HEADERS)])


# --- 6. staggered troubleshooting table (US Army TM) --------------------------------------------------


def _stag_expected() -> list[tuple[str, tuple[str, ...], str]]:
    names = tuple(h for h, _ in L.STAG_HEADS)
    out, malfunction, step = [], "", None
    for x, text in L.STAG_BODY + [(72, "")]:
        if x in (72, 100) and step is not None:
            out.append(("\t".join(_norm(" ".join(c)) for c in step), names[1:], f"{L.STAG_CAPTION} > MALFUNCTION: {malfunction}"))
            step = None
        if x == 72 and text:
            malfunction = text
            out.append((text, names[:1], L.STAG_CAPTION))
        elif x == 100:
            step = ([text], [])
        elif x == 140:
            step[1].append(text)
    return out


@pytest.mark.parametrize("rule_gap", [20, 8], ids=["blank_line_under_the_rule", "body_right_under_the_rule"])
def test_a_staggered_troubleshooting_table_reads_steps_under_their_malfunction(tmp_path, rule_gap):
    """MALFUNCTION / TEST OR INSPECTION / CORRECTIVE ACTION on three indented header lines, a rule,
    then the body. A numbered malfunction in capitals ("1. PUMP WILL NOT START.") is body, not a
    fourth header line, however close under the rule it is printed."""
    doc, raw = _parsed(tmp_path, "shelter_tm", L.staggered_table, rule_gap)
    _check_contract(doc, raw)
    rows = _rows(doc)
    assert rows, [(b.kind, b.text) for b in doc.blocks]
    assert rows[0][:2] == ("MALFUNCTION\tTEST OR INSPECTION\tCORRECTIVE ACTION", ())
    assert rows[1:] == _stag_expected()
    labelled = "\n".join(c.labelled for c in chunk_doc(doc)).splitlines()
    assert ("Step 2. Check for 24 V dc at connector J1. | CORRECTIVE ACTION: If voltage is missing, repair the wiring "
            "harness (para 3-7).") in labelled
    assert f"{L.STAG_CAPTION} > MALFUNCTION: 2. WATER IS GETTING INTO SHELTER." in labelled


# --- 7. a figure with callouts and a caption ----------------------------------------------------------


def test_a_figure_loses_neither_its_callouts_nor_its_caption(tmp_path):
    doc, raw = _parsed(tmp_path, "filter_fig", L.figure_page)
    _check_contract(doc, raw)  # no character of the page lost or added
    lines = [_norm(ln) for ln in doc.pages[0].splitlines()]
    assert L.FIGURE_CAPTION in lines  # the caption is one line of its own
    for _, _, callout in L.FIGURE_CALLOUTS:
        assert callout in lines
    page = doc.pages[0]
    assert page.index("Fit a new O-ring (2)") < page.index(L.FIGURE_CAPTION) < page.index("Tighten the housing by hand")
    assert any(L.FIGURE_CAPTION in b.text for b in doc.blocks)


# --- 8. a row cut by the page break ----------------------------------------------------------------


def test_a_row_cut_by_the_page_break_is_read_as_the_rest_of_its_row(tmp_path):
    """The last row of page 1 goes on at the top of page 2, under the repeated header row, with its
    Problem cell empty: that fragment carries the row's Problem, so it reads as part of that row."""
    from tests import procedure_pdfs as P

    doc, raw = _parsed(tmp_path, "hp3_break", P.row_across_pages)
    _check_contract(doc, raw)
    caption2 = "Table 4-1 (cont)"
    rest = [b for b in doc.blocks if b.page == 2 and b.kind == "table_row" and b.text.startswith("one phase missing")]
    assert len(rest) == 1, _rows(doc, 2)
    assert rest[0].headers == P.BREAK_HEADERS[1:]
    assert rest[0].context == f"{caption2} > Motor overheats"
    # the next row is a row of its own, under the caption alone
    nxt = _row(doc, "Seal leaks")
    assert nxt.headers == P.BREAK_HEADERS and nxt.context == caption2
    # both parts are one row to the indexes: each page's chunk carries the whole row, its columns joined
    whole = ("Motor overheats | Cause: Supply voltage low or one phase missing"
             " | Remedy: Measure 400 V ±10 % at terminals L1-L3; restore the phase.")
    chunks = chunk_doc(doc)
    head = next(c for c in chunks if c.page == 1 and "Motor overheats" in c.text)
    rest = next(c for c in chunks if c.page == 2 and "one phase missing" in c.text)
    assert whole in head.labelled.splitlines() and whole in rest.labelled.splitlines()
    lines = rest.labelled.splitlines()
    assert lines.index(f"{caption2} > Motor overheats") < lines.index(whole)
    # and each chunk says which edge of it the row crosses (answers quote both parts)
    assert "row_cut" in head.kinds and "row_rest" not in head.kinds
    assert "row_rest" in rest.kinds and "row_cut" not in rest.kinds
    # each part stays the verbatim text of its own page
    assert "one phase missing" not in head.text and "Measure 400 V" not in rest.text


# --- 9. a table printed as two copies side by side --------------------------------------------------


def test_a_chart_printed_as_two_copies_side_by_side_reads_one_copy_after_the_other(tmp_path):
    """Each row holds one conversion, under the three column names, the left copy's rows first."""
    doc, raw = _parsed(tmp_path, "conversion", L.conversion_chart)
    _check_contract(doc, raw)
    rows = [(b.cells(), b.headers) for b in doc.blocks if b.kind == "table_row" and b.headers]
    assert rows == [(list(r), tuple(L.CHART_HEADERS)) for r in L.CHART_LEFT + L.CHART_RIGHT]
    # each copy keeps its header row: the labelled text names the columns before each copy's rows
    (chunk,) = chunk_doc(doc)
    lines = chunk.labelled.splitlines()
    assert lines.count(" || ".join(L.CHART_HEADERS)) == 2
    assert "pound-feet | newton-meters | 1.356" in lines


def test_chinese_text_in_a_font_the_pdf_does_not_embed_reads_as_written(tmp_path):
    """Chinese set in STSong-Light, a font PDFs name without embedding it (reportlab's CID font, many
    Chinese manuals): on a machine with no CJK font installed its glyphs have no ink box, and the
    reader placed each character from where its (empty) box lay, one run per character, spaced
    apart. It places them by the PDF's own widths instead, the same on any machine."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "zh.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    c.drawString(72, 760, "回油滤芯更换规程")
    c.drawString(72, 740, "10. 先用手顺时针旋上滤壳盖，再用扭力扳手拧紧，拧紧力矩为 25 N·m。")
    c.save()
    doc = parse(path)
    _check_contract(doc, _raw_pages(path))
    lines = [" ".join(line.split()) for line in doc.pages[0].splitlines()]
    assert "回油滤芯更换规程" in lines, lines
    assert "10. 先用手顺时针旋上滤壳盖，再用扭力扳手拧紧，拧紧力矩为 25 N·m。" in lines, lines


def test_a_letter_spaced_word_pdfium_splits_reads_as_one_word(tmp_path):
    """A table label set letter-spaced, its last letter placed a little apart ("Widt" then "h", 0.15 em
    further, as the S-250/G shelter's equipment data prints "Width"): pdfium's text says "Widt h", and a
    search for "width" missed the row. The reader leaves out a space pdfium made up between two letters
    closer than a word space; a real gap (0.3 em, "Type" and "A" drawn apart) keeps its space; the
    technician's quote is still found on the page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from assistant.textrules import find_spans

    path = tmp_path / "spaced.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Times-Roman", 10)
    for y, (a, b, gap) in zip((760, 740), (("Widt", "h", 1.5), ("Shelter type", "A", 3.0))):
        c.drawString(72, y, a)
        c.drawString(72 + stringWidth(a, "Times-Roman", 10) + gap, y, b)
        c.drawString(72 + stringWidth(a + b, "Times-Roman", 10) + gap + 2.5, y, "79.0625 in" if b == "h" else "unshielded")
    c.save()
    raw = _raw_pages(path)
    assert "Widt h" in raw[0]  # what pdfium reads
    doc = parse(path)
    _check_contract(doc, raw)
    assert "Width 79.0625 in" in doc.pages[0] and "Widt h" not in doc.pages[0], doc.pages[0]
    assert "Shelter type A unshielded" in doc.pages[0], doc.pages[0]
    assert find_spans(raw[0], "Width 79.0625 in")


def test_lettered_steps_set_with_a_hanging_indent_are_steps_not_a_table(tmp_path):
    """An Army TM's paragraph "c .  Adjust. ..." whose wrapped lines start left of its marker, then
    steps "(a)  Open the door ..." with the marker drawn apart from its text: the geometry of a two-column
    table. It was read as one: the whole page's procedure became one row "c . weather door, as | Adjust.
    ...", and the roller latch side's shim (step (b) of (2)) was never an answer on its own. A line whose
    first cell is a step's marker is no evidence of a table."""
    doc, raw = _parsed(tmp_path, "hanging", L.hanging_steps)
    _check_contract(doc, raw)
    assert not [b.text for b in doc.blocks if b.kind == "table_row"]
    lines = [" ".join(line.split()) for line in doc.pages[0].splitlines()]
    for x, tx, a, b in L.HANGING_LINES:
        assert " ".join(f"{a} {b}".split()) in lines, (a, b, lines)
    step = next(b for b in doc.blocks if "Add a 0.032 inch shim" in b.text)
    assert step.kind == "list_item" and step.text.startswith("(b) Add"), step


def test_a_title_in_spaced_out_capitals_reads_as_words(tmp_path):
    """Capitals spaced 4 pt apart, each word's last letter drawn on its own: pdfium reads "MANUA L" and
    "EQUIPMEN T" (the S-250/G manual's title page, "ITE M" over its table of components); the reader
    joins a letter set as far from the one before as the letters of its word are from each other, and
    keeps the space between words."""
    doc, raw = _parsed(tmp_path, "spaced_title", L.spaced_title)
    assert "MANUA L" in raw[0] and "EQUIPMEN T" in raw[0]
    _check_contract(doc, raw)
    lines = [" ".join(line.split()) for line in doc.pages[0].splitlines()]
    assert list(L.SPACED_TITLE) == lines[:2], lines


def test_a_degree_sign_set_as_a_raised_small_0_or_o_reads_as_a_degree_sign(tmp_path):
    """The S-250/G manual sets "60°F" as "60" and a small raised "0": pdfium reads "600F", a limit ten
    times too high, which an answer would show and a technician (and the scorer) would read as 600. The
    reader marks a character at most 0.7 the digit's size, raised by a quarter of it, between a number
    and "F" or "C", with a hair space before it (white space: the page text keeps pdfium's characters,
    so quotes stay verbatim); "60" is then a number of its own, and what is shown reads "60°F". The
    same figures set on the line ("600F", "400F") stay as printed."""
    from assistant.index.lexical import tokenize
    from assistant.plaintext import plain

    doc, raw = _parsed(tmp_path, "raised_degrees", L.raised_degrees)
    assert "between 600F and 85oF" in raw[0] and "400\r\nF and 90o\r\nF" in raw[0]
    _check_contract(doc, raw)
    lines = doc.pages[0].splitlines()
    assert plain(lines[0]) == L.RAISED_DEGREES[0], lines[0]
    assert plain(lines[1]).replace("° ", "°") == L.RAISED_DEGREES[1], lines[1]  # pdfium broke the line after each
    assert plain(lines[2]) == "The oven reaches 600F in ten minutes; the probe reads up to 400F."
    assert "60" in tokenize(lines[0]) and "600f" not in tokenize(lines[0]) and "600f" in tokenize(lines[2])


def test_lettered_steps_whose_parentheses_are_drawn_are_steps_not_a_table(tmp_path):
    """TM 10-5411-205-13 p. 4-5 draws the parentheses of "(d)" to "(j)": pdfium reads a bare letter, set
    small and high at the marker's indent. Steps (f) to (j) were read as table rows ("f<tab>Place a 1/2 inch
    plywood sheet ..."), so no card or answer read them as steps, and a card's WARNING above (d) swallowed
    them. A bare lower-case letter in the marker column is a step's marker: each step is a list item whose
    marker is set apart from its text (U+3000), its wrapped lines below it."""
    from assistant.plaintext import plain

    doc, raw = _parsed(tmp_path, "drawn_parentheses", L.drawn_parentheses)
    _check_contract(doc, raw)
    assert not [b.text for b in doc.blocks if b.kind == "table_row"]
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.text.split("\u3000")[0] for b in items] == [s[0] for s in L.DRAWN_PARENS_STEPS]
    for b, (_, first, rest) in zip(items, L.DRAWN_PARENS_STEPS):
        assert plain(b.text) == " ".join(first + rest), b.text  # the marker off, the step's lines whole


def test_a_small_marker_sitting_high_beside_its_line_joins_the_line():
    """p. 4-5's "d" (6 pt) sits high beside "Using a soft cloth lightly coated" and "with solvent, ...",
    two runs whose tops differ. The marker, first by its centre, opened a line of its own; one run did
    not overlap it by half its height and opened another, which the second run joined: "d" was a line
    alone and its step text a paragraph. Side-by-side lines overlapping by half the smaller one's height
    are one line (the coordinates are pdfium's on that page)."""
    from assistant.ingest.layout import Run, visual_lines

    rs = [Run(0, 1, 146.12, 451.75, 148.79, 455.96, 6.0, False, "d"),
          Run(1050, 1083, 173.20, 453.20, 347.57, 464.89, 12.0, False, "Using a soft cloth lightly coated"),
          Run(1213, 1254, 352.90, 453.92, 585.18, 463.99, 12.0, False, "with solvent, remove excess adhesive from"),
          Run(1085, 1115, 173.05, 465.43, 327.48, 477.00, 12.0, False, "adhesive filled panel surface.")]
    lines = visual_lines(rs)
    assert [[r.text for r in ln.runs] for ln in lines] == [[r.text for r in rs[:3]], [rs[3].text]]


def test_the_parts_a_task_covers_listed_a_line_each_are_no_headings(tmp_path):
    """ "This task covers: a. Inspect" over "b. Test", "c . Adjust", "d. Replace", one a line: each line
    reads like a lettered part's title (SUBTASK), so the three were one heading, "b. Test c . Adjust
    d. Replace", over the whole task (its test, its two adjustments and its replacement sat under it, in
    every passage's trail and card title). Titles stacked with nothing between them are a list of the
    task's contents; "c . Adjust. (Figure 3-20)" over its steps stays the title of its part."""
    doc, raw = _parsed(tmp_path, "task_contents", L.task_contents)
    _check_contract(doc, raw)
    headings = [" ".join(b.text.split()) for b in doc.blocks if b.kind == "heading"]
    assert headings == ["3-18. Door Gaskets.", "c . Adjust. (Figure 3-20)"], headings


def test_a_bold_number_over_a_title_in_capitals_is_a_heading_and_a_bold_step_is_a_step(tmp_path):
    """The S-250/G TM draws the hyphen of "4-7. Delamination Repair." as a line, so pdfium reads "47. ...": a
    list marker, so the task's title was a list item and its parts sat under "Section III. MAINTENANCE
    PROCEDURES" (the card read "Section III. MAINTENANCE PROCEDURES b . Repair."). A bold number over words
    in capitals is a title; a bold number over an instruction stays a step."""
    doc, raw = _parsed(tmp_path, "titled_number", L.titled_number)
    _check_contract(doc, raw)
    kinds = {" ".join(b.text.split()): b.kind for b in doc.blocks}
    assert kinds["47. Delamination Repair."] == "heading", kinds
    assert kinds["12. Remove the cover."] == "list_item" and kinds["13. Drill the center hole."] == "list_item", kinds


def test_a_lettered_part_titled_by_a_phrase_in_body_type_is_a_heading(tmp_path):
    """The S-250/G TM sets each truck's tiedown as a lettered part titled in capitals, in body type: "e .
    Securing Shelter on 1-1/4-Ton (M1028) Truck." over "(1) Fabricate ...". It was a list item, so its steps
    sat under the task alone. A lettered title in capitals right above a step 1 is a heading over its
    steps; a lettered instruction ("f. Remove the four corner screws.") stays a list item."""
    doc, raw = _parsed(tmp_path, "lettered_titles", L.lettered_titles)
    _check_contract(doc, raw)
    kinds = {" ".join(b.text.split()): b.kind for b in doc.blocks}
    assert kinds["d . Securing Shelter on 1-1/4-Ton (M880) Truck."] == "heading", kinds
    assert kinds["e . Securing Shelter on 1-1/4-Ton (M1028) Truck."] == "heading", kinds
    assert kinds["f. Remove the four corner screws."] == "list_item", kinds
    unhook = next(c for c in chunk_doc(doc) if "Unhook four cable" in c.text)
    assert unhook.section[-1] == "e . Securing Shelter on 1-1/4-Ton (M1028) Truck.", unhook.section



def test_chinese_lines_wrapped_at_the_column_edge_are_joined_also_around_a_figure_in_a_latin_font(tmp_path):
    """CCAR-43 sets the figures in its Chinese text in a Latin font, a run of its own ("压力后， 15 分钟内开始"):
    a line in several runs was taken for a table row and kept its break, so "高度表误" / "差的测试" stayed
    apart and an answer quoted "差的测试的上限所对应的压力后， 15 分钟内开始。" as a sentence. Runs a space apart
    are running text; a form's fields set far apart on one line keep the break after them, and so does a
    line before a part numbered "一．"."""
    path = tmp_path / "zh_wraps.pdf"
    L.chinese_wraps(path)
    doc = parse(path)
    _check_contract(doc, _raw_pages(path))
    lines = doc.pages[0].splitlines()
    drawn = ["".join(text for _, text in pieces) for pieces in L.ZH_WRAPPED]
    paragraph = _squash("".join(drawn[:4]))
    assert [_squash(x) for x in lines[:1]] == [paragraph], lines
    assert "压力后， 15 分钟内开始。" in lines[0]
    assert [_squash(x) for x in lines[1:]] == [_squash(x) for x in drawn[4:]], lines


def test_a_group_name_centred_over_two_sub_columns_names_both(tmp_path):
    """A torque table names its columns on four lines: "SAE GRADE" and "No. 5" centred over a pound-feet
    and a newton-meter column, whose values are set to the right, so that the group's few letters stand
    over the newton-meter values only. Each of the two columns is named by its group ("... No. 5 POUND
    FEET", "... No. 5 NEWTON METERS"), and "SIZE" names the size and the thread columns; a line such as
    "NO. 1 or 2" (capitals but for "or") is one of the header's lines, not a row."""
    doc, raw = _parsed(tmp_path, "torque_limits", L.grouped_header_table)
    _check_contract(doc, raw)
    rows = [b for b in doc.blocks if b.kind == "table_row" and b.headers]
    assert [b.text.split("\t") for b in rows] == [list(r) for r in L.GROUPED_ROWS]
    want = ["SIZE DIA. INCHES", "SIZE THREADS PER INCH"] + [
        f"{name} {number} {unit}" for name, number in L.GROUPED_GROUPS for unit in ("POUND FEET", "NEWTON METERS")]
    assert all(list(b.headers) == want for b in rows), [b.headers for b in rows]
    assert all(b.context == L.GROUPED_CAPTION for b in rows)
