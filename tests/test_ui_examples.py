"""The web UI's example questions and library line, without a browser: the questions are made from
the open library's own headings (so they change with the library), one per document, in the
interface's language first; the header line counts what the library holds."""
from __future__ import annotations

import re

from ui.examples import clean_heading, example_questions
from ui.render import library_html


def _headings_by_doc(rows) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for _, name, _, path, _ in rows:
        out.setdefault(name, set()).update(clean_heading(h).lower() for h in path[1:] if clean_heading(h))
    return out


def test_three_questions_from_three_documents_of_the_sample_library(sample_library):
    rows = sample_library.store.sections()
    headings = _headings_by_doc(rows)
    en = example_questions(rows, "en")
    assert len(en) == 3 and len({e.doc for e in en}) == 3
    for e in en:
        assert e.heading.lower() in headings[e.doc] and e.heading.lower() in e.question.lower()
        assert e.question.endswith("?") and not re.search(r"[\u4e00-\u9fff]", e.question)
    # a procedure title makes the first question, with the equipment's code from the document's title
    assert en[0].heading[0].isupper() and en[0].heading.split()[0].endswith("ing")
    zh = example_questions(rows, "zh")
    assert zh[0].language == "zh" and zh[0].question.endswith("？") and zh[0].doc.endswith("_zh.pdf")
    assert {e.question for e in zh[1:]} <= {e.question for e in en}


def test_questions_follow_the_library(tmp_path, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "k7.md").write_text("# Compressor K-7 service manual\n\n## 1 Safety\n\nLock out the K-7 first.\n\n"
                                "## 2 Replacing the drive belt\n\n1. Remove the belt guard.\n2. Fit the new belt.\n", encoding="utf-8")
    (docs / "press.md").write_text("# Hydraulic press HP-40\n\n## Scope\n\nThis covers the HP-40.\n\n## Daily checks\n\n"
                                   "Check the oil level and the guards.\n\n## 3 Bleeding the brake circuit\n\nOpen the bleed screw.\n",
                                   encoding="utf-8")
    index_paths([docs], settings, index_dir=tmp_path / "lib", progress=False, embedder=embedder, workers=1)
    lib = Library.open(tmp_path / "lib", settings)
    try:
        questions = [e.question for e in example_questions(lib.store.sections(), "en")]
    finally:
        lib.close()
    assert questions[:2] == ["What are the steps for replacing the drive belt on the K-7?",
                             "What are the steps for bleeding the brake circuit on the HP-40?"]
    assert "What are the daily checks for the HP-40?" in questions  # a third, from a document already used
    assert not any("safety" in q.lower() or "scope" in q.lower() for q in questions)


def test_no_questions_from_an_empty_library():
    assert example_questions([], "en") == []


def test_library_line_counts_documents_passages_and_pages(tmp_path):
    docs = [{"chunks": 40, "pages": 6}, {"chunks": 1, "pages": 1}]
    line = re.sub(r"<[^>]+>", "", library_html(tmp_path / "plant-a", docs, "en"))
    assert line == "Library plant-a · 2 documents · 41 passages · 7 pages"
    assert "1 document ·" in re.sub(r"<[^>]+>", "", library_html(tmp_path / "x", docs[1:], "en"))
    assert re.sub(r"<[^>]+>", "", library_html(tmp_path / "plant-a", docs, "zh")) == "资料库 plant-a · 2份文档 · 41个段落 · 7页"
    assert "empty" in library_html(tmp_path / "new", [], "en")
