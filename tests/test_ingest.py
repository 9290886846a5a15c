"""Parsing and chunking on real files: the bundled samples and the fixtures (see scripts/make_samples.py)."""
from __future__ import annotations

import zipfile

import pytest

from assistant.index.chunk import approx_tokens, chunk_doc
from assistant.errors import ParseError
from assistant.ingest import parse
from assistant.settings import Settings

from .conftest import FIXTURES, SAMPLES


def blocks_with(doc, needle):
    return [b for b in doc.blocks if needle in b.text]


def test_pdf_pages_sections_and_verbatim_spans():
    doc = parse(SAMPLES / "hp3_pump_manual.pdf")
    assert len(doc.pages) == 6
    chunks = chunk_doc(doc)
    filt = [c for c in chunks if "3.1 Replacing the return-line filter element" in c.section]
    assert filt, "procedure 3.1 must have its own section path"
    assert {c.page for c in filt} == {3}
    for c in chunks:  # every chunk is an exact slice of its page: quotes cut from it are verbatim
        assert doc.pages[c.page - 1][c.start : c.end] == c.text
        assert c.id and len(c.id) == 20 and c.language == "en"
    # the running header printed on every page is not content
    assert not any(c.text.startswith("HP-3 Hydraulic Power Unit — Maintenance Manual HP3-MM-01") for c in chunks)


def test_pdf_table_rows_stay_whole():
    doc = parse(SAMPLES / "hp3_pump_manual.pdf")
    rows = [line for page in doc.pages for line in page.splitlines() if "Maximum operating pressure" in line]
    assert rows and "210 bar" in rows[0]
    chunks = chunk_doc(doc, max_tokens=40)  # a tiny budget forces splits, but never inside a row
    assert any("Maximum operating pressure\t210 bar" in c.text for c in chunks)  # the cells, tab-separated


def test_warning_stays_with_the_step_it_guards():
    doc = parse(SAMPLES / "hp3_pump_manual.pdf")
    for max_tokens in (100, 160, 216):
        chunks = chunk_doc(doc, max_tokens=max_tokens)
        [c] = [c for c in chunks if "WARNING: Stored hydraulic pressure can inject oil" in c.text]
        after = c.text.split("WARNING: Stored hydraulic pressure can inject oil", 1)[1]
        assert "5. Turn the filter housing cover counter-clockwise" in after


def test_chunks_respect_the_token_budget(embedder):
    doc = parse(SAMPLES / "proceedings_bearing_monitoring.pdf")
    chunks = chunk_doc(doc, max_tokens=120, count=embedder.count_tokens)
    assert all(embedder.count_tokens(c.text) <= 120 for c in chunks)
    assert any(c.section and c.section[-1] == "2 Method" for c in chunks)


def test_chinese_pdf_and_sentence_boundaries():
    doc = parse(SAMPLES / "hp3_filter_procedure_zh.pdf")
    chunks = chunk_doc(doc, max_tokens=40)
    assert all(c.language == "zh" for c in chunks if "操作步骤" in " ".join(c.section))
    torque = [c for c in chunks if "拧紧力矩为 25 N·m" in c.text]
    assert torque
    # split inside a long paragraph only at 。！？； (or a line end), never mid-sentence
    for c in chunks:
        assert c.text.rstrip()[-1] in "。！？；）)" or c.text.rstrip()[-1].isalnum() or c.text.rstrip()[-1] in "·m"


def test_docx_headings_and_table():
    doc = parse(SAMPLES / "conveyor_gearbox_oil_change.docx")
    assert any(b.kind == "table_row" and "Drain plug torque" in b.text and "45 N·m" in b.text for b in doc.blocks)
    chunks = chunk_doc(doc)
    drain = [c for c in chunks if "magnetic drain plug" in c.text]
    assert drain and drain[0].section[-1] == "4.2 Draining the oil"
    assert drain[0].section[0] == "Belt conveyor CV-7 gearbox oil change"


def test_html_drops_scripts_styles_and_navigation():
    raw = (SAMPLES / "substation_breaker_inspection.html").read_text(encoding="utf-8")
    assert "<script" in raw and "<nav" in raw
    doc = parse(SAMPLES / "substation_breaker_inspection.html")
    text = doc.pages[0]
    assert "function" not in text and "{" not in text
    assert any(b.kind == "heading" and "Annual inspection of 110 kV SF6 circuit breaker" in b.text for b in doc.blocks)
    assert any(b.kind == "table_row" and "0.6 MPa" in b.text for b in doc.blocks)


def test_markdown_headings():
    doc = parse(SAMPLES / "hp3_quick_reference.md")
    heads = [b.text for b in doc.blocks if b.kind == "heading"]
    assert heads[0].startswith("HP-3 Hydraulic Power Unit")
    assert doc.pages[0] == (SAMPLES / "hp3_quick_reference.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,needle", [
    ("gbk_notes.txt", "滤壳盖按 25 N·m 拧紧"),
    ("utf16_notes.txt", "Drain plug tightened to 45 N·m"),
    ("utf8_notes.txt", "SF6 density monitor readings"),
])
def test_text_encodings(name, needle):
    raw = (FIXTURES / name).read_bytes()
    if name == "gbk_notes.txt":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    if name == "utf16_notes.txt":
        assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    doc = parse(FIXTURES / name)
    assert needle in doc.pages[0]


def test_scanned_page_is_ocrd():
    pytest.importorskip("rapidocr_onnxruntime", reason="the [ocr] extra is installed in CI")
    doc = parse(FIXTURES / "scanned_page.pdf")
    assert doc.ocr_pages == (1,)
    text = doc.pages[0]
    assert "HF-220-10" in text and "Inspection" in text
    assert "滤芯" in text  # Chinese lines are read too
    # the recogniser runs English words together ("noleaksatthefiltercover"): the spaces come back
    assert "no leaks at the filter cover" in text and "every 500 hours" in text


def test_scanned_page_without_ocr_is_reported():
    with pytest.raises(ParseError, match="no text layer"):
        parse(FIXTURES / "scanned_page.pdf", Settings(ocr="off"))


@pytest.mark.parametrize("make,reason", [
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: p.write_bytes((SAMPLES / "hp3_pump_manual.pdf").read_bytes()[:3000]), "damaged or truncated PDF"),
    (lambda p: p.write_bytes((FIXTURES / "encrypted.pdf").read_bytes()), "password-protected"),
    (lambda p: p.write_bytes(bytes(range(256)) * 40), "binary content"),
])
def test_bad_pdfs_get_specific_reasons(tmp_path, make, reason):
    p = tmp_path / "bad.pdf"
    make(p)
    with pytest.raises(ParseError, match=reason):
        parse(p)


def test_content_that_does_not_match_the_extension(tmp_path):
    p = tmp_path / "manual.docx"
    p.write_bytes((SAMPLES / "hp3_pump_manual.pdf").read_bytes())
    with pytest.raises(ParseError, match="content is a PDF, not a ZIP/Office file"):
        parse(p)
    t = tmp_path / "notes.txt"
    t.write_bytes(b"\x00\x01\x02garbage\xff\xfe\x00" * 100)
    with pytest.raises(ParseError, match="binary"):
        parse(t)
    z = tmp_path / "other.docx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "not a word file")
    with pytest.raises(ParseError, match="not a Word document"):
        parse(z)


def test_docx_zip_bomb_is_refused(tmp_path):
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
        zf.writestr("word/padding.bin", b"\0" * (3 * 2**20))
    assert p.stat().st_size < 100_000
    with pytest.raises(ParseError, match="zip bomb"):
        parse(p, Settings(max_unzipped_mb=2))


def test_approx_tokens_is_conservative(embedder):
    doc = parse(SAMPLES / "hp3_pump_manual.pdf")
    for c in chunk_doc(doc):
        assert embedder.count_tokens(c.text) <= approx_tokens(c.text) * 1.6 + 8


def _norm(s: str) -> str:
    import re

    return re.sub(r"\s+", "", s)


def test_chinese_pdf_lines_wrapped_inside_words_are_joined():
    """pypdfium2 gives "维修技术人\\r\\n员" where the line wraps; the page text joins such wraps (the PDF
    has no space there), so no passage shows "技术人 员". Only white space is removed: quotes still
    match pypdfium2's text with white space ignored, and every chunk is an exact slice of its page."""
    import re

    import pypdfium2 as pdfium

    path = SAMPLES / "hp3_filter_procedure_zh.pdf"
    doc = parse(path)
    raw = [p.get_textpage().get_text_range() for p in pdfium.PdfDocument(str(path))]
    assert "技术人\r\n员" in raw[0] and "签名。废\r\n旧滤芯" in raw[1]  # what the PDF's text layer holds
    # the page text is pdfium's less the running header and footer, white space aside
    header, footer = "HP-3液压站回油滤芯更换规程HP3-WI-031-ZH版本C", "第1页共2页"
    assert _norm(raw[0]).startswith(header) and _norm(raw[0]).endswith(footer)
    assert _norm(doc.pages[0]) == _norm(raw[0])[len(header) : -len(footer)]
    chunks = chunk_doc(doc, max_tokens=60)
    text = "\n".join(c.text for c in chunks)
    for word in ("维修技术人员完成", "废旧滤芯", "报告当班主管（可能是泵磨损）", "切断电源，并将系统完全泄压"):
        assert word in text, word
    assert not re.search(r"技术人\s+员|废\s+旧滤芯|是\s+泵磨损|并\s+将系统", text)
    for c in chunks:
        assert doc.pages[c.page - 1][c.start : c.end] == c.text
    # lines that are not wraps keep their break: table rows, headings, the last line of a paragraph
    assert "项目\t数值\n最高工作压力\t210 bar\n" in doc.pages[0]  # a table: cells split by tabs
    assert "2 主要技术参数\n项目\t数值" in doc.pages[0]
    assert "时立即更换。" in doc.pages[0]


def _table_pdf(path, rows, header_bold=True):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    ss = getSampleStyleSheet()
    story = [Paragraph("Gearbox GB-9 service manual", ss["Title"]), Paragraph("2 Technical data", ss["Heading2"]),
             Paragraph("The gearbox data below apply to every GB-9 unit built since 2019.", ss["BodyText"]), Spacer(1, 6)]
    t = Table(rows, colWidths=[150, 150, 150])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold" if header_bold else "Helvetica"),
                           ("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story += [t, Spacer(1, 6), Paragraph("3 Oil change", ss["Heading2"]),
              Paragraph("Drain the oil while it is warm. Refill with 12 L of ISO VG 220.", ss["BodyText"])]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def test_a_bold_table_header_row_is_not_a_heading(tmp_path):
    """A table's header row set in bold is a table row: the section path stays "2 Technical data"."""
    path = tmp_path / "gb9.pdf"
    _table_pdf(path, [["Parameter", "Value", "Unit"], ["Oil volume", "12", "L"], ["Oil grade", "ISO VG 220", "-"],
                      ["Drain plug torque", "40", "N·m"]])
    doc = parse(path)
    header = [b for b in doc.blocks if b.text.startswith("Parameter")]
    assert header and header[0].kind == "table_row"
    chunks = chunk_doc(doc)
    table = [c for c in chunks if "Drain plug torque" in c.text]
    assert table and table[0].section[-1] == "2 Technical data"
    assert all("Parameter" not in h for c in chunks for h in c.section)
    oil = [c for c in chunks if "Refill with 12 L" in c.text]
    assert oil and oil[0].section[-1] == "3 Oil change"  # real headings still are headings


def test_a_bold_heading_with_a_wide_gap_after_its_number_stays_a_heading(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "gap.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(72, 760, "4.2")
    c.drawString(140, 760, "Bearing check")  # number and title far apart, as some manuals set them
    c.setFont("Helvetica", 11)
    for i, line in enumerate(["Listen for noise at the drive-end bearing while the motor runs.",
                              "Grease with 5 g of EP2 grease every 2000 h of operation."]):
        c.drawString(72, 740 - 14 * i, line)
    c.save()
    doc = parse(path)
    chunks = chunk_doc(doc)
    assert chunks and chunks[0].section and chunks[0].section[-1].startswith("4.2") and "Bearing check" in chunks[0].section[-1]
