"""Parsers under hostile input, fuzzed for a bounded time: every input ends in a chunk list or a
ParseError with a reason, never another exception or a hang."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the [test] extra")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from assistant.index.chunk import chunk_doc  # noqa: E402
from assistant.errors import ParseError  # noqa: E402
from assistant.ingest import parse  # noqa: E402
from assistant.settings import Settings  # noqa: E402

from .conftest import SAMPLES  # noqa: E402

SETTINGS = Settings(ocr="off", max_pages=50, max_unzipped_mb=5)
FUZZ = settings(max_examples=60, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SEEDS = {ext: (SAMPLES / name).read_bytes() for ext, name in [
    (".pdf", "hp3_filter_procedure_zh.pdf"), (".docx", "conveyor_gearbox_oil_change.docx"),
    (".html", "substation_breaker_inspection.html"), (".md", "hp3_quick_reference.md")]}


def check(tmp_path: Path, ext: str, data: bytes) -> None:
    p = tmp_path / f"fuzz{ext}"
    p.write_bytes(data)
    try:
        doc = parse(p, SETTINGS)
    except ParseError as exc:
        assert exc.reason.strip()
        return
    for c in chunk_doc(doc, max_tokens=120):
        assert doc.pages[c.page - 1][c.start : c.end] == c.text and c.text.strip()


def mutate(seed: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    b = bytearray(seed[: max(1, len(seed) * cut // 100)])
    for pos, val in edits:
        b[pos % len(b)] = val
    return bytes(b)


@pytest.mark.parametrize("ext", [".pdf", ".docx", ".html", ".md", ".txt"])
@FUZZ
@given(data=st.binary(min_size=0, max_size=3000))
def test_random_bytes(tmp_path, ext, data):
    check(tmp_path, ext, data)


@pytest.mark.parametrize("ext", [".pdf", ".docx", ".html", ".md"])
@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=30), cut=st.integers(1, 100))
def test_mutated_samples(tmp_path, ext, edits, cut):
    check(tmp_path, ext, mutate(SEEDS[ext], edits, cut))


@FUZZ
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000),
       tags=st.lists(st.sampled_from(["<h1>", "</h1>", "<li>", "<ol>", "<table><tr><td>", "</td></tr>", "<script>", "<nav>",
                                      "<div class='warning'>", "</div>", "<p>", "<!--", "-->", "<br>", "&amp;", "&#0;"]), max_size=40))
def test_html_soup(tmp_path, text, tags):
    check(tmp_path, ".html", ("<html><body>" + "".join(t + text[i::7][:50] for i, t in enumerate(tags)) + text).encode("utf-8"))


@FUZZ
@given(text=st.text(max_size=3000), enc=st.sampled_from(["utf-8", "utf-16", "gb18030", "utf-8-sig"]))
def test_text_in_any_encoding(tmp_path, text, enc):
    try:
        data = text.encode(enc)
    except UnicodeEncodeError:
        return
    check(tmp_path, ".txt", data)
    check(tmp_path, ".md", data)


def test_docx_with_deep_nesting_and_bomb_members(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zipfile.ZipFile(SAMPLES / "conveyor_gearbox_oil_change.docx") as src:
            for item in src.infolist():
                zf.writestr(item, src.read(item.filename))
        zf.writestr("word/media/huge.bin", b"\0" * (8 * 2**20))
    check(tmp_path, ".docx", buf.getvalue())
    with pytest.raises(ParseError, match="zip bomb"):
        p = tmp_path / "b.docx"
        p.write_bytes(buf.getvalue())
        parse(p, SETTINGS)
