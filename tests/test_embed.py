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
