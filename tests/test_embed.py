"""The embedding paths: the pipelined encoder (the GPU path, run here on CPU) gives the same vectors
as sentence-transformers' encode, in input order; int8 stays close to fp32."""
from __future__ import annotations

import numpy as np

from tests.conftest import SAMPLES


def _texts():
    from assistant.index.chunk import chunk_doc
    from assistant.ingest import parse

    return [c.embed_text for f in sorted(SAMPLES.glob("*.pdf")) for c in chunk_doc(parse(f), 240)]


def test_pipelined_encoder_matches_plain_encode():
    from assistant.index.embed import get_embedder

    e = get_embedder("minilm", quantize="none")
    texts = _texts()
    texts = texts + ["short", "a much longer passage " * 30]  # mixed lengths: bucketing must keep the order
    plain = e.model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    piped = e.encode_pipelined(texts, batch_size=7, workers=3)
    assert piped.shape == plain.shape
    assert np.min(np.sum(piped * plain, axis=1)) > 0.9999


def test_int8_stays_close_to_fp32(embedder):
    from assistant.index.embed import get_embedder

    texts = _texts()
    fp32 = get_embedder("minilm", quantize="none").encode_passages(texts)
    int8 = embedder.encode_passages(texts)
    assert embedder.quantized
    assert np.mean(np.sum(fp32 * int8, axis=1)) > 0.97


QUESTIONS = ["What torque for the filter housing cover bolts?", "How do I replace the drive belt on the conveyor?",
             "What is the end gap of the top compression ring on the 6.2L engine?", "液压泵 压力 过高 原因", "hi"]


def test_questions_are_encoded_by_ctranslate2_close_to_the_fp32_model(tmp_path):
    """On CPU (int8) a question goes through CTranslate2's copy (converted once into the cache directory):
    one vector per question whatever the batch's padding, as close to the fp32 model as torch's int8."""
    from assistant.index.embed import Embedder, get_embedder

    fp32 = get_embedder("minilm", quantize="none")
    e = Embedder("minilm", quantize="int8", cache_dir=tmp_path)
    q = e.encode_queries(QUESTIONS)
    assert e._query[0] is not None  # CTranslate2, not the torch fallback
    assert list(tmp_path.glob("ct2-query-encoders/all-MiniLM-L6-v2-*/model.bin"))
    ref = fp32.encode_passages(QUESTIONS)
    assert q.shape == ref.shape and np.allclose(np.linalg.norm(q, axis=1), 1, atol=1e-5)
    torch_int8 = e.encode_passages(QUESTIONS)
    assert np.min(np.sum(q * ref, axis=1)) > 0.98
    assert np.mean(np.sum(q * ref, axis=1)) >= np.mean(np.sum(torch_int8 * ref, axis=1))  # no further from fp32 than torch's int8
    one_by_one = np.vstack([e.encode_queries([t]) for t in QUESTIONS])
    assert np.min(np.sum(q * one_by_one, axis=1)) > 0.999  # the padding of a batch is left out of the mean
    again = Embedder("minilm", quantize="int8", cache_dir=tmp_path)
    meta = next(tmp_path.glob("ct2-query-encoders/*/assistant-model.json")).stat().st_mtime_ns
    assert np.allclose(again.encode_queries(QUESTIONS), q, atol=1e-6)
    assert next(tmp_path.glob("ct2-query-encoders/*/assistant-model.json")).stat().st_mtime_ns == meta  # not converted again


def test_e5_questions_by_ctranslate2_keep_the_query_prefix(tmp_path):
    from assistant.index.multilingual import E5Channel

    ct2 = E5Channel(cache_dir=None, quantize="int8")
    torch_fp32 = E5Channel(cache_dir=None, quantize="none")
    for text in QUESTIONS:
        a, b = ct2.encode_query(text), torch_fp32.encode_query(text)
        assert float(a[0] @ b[0]) > 0.98, text
    assert ct2._query[0] is not None and torch_fp32._query[0] is None


def test_question_engine_choice_and_its_errors(tmp_path):
    from assistant.errors import ModelNotAvailable
    from assistant.index.query_encoder import query_encoder

    assert query_encoder(tmp_path, None, 8, tmp_path, "torch", "m", "bert") is None
    assert query_encoder(tmp_path, None, 8, tmp_path, "auto", "m", "qwen2") is None  # torch encodes it
    try:
        query_encoder(tmp_path / "nowhere", None, 8, tmp_path, "ct2", "x", "bert")
    except ModelNotAvailable as exc:
        assert "questions to x" in str(exc) and "not a local model directory" in str(exc)
        assert "ASSISTANT_QUERY_ENGINE=torch" in str(exc)
    else:
        raise AssertionError("engine 'ct2' on a model it cannot take must say why")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{}")
    assert query_encoder(tmp_path / "broken", None, 8, tmp_path, "auto", "m", "bert") is None  # conversion fails: torch
    assert not list(tmp_path.glob("ct2-query-encoders/*/model.bin"))
