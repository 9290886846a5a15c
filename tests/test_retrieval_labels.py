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


def test_a_passage_titled_for_another_variant_of_the_asked_code_is_demoted():
    """"The cylinder bore diameter for the 6.5L engine" is not answered under "Table 2-2. General Repair
    Standards (6.2L)": the US Army engine manual prints the same rows for both engines, and the answer
    quoted the 6.2L's. A passage whose headings or table captions name a code of the same shape as the
    question's ("6.2l" for "6.5l"), and not the question's, is another variant's; body text, which
    names many models, and codes of another shape do not count."""
    from assistant.retrieve import other_variant, variant_shape
    from assistant.types import Chunk

    def chunk(section: tuple[str, ...], text: str, labelled: str = "") -> Chunk:
        return Chunk("c", "tm.pdf", 1, section, 0, len(text), text, "en", (), labelled=labelled)

    standards = ("2-45. REPAIR AND REPLACEMENT STANDARDS",)
    rows = {
        1: chunk(standards, "Diameter\t3.976-3.979 in.", "Table 2-2. General Repair Standards (6.2L). > Cylinder Bore\n"
                 "STANDARD || METRIC\nDiameter | 3.976-3.979 in."),
        2: chunk(standards, "Diameter\t3.978-3.981 in.", "Table 2-3. General Repair Standards (6.5L). > Cylinder Bore\n"
                 "STANDARD || METRIC\nDiameter | 3.978-3.981 in."),
        3: chunk(("2-16. CYLINDER BLOCK REPAIR",), "Hone the 6.2L and the 6.2L HD blocks alike; see table 2-2."),
        4: chunk(("Bearing 6206-2RS",), "Replace the bearing."),
    }
    assert variant_shape("6.5l") == variant_shape("6.2l") != variant_shape("s-250/g")
    assert other_variant("What is the cylinder bore diameter for the 6.5L engine?", rows, rows) == [1]
    assert other_variant("What is the cylinder bore diameter for the 6.2L engine?", rows, rows) == [2]
    assert other_variant("What is the cylinder bore diameter?", rows, rows) == []
    assert other_variant("Which bearing does the 6205-2RS replace?", rows, rows) == [4]
    assert other_variant("What are the height and width of the S-250/G shelter?", rows, rows) == []


SHELTER = """# S-250/G shelter manual

## 1-1. Scope
This manual covers the S-250/G shelter. The S-250/G Unshielded and S-250/G Shielded shelters house
electronic equipment. Maintenance data for a specifically configured S-250/G shelter is in the end item manual.

## 1-2. Maintenance forms
Forms for the S-250/G shelter are those of DA PAM 738-750. Report S-250/G shelter deficiencies on SF 368.

## 1-8. Equipment characteristics
The S-250/G shelter is a lightweight transportable shelter for S-250/G electronic equipment, carried on a truck.

## 1-10. Equipment data
Height . . . . . . . . . . 70.125 in (178.11 cm)
Width . . . . . . . . . . 79.0625 in (200.82 cm)
Length . . . . . . . . . . 86.625 in (220.03 cm)
Gross weight, empty . . . . . . 770 lb (349 kg)
Gross weight, loaded . . . . . . 1,800 lb (816 kg)
Cubage . . . . . . . . . . 275 cu ft (7.8 m3)
Load on skids, empty . . . . . . 1.8 psi
Load on skids, loaded . . . . . . 6.2 psi
Door opening . . . . . . . . . . 30 x 56 in

## 3-18. Door gasket replacement
Remove the old gasket from the S-250/G shelter door. Cut the new gasket to the width of the door frame
and check the gasket height against the S-250/G door seal before bonding.

## 3-28. Louver cover
Fit the louver cover of the S-250/G shelter. The cover must clear the full width of the louver opening.
"""


def test_a_code_the_question_names_counts_once_against_the_words_that_say_what_is_asked(tmp_path, settings, embedder):
    """"What are the height and width of the S-250/G shelter?": "S-250/G" is five tokens (whole, "s",
    "250", "g", run together), and every passage of the manual names the shelter; counted five times in
    BM25 and as four terms of the question in the answer, the code outweighed the two words that say
    which values are asked, and the equipment data ranked below every paragraph naming the shelter (24th
    in the US Army TM, in a library of three manuals, where the code is rare). A code counts as one term
    in both."""
    from assistant.app import Assistant
    from assistant.index.build import index_paths
    from assistant.settings import load_settings

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "shelter_manual.md").write_text(SHELTER, encoding="utf-8")
    (tmp_path / "docs" / "engine_manual.md").write_text(MANUAL, encoding="utf-8")  # a library of two manuals: the code is rare in it
    report = index_paths([tmp_path / "docs"], settings, index_dir=tmp_path / "lib", progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    a = Assistant(load_settings(index_dir=tmp_path / "lib", llm="none"), llm=None)
    try:
        q = "What are the height and width of the S-250/G shelter?"
        assert "Equipment data" in a.retriever.search(q, 1)[0].chunk.section[-1]
        answer = a.ask(q)
        assert "70.125 in" in answer.answer and "79.0625 in" in answer.answer, answer.answer
    finally:
        a.close() if hasattr(a, "close") else None
