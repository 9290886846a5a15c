"""Small-to-big retrieval (assistant/enclosing.py): a search matches chunks and returns the unit around
each (the rest of its section within the token budget; a table passage with its column names), two
matches in one unit are one hit, and an answer draws from the units the search shows. Real MiniLM on
a Markdown manual whose long procedure is cut into several chunks (chunk_tokens=60)."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index.chunk import approx_tokens

STEPS = [
    "Stop the conveyor drive and lock out the main isolator with your own padlock.",
    "Place a 20 litre drain pan under the gearbox and clean the area around the drain plug.",
    "Remove the breather cap so that the oil drains freely from the housing.",
    "Remove the magnetic drain plug with a 24 mm socket and let the oil drain for 15 minutes.",
    "Clean the magnetic drain plug and inspect the metal particles collected on it.",
    "Fit a new copper sealing washer and tighten the drain plug to 35 N·m.",
    "Fill the gearbox with 12 litres of ISO VG 220 gear oil through the breather opening.",
    "Check the level at the sight glass: the oil must reach the centre of the glass.",
    "Refit the breather cap, remove your padlock and run the conveyor for ten minutes.",
]


def write_manual(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    parts = ["# Conveyor gearbox service manual", "",
             "## Gearbox oil change", "Change the oil every 5000 operating hours or once a year.", "",
             *[f"{i}. {s}" for i, s in enumerate(STEPS, 1)], "",
             "## Bearing lubrication", "Grease the tail pulley bearings every 500 hours with two shots of lithium grease.", "",
             "## Fastener torques", "",
             "| Fastener | Size | Torque |", "|---|---|---|",
             "| Motor foot bolts | M16 | 210 N·m |", "| Gearbox mounting bolts | M20 | 410 N·m |",
             "| Pulley hub screws | M12 | 85 N·m |", ""]
    path = root / "conveyor_gearbox.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("enclosing")
    settings = Settings(llm="none", chunk_tokens=60)
    report = index_paths([write_manual(root / "docs")], settings, index_dir=root / "lib", progress=False,
                         embedder=embedder, workers=1)
    assert not report.failed, report.failed
    lib = Library.open(root / "lib", settings)
    yield lib
    lib.close()


def retriever(library, embedder, unit_tokens: int):
    from assistant.retrieve import Retriever

    r = Retriever(library, embedder=embedder)
    r.unit_tokens = unit_tokens
    return r


def procedure_chunks(library) -> list:
    store = library.store
    rows = store.chunk_rows(list(range(1, store.count_chunks() + 100)))
    return [c for _, c in sorted(rows.items()) if c.section and c.section[-1] == "Gearbox oil change"]


def test_the_procedure_is_cut_into_several_chunks(library):
    """The premise of the other tests: the long procedure spans several chunks of one section."""
    assert len(procedure_chunks(library)) >= 3


def test_a_hit_is_its_section_read_on_within_the_budget(library, embedder):
    hit = retriever(library, embedder, 480).search("What torque for the gearbox drain plug?", 5)[0]
    section = procedure_chunks(library)
    assert hit.chunk in section and hit.chunk in hit.chunks
    # the whole procedure fits the budget: the hit is all of it, in reading order, and nothing else
    assert list(hit.chunks) == section
    assert "35 N·m" in hit.display_text and "lock out the main isolator" in hit.display_text
    assert "tail pulley" not in hit.display_text  # the next section is another unit
    out = hit.to_json()
    assert [u["chunk_id"] for u in out["unit"]] == [c.id for c in section] and out["chunk_id"] == hit.chunk.id
    # the matched chunk keeps its scores; the others read on from it at a discount
    assert next(p for p in hit.unit if p.chunk == hit.chunk).score == hit.score
    assert all(p.score < hit.score for p in hit.unit if p.chunk != hit.chunk)


def test_two_matches_in_one_unit_are_one_hit(library, embedder):
    q = "How do I drain and refill the gearbox oil?"
    alone = retriever(library, embedder, 0).search(q, 6)
    section = procedure_chunks(library)
    assert sum(h.chunk in section for h in alone) >= 2  # the chunk search returns the procedure piecemeal
    assert all(not h.unit for h in alone)
    units = retriever(library, embedder, 480).search(q, 6)
    assert sum(any(c in section for c in h.chunks) for h in units) == 1
    seen = [c.id for h in units for c in h.chunks]
    assert len(seen) == len(set(seen))  # no chunk shown twice
    assert [h.rank for h in units] == list(range(1, len(units) + 1))


def test_a_long_section_is_a_window_around_the_match(library, embedder):
    budget = 90
    hit = retriever(library, embedder, budget).search("What torque for the gearbox drain plug?", 5)[0]
    section = procedure_chunks(library)
    assert hit.chunk in hit.chunks and set(hit.chunks) < set(section)
    assert len(hit.chunks) >= 2, "the window reads on beyond the matched chunk where the budget allows"
    assert sum(approx_tokens(c.text) for c in hit.chunks) <= budget + 30  # the budget (length estimate) holds
    ids = [section.index(c) for c in hit.chunks]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # contiguous, in reading order


def test_a_table_row_comes_with_its_column_names(library, embedder):
    """A Markdown table's rows carry no column names of their own: the row reads on within its table,
    whose header row is then part of what is shown."""
    hit = retriever(library, embedder, 480).search("Torque of the gearbox mounting bolts M20?", 5)[0]
    assert "410" in hit.chunk.text
    assert "Fastener" in hit.display_text and "Torque" in hit.display_text
    assert "tail pulley" not in hit.display_text


def test_a_passage_with_labelled_rows_is_its_own_unit():
    """A PDF table passage's indexed text already holds its caption, column names and any row cut by the
    page break (index/chunk.labelled): the next rows are other rows, so it is a unit of its own; a
    prose passage of the same section reads on into them."""
    from assistant.enclosing import unit_rows

    outline = {1: (3, "Troubleshooting", True, 80), 2: (3, "Troubleshooting", True, 90), 3: (3, "Troubleshooting", False, 40)}
    assert unit_rows(2, outline, 480, set()) == [2]
    assert unit_rows(3, outline, 480, set()) == [1, 2, 3]
    assert unit_rows(3, outline, 480, {1}) == [2, 3]  # never into another hit's unit
    assert unit_rows(3, outline, 140, set()) == [2, 3]  # within the budget
    assert unit_rows(3, outline, 100, set()) == [3]


def test_an_answer_draws_from_the_units_the_search_shows(library, embedder):
    from assistant.answer.pipeline import answer_question

    r = retriever(library, embedder, 480)
    q = "How long must the oil drain after the drain plug is removed?"
    a = answer_question(q, r, None)
    assert not a.refused and "15 minutes" in a.answer
    shown = {c.id for h in r.search(q, 6) for c in h.chunks}
    assert a.citations and all(c.chunk_id in shown for c in a.citations)
