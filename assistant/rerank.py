"""Second-stage rerankers: a model that rescores the best fused candidates of `Retriever.search` and
puts them in a new order. What a name given as `--reranker NAME` (Settings.reranker) loads:

- a directory holding a cross-encoder (config.json architecture `*ForSequenceClassification`, e.g.
  ms-marco-MiniLM-L-6-v2 or bge-reranker-base saved on a machine that has a hub): the sentence-transformers
  CrossEncoder, passages cut to MAX_TOKENS, its logit squashed to 0..1;
- a directory holding a SPLADE model (architecture `*ForMaskedLM`): query and passages become sparse
  vocabulary vectors, the score is their dot product, scaled to 0..1 by the query's best candidate;
- a directory holding a sentence-transformers embedding model (modules.json): cosine of question and
  passage, mapped to 0..1;
- any other name: a cross-encoder hub name, found only in the local hub cache (nothing is downloaded).

No model is bundled as a reranker: none of the PyPI packages that carry weights holds a cross-encoder
(docs/retrieval-models.md lists what was checked and measured). A reranker's score replaces the fused
score (the order is the reranker's alone); candidates beyond those it was given keep their order.

    load_reranker("/no/such/model")
    # -> ModelNotAvailable: cannot load reranker '/no/such/model': no such directory
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import ModelNotAvailable
from .types import Hit

Reranker = Callable[[str, list[Hit]], list[Hit]]
MAX_TOKENS = 256  # a passage is cut here: the library's chunks are at most 256 MiniLM tokens
QUERY_TOKENS = 64


def model_kind(path: Path) -> str:
    """What a local model directory holds: "cross-encoder", "splade" or "bi-encoder" (read from its
    config.json and modules.json); ModelNotAvailable when it is none of them."""
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        config = {}
    archs = [str(a) for a in config.get("architectures") or []]
    if any(a.endswith("ForSequenceClassification") for a in archs):
        return "cross-encoder"
    if any(a.endswith("ForMaskedLM") for a in archs):
        return "splade"
    if (path / "modules.json").exists() or (path / "config_sentence_transformers.json").exists():
        return "bi-encoder"
    raise ModelNotAvailable(f"cannot load reranker '{path}': it holds no cross-encoder, SPLADE or sentence-transformers "
                            f"model (config.json architectures: {', '.join(archs) or 'none'})")


def load_reranker(name: str) -> Reranker:
    """The reranker that `name` names (see the module docstring); ModelNotAvailable when it cannot be loaded."""
    name = str(name).strip()
    if not name:
        raise ModelNotAvailable("cannot load reranker '': no model named")
    path = Path(name).expanduser()
    local = name.startswith(("/", ".", "~")) or path.exists()
    if local and not path.is_dir():
        raise ModelNotAvailable(f"cannot load reranker '{name}': no such directory")
    kind = model_kind(path) if local else "cross-encoder"
    load = {"cross-encoder": _cross_encoder, "splade": _splade, "bi-encoder": _bi_encoder}[kind]
    try:
        return load(str(path) if local else name)
    except ModelNotAvailable:
        raise
    except Exception as exc:  # OSError / hub errors for unknown names: we never download at run time
        hint = "" if local else " (hub names load only from the local hub cache: save the model on a machine with a hub and pass its directory)"
        raise ModelNotAvailable(f"cannot load reranker '{name}': {exc}{hint}") from exc


_load_reranker = load_reranker  # the name retrieve.py has always imported


def reorder(hits: list[Hit], scores: np.ndarray) -> list[Hit]:
    """`hits` best first by `scores` (0..1; ties keep the fused order), each carrying its new score."""
    order = np.argsort(-scores, kind="stable")
    return [Hit(hits[i].chunk, float(scores[i]), hits[i].dense_score, hits[i].lexical_score) for i in order]


def _cross_encoder(name: str) -> Reranker:
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(name, max_length=MAX_TOKENS, device="cpu")

    def rerank(query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        raw = np.asarray(model.predict([(query, h.chunk.embed_text) for h in hits], show_progress_bar=False), dtype=np.float64)
        scores = raw.reshape(len(hits), -1)[:, -1]
        if scores.min() < 0 or scores.max() > 1:  # logits: squashed to 0..1 like the fused scores (same order)
            scores = 1.0 / (1.0 + np.exp(-scores))
        return reorder(hits, scores)

    return rerank


def _bi_encoder(name: str) -> Reranker:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(name, device="cpu")
    model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)

    def rerank(query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        vecs = model.encode([query] + [h.chunk.embed_text for h in hits], normalize_embeddings=True, show_progress_bar=False)
        return reorder(hits, (np.asarray(vecs[1:], np.float64) @ np.asarray(vecs[0], np.float64) + 1.0) / 2.0)

    return rerank


def _splade(name: str) -> Reranker:
    """SPLADE as a reranker. Only the vocabulary entries of the question's own vector can add to a dot
    product, so passages get logits for those entries alone: the model's output layer is swapped for an
    identity (its input, the transformed hidden states, comes out) and multiplied by the rows of the
    question's entries, instead of materialising tokens x 30,000 logits per passage."""
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(name)
    model = AutoModelForMaskedLM.from_pretrained(name).eval()
    decoder = model.get_output_embeddings()
    weight = decoder.weight.detach().clone()
    bias = decoder.bias.detach().clone() if decoder.bias is not None else torch.zeros(weight.shape[0])
    for parent in list(model.modules()):  # BERT's cls.predictions.decoder, DistilBERT's vocab_projector, ...
        for child_name, child in list(parent.named_children()):
            if child is decoder:
                setattr(parent, child_name, torch.nn.Identity())
    lock = threading.Lock()  # one forward pass at a time: the API serves searches from threads

    def hidden(texts: list[str], max_tokens: int):
        batch = tok(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
        with lock, torch.inference_mode():
            return model(**batch).logits, batch["attention_mask"][..., None]

    def pooled(h, mask, rows, b):
        # SPLADE max pooling: log(1 + relu(logit)) of each vocabulary entry, its maximum over the tokens
        return (torch.log1p(torch.relu(h @ rows.T + b)) * mask).amax(1)

    def rerank(query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        with torch.inference_mode():
            h, mask = hidden([query], QUERY_TOKENS)
            q = pooled(h, mask, weight, bias)[0]
            ids = torch.nonzero(q > 0).flatten()
            if not len(ids):
                return hits
            h, mask = hidden([x.chunk.embed_text for x in hits], MAX_TOKENS)
            raw = (pooled(h, mask, weight[ids], bias[ids]) @ q[ids]).double().numpy()
        return reorder(hits, raw / raw.max() if raw.max() > 0 else np.zeros_like(raw))

    return rerank
