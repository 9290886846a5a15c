"""Retrieval in a library of several manuals of similar machines: which manual a question names
weighs in ranking (documents.document_evidence), another manual's word-for-word copy of a passage does
not crowd the top (documents.demote_copies), and a library of one document ranks as it did without
either. Real MiniLM; the manuals are written by `write_manuals` (two pumps that share their
vocabulary, only their title pages name the model)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SECTIONS = {
    "Safety": "Stop the pump and lock out the motor before any work. Close the suction and discharge valves "
              "and drain the casing. Wear gloves and eye protection when handling the seal faces.",
    "Installation": "Set the pump on a level base and align the coupling within 0.05 mm. Connect the suction "
                    "pipe without strain and fill the casing with clean liquid before the first start.",
    "Operation": "Start the motor with the discharge valve partly open. Check the discharge pressure and the "
                 "bearing temperature every hour during the first day of operation.",
    "Lubrication": "Grease the motor bearings every 2000 hours of operation with lithium grease. Do not "
                   "overfill: excess grease raises the bearing temperature.",
}
SEAL = {  # the one section that differs: the P-200 text says it in the question's own words
    "p-200": "Replace the mechanical seal: remove the coupling guard, remove the impeller nut, pull the impeller "
             "and slide the old seal off the shaft. Replace the seal with a new one, lubricate the new seal "
             "O-ring and tighten the impeller nut to 45 N·m.",
    "p-300": "Mechanical seal renewal: take off the guard and the impeller, fit a new seal cartridge on the "
             "shaft sleeve and torque the cartridge clamp screws to 12 N·m.",
}


def write_manuals(root: Path, models=("p-200", "p-300")) -> Path:
    """One Markdown service manual per pump model in `root`: a title page naming the model, then the
    same sections, all but the seal section word for word the same."""
    root.mkdir(parents=True, exist_ok=True)
    for model in models:
        name = model.upper()
        parts = [f"# Centrifugal pump {name} service manual", f"Model {name}. Read this manual before service.", ""]
        for head, text in [*SECTIONS.items(), ("Seal replacement", SEAL[model])]:
            parts += [f"## {head}", text, ""]
        (root / f"pump_{model}.md").write_text("\n".join(parts), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def two_manuals(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    root = tmp_path_factory.mktemp("mixed")
    report = index_paths([write_manuals(root / "docs")], settings, index_dir=root / "lib", progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    lib = Library.open(root / "lib", settings)
    yield Retriever(lib, embedder=embedder)
    lib.close()


@pytest.fixture(scope="module")
def one_manual(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    root = tmp_path_factory.mktemp("single")
    report = index_paths([write_manuals(root / "docs", ("p-300",))], settings, index_dir=root / "lib", progress=False,
                         embedder=embedder, workers=1)
    assert not report.failed, report.failed
    lib = Library.open(root / "lib", settings)
    yield Retriever(lib, embedder=embedder)
    lib.close()


QUESTION = "How do I replace the mechanical seal on the P-300 pump?"


def test_the_manual_the_question_names_comes_first(two_manuals):
    r = two_manuals
    seal = [h for h in r.search(QUESTION, 5) if "seal" in h.chunk.text.lower() and "impeller" in h.chunk.text.lower()]
    assert seal, "both seal sections should be found"
    weights = r.identity_weight, r.variant_weight
    try:
        # without the document's identity (nor the demotion of a passage titled for another model, whose
        # title trail names "P-200") the other pump's wording wins
        r.identity_weight = r.variant_weight = 0.0
        assert r.search(QUESTION, 1)[0].chunk.doc == "pump_p-200.md"
    finally:
        r.identity_weight, r.variant_weight = weights
    top = r.search(QUESTION, 1)[0]
    assert top.chunk.doc == "pump_p-300.md" and "12 N·m" in top.chunk.text


def test_a_question_that_names_no_manual_is_ranked_as_without_identity(two_manuals):
    r = two_manuals
    q = "How do I replace the mechanical seal?"
    with_identity = [(h.chunk.id, round(h.score, 9)) for h in r.search(q, 8)]
    weight = r.identity_weight
    try:
        r.identity_weight = 0.0
        without = [(h.chunk.id, round(h.score, 9)) for h in r.search(q, 8)]
    finally:
        r.identity_weight = weight
    assert with_identity == without


def test_another_manuals_copy_of_a_passage_does_not_crowd_the_top(two_manuals):
    hits = two_manuals.search("How often do I grease the motor bearings?", 4)
    texts = [h.chunk.text for h in hits]
    assert "lithium grease" in texts[0]
    # the other pump's word-for-word lubrication section comes after the distinct passages found
    copies = [i for i, t in enumerate(texts) if "lithium grease" in t]
    assert copies[0] == 0 and all(i >= 1 for i in copies[1:])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk.doc for h in hits}) == 2


def test_single_document_library_ranks_as_without_document_evidence(one_manual):
    r = one_manual
    for q in (QUESTION, "What torque for the impeller nut?", "Lubrication interval of the P-300 motor bearings"):
        ranked = [(h.chunk.id, h.score) for h in r.search(q, 6)]
        weight = r.identity_weight
        try:
            r.identity_weight = 0.0
            plain = [(h.chunk.id, h.score) for h in r.search(q, 6)]
        finally:
            r.identity_weight = weight
        assert ranked == plain


def test_demote_copies_moves_only_another_documents_copy():
    from assistant.documents import demote_copies
    from assistant.types import Chunk

    def chunk(i: int, doc: str, text: str) -> Chunk:
        return Chunk(f"c{i}", doc, 1, ("S",), 0, len(text), text, "en", ())

    same = "Grease the motor bearings every 2000 hours with lithium grease"
    rows = {1: chunk(1, "a.md", same), 2: chunk(2, "b.md", same), 3: chunk(3, "a.md", "Align the coupling within 0.05 mm"),
            4: chunk(4, "a.md", same)}
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)]
    out = demote_copies(ranked, rows, 10)
    assert [i for i, _ in out] == [1, 3, 4, 2]  # b.md's copy after a.md's distinct passages; a.md's own repeat stays
    assert [s for _, s in out] == [0.9, 0.7, 0.6, 0.6]


def test_document_identity_holds_model_names_and_codes_not_plain_words(two_manuals):
    from assistant.documents import document_identities

    ids = document_identities(two_manuals.library.store)
    assert "p-300" in ids["pump_p-300.md"] and "p-300" not in ids["pump_p-200.md"]
    assert not {"pump", "centrifug", "manual"} & ids["pump_p-300.md"]


def test_search_reports_the_time_of_each_stage(two_manuals):
    from assistant.retrieve import StageTimes

    r = two_manuals
    r.stage_times = StageTimes()
    try:
        r.search(QUESTION, 3)
        r.search("lubrication", 3)
    finally:
        times, r.stage_times = r.stage_times, None
    for stage in ("BM25", "embed MiniLM", "FAISS MiniLM", "chunk rows", "fusion", "document evidence", "units", "total"):
        assert len(times.ms[stage]) == 2 and all(ms >= 0 for ms in times.ms[stage])


def test_bm25_scores_equal_the_sum_of_the_matrix_columns():
    """A query's score is the sum of its terms' columns; the ways one code is written ("hf-220-10", "hf",
    "220", "10", "hf22010") share one term's weight."""
    from assistant.index.lexical import BM25, token_groups, tokenize

    docs = ["replace the seal and the impeller", "grease the bearings", "seal seal O-ring HF-220-10", ""]
    bm = BM25.build(np.arange(1, 5), [" ".join(tokenize(d)) for d in docs])
    for q in ("seal impeller seal", "hf-220-10 bearing", "nothing here"):
        want = np.zeros(4)
        for group in token_groups(q):
            cols = [bm.vocab[t] for t in group if t in bm.vocab]
            if cols:
                want += np.asarray(bm.matrix[:, cols].sum(axis=1)).ravel() / len(group)
        assert np.allclose(bm.scores(q), want, atol=1e-6)
    assert len(token_groups("hf-220-10")[0]) == 5 and bm.scores("hf-220-10")[2] > 0
    # expansion terms count half; only documents holding a term come back, best first
    s, ids = bm.search("seal", 10, expansion="grease bearings")
    want = np.asarray(bm.matrix[:, [bm.vocab["seal"]]].sum(axis=1)).ravel() + 0.5 * np.asarray(
        bm.matrix[:, [bm.vocab[t] for t in tokenize("grease bearings")]].sum(axis=1)).ravel()
    assert sorted(ids.tolist()) == [1, 2, 3] and np.all(np.diff(s) <= 0)
    assert np.allclose(s, want[ids - 1], atol=1e-6)


def test_one_query_vector_search_matches_a_batch_and_leaves_faiss_threads_alone():
    import faiss

    from assistant.index.vectors import VectorIndex

    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((300, 16)).astype(np.float32)
    index = VectorIndex.build(np.arange(300), vecs, 16)
    before = faiss.omp_get_max_threads()
    one = index.search(vecs[:1], 5)
    batch = index.search(vecs[:10], 5)
    assert faiss.omp_get_max_threads() == before
    assert np.array_equal(one[1][0], batch[1][0])
