"""The label match (retrieve.label_match): a passage whose table-row or specification-line labels the
question names whole ranks as a technician reads a manual, the value looked up by its label. Real
MiniLM on a small engine manual written here: a prose section says "firing order" too, and on an
AVX-512 machine it outranked the specification line that gives the order without the label match."""
from __future__ import annotations

from pathlib import Path

import pytest

MANUAL = """# V8 diesel engine service manual

## 1-9. Engine identification
The engine is identified by a decal on the left rocker arm cover. The engine serial number is stamped on the
cylinder block behind the injection pump. Quote the engine serial number when ordering engine parts.

## 2-14. Injection line installation
Connect the injection lines to the injection pump in the engine firing order, starting at cylinder 1.
Tighten each line nut to 20 lb-ft and check the engine for leaks after the first start.

## 2-30. Cylinder head installation
Install the cylinder head gaskets with the word TOP facing up. Tighten the cylinder head bolts in the order
shown in the figure, in three passes, to 90 lb-ft on the final pass.

## 1-11. Tabulated data
Type . . . . . . . . . . . . . . V8 diesel, four stroke
Displacement . . . . . . . . . . 6.2 L (379 cu in.)
Firing order . . . . . . . . . . 1-8-7-2-6-5-4-3
Compression ratio . . . . . . . . 21.3:1
Oil capacity . . . . . . . . . . 7 qt (6.6 L) with filter
"""


@pytest.fixture(scope="module")
def engine_manual(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    root = tmp_path_factory.mktemp("labels")
    (root / "docs").mkdir()
    (root / "docs" / "engine_manual.md").write_text(MANUAL, encoding="utf-8")
    report = index_paths([root / "docs"], settings, index_dir=root / "lib", progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    lib = Library.open(root / "lib", settings)
    yield Retriever(lib, embedder=embedder)
    lib.close()


def test_the_specification_line_the_question_names_comes_first(engine_manual):
    r = engine_manual
    q = "What is the firing order of the engine?"

    def scores() -> dict[str, float]:
        return {h.chunk.section[-1]: h.score for h in r.search(q, 4)}

    weight = r.label_weight
    try:
        r.label_weight = 0.0
        plain = scores()
    finally:
        r.label_weight = weight
    hits = r.search(q, 4)
    assert "Firing order" in hits[0].chunk.text and "1-8-7-2-6-5-4-3" in hits[0].chunk.text
    assert all(0.0 <= h.score <= 1.0 for h in hits) and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # the prose that says "firing order" in passing gains nothing; the line that gives the order gains
    # (scores compared as ratios: dividing by the most they can reach moves every score alike). Which
    # of the two comes first without the label match depends on the CPU's kernels in a library this small.
    spec, prose = "1-11. Tabulated data", "2-14. Injection line installation"
    labelled = scores()
    assert labelled[spec] / labelled[prose] > 1.2 * plain[spec] / plain[prose]


def test_a_label_counts_only_when_the_question_names_it_whole():
    import numpy as np

    from assistant.index.lexical import BM25, tokenize
    from assistant.retrieve import label_match
    from assistant.types import Chunk

    def chunk(text: str) -> Chunk:
        return Chunk("c", "m.pdf", 1, ("Table 2-3",), 0, len(text), text, "en", ())

    rows = {1: chunk("Height\t70.125 in (178.11 cm)\nWidth\t79.0625 in (200.82 cm)\nLength\t86.625 in (220.03 cm)"),
            2: chunk("Main Bearing Clearance\t0.002-0.004 in.\t0.051-0.102 mm"),
            3: chunk("5\t2.007-2.009 in.\t50.978-51.029 mm\nb\t0.001-0.004 in.")}
    lexical = BM25.build(np.array(list(rows)), [" ".join(tokenize(c.text + " shelter")) for c in rows.values()])
    got = label_match("What are the height and width of the shelter?", rows, rows, lexical)
    assert set(got) == {1} and 0.0 < got[1] < 1.0  # both rows named; "Length" is not, and adds nothing
    assert label_match("What is the main bearing clearance?", rows, rows, lexical).keys() == {2}
    assert label_match("What is the bearing clearance?", rows, rows, lexical) == {}  # "Main" not named: not this label
    assert label_match("Give row 5 and row b", rows, rows, lexical) == {}  # a number or a letter labels nothing
