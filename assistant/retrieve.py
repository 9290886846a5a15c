"""Hybrid retrieval: BM25 (codes, part numbers, Chinese bigrams) and dense vectors (paraphrases),
fused by a convex combination of per-query normalised scores, with an optional cross-encoder
reranker. A hit's score is in 0..1 (see `Retriever.search`). Cross-lingual questions are expanded with a bilingual maintenance glossary so the
lexical channel can carry them; numbers and codes cross languages unchanged. Passages carrying text
planted to steer a language model are quarantined before fusion (textrules.planted): they are never
returned, and they cannot skew the score normalisation of the passages that are.

    Retriever(lib).search("What torque for the filter housing?", k=3)[0].chunk.page   # needs an indexed library and the embedding model
    # -> 4
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .index.chunk import detect_language
from .index.embed import Embedder, get_embedder
from .glossary import expand_query
from .index.library import Library
from .textrules import planted
from .types import Hit

QUARANTINE_EXTRA = 20  # candidates fetched beyond the pool per channel, so quarantined ones leave it full
DOC_BOOST = 0.15  # a passage of a document weighted 1.0 by `boost` scores up to this much more (a conversation's documents)


@dataclass(frozen=True)
class Filters:
    docs: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.docs or self.collections or self.languages)

    @classmethod
    def from_args(cls, args) -> "Filters":
        """The --doc / --collection / --language options of a CLI command (absent ones are empty)."""
        return cls(*(tuple(getattr(args, name, None) or ()) for name in ("doc", "collection", "language")))


class Retriever:
    def __init__(self, library: Library, embedder: Embedder | None = None, reranker: str | None = None,
                 dense_weight: float = 0.5, ml_weight: float = 0.5, pool: int = 50, cross_language_factor: float = 0.8, heading_weight: float = 0.1):
        self.library = library
        s = library.settings
        quant = library.manifest.quantization if s.device != "cuda" else "none"
        self.embedder = embedder or get_embedder(library.model, s.device, s.embed_batch_size, quant)
        self.quantize = quant  # the library's: its e5 vectors were made the same way
        self.dense_weight = dense_weight
        self.ml_weight = ml_weight
        self.cross_language_factor = cross_language_factor
        self.heading_weight = heading_weight
        self.pool = pool
        self.reranker = _load_reranker(reranker) if reranker else None
        self._planted: dict[str, bool] = {}  # chunk id (a content hash, so never stale) -> carries planted text

    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               boost: Mapping[str, float] | None = None) -> list[Hit]:
        """The `k` best passages, best first. `Hit.score` is in 0..1: the fused channel scores and the
        heading match over the most they can add up to (with a reranker, its score squashed to 0..1).
        `boost` (document name -> 0..1) multiplies the fused score of those documents' passages by up
        to 1 + DOC_BOOST: a soft preference, e.g. for the documents a conversation has cited so far
        (wrappers such as access.ScopedRetriever pass it on); it reorders candidates, it adds none."""
        snap = self.library.snapshot()
        allowed = self.library.store.rowid_filter(list(filters.docs), list(filters.collections), list(filters.languages)) if filters else None
        if allowed is not None and len(allowed) == 0:
            return []
        n = max(k, self.pool)
        m = n + QUARANTINE_EXTRA
        qvec = self.embedder.encode_queries([query])
        d_scores, d_ids = snap.vectors.search(qvec, m, allowed)
        dense = {int(i): float(s) for s, i in zip(d_scores[0], d_ids[0]) if i >= 0}
        expansion = expand_query(query)
        l_scores, l_ids = snap.lexical.search(query, m, allowed, expansion=expansion)
        lexical = {int(i): float(s) for s, i in zip(l_scores, l_ids)}
        zh_query = detect_language(query) == "zh"
        qlang = "zh" if zh_query else "en"
        ml: dict[int, float] = {}
        if snap.multilingual is not None and snap.multilingual.size:
            # e5 matches an English question to Chinese text better with the glossary's Chinese terms added
            ml = self._multilingual(snap, query if zh_query else f"{query} {expansion}".strip(), m, allowed)
        rows = self.library.store.chunk_rows(list(set(dense) | set(lexical) | set(ml)))
        dense, lexical, ml = (self._clean(ch, rows, n) for ch in (dense, lexical, ml))
        # MiniLM is an English model: its scores mean something only for passages in the question's
        # language (and little for Chinese), so other-language passages rely on BM25 + e5.
        dense_same = {i: s for i, s in dense.items() if i in rows and rows[i].language == qlang}
        channels = [(dense_same, self.dense_weight * (0.4 if zh_query else 1.0), "minmax"),
                    (lexical, 1 - self.dense_weight, "max"), (ml, self.ml_weight, "minmax")]
        fused = fuse(channels)
        # In a library of several languages, a passage in the asker's language is preferred when the
        # evidence is otherwise close; in a one-language library this changes no ranking.
        fused = {i: s * (1.0 if rows[i].language == qlang else self.cross_language_factor) for i, s in fused.items() if i in rows}
        if self.heading_weight:
            for i, bonus in heading_match(query, rows, fused, snap.lexical).items():
                fused[i] += self.heading_weight * bonus
        # Each channel adds at most its weight (its scores are normalised to 0..1) and the heading match at
        # most its own: dividing by that ceiling puts every score in 0..1 (1 = the best on every channel the
        # library has) without changing the ranking or the ratios between hits of one query.
        searched = snap.multilingual is not None and snap.multilingual.size
        ceiling = sum(w for (_, w, _), present in zip(channels, (True, True, searched)) if present and w > 0) + max(0.0, self.heading_weight)
        if boost:
            fused = {i: s * (1 + DOC_BOOST * min(1.0, max(0.0, boost.get(rows[i].doc, 0.0)))) for i, s in fused.items()}
            ceiling *= 1 + DOC_BOOST  # scores stay in 0..1
        fused = {i: s / ceiling for i, s in fused.items()} if ceiling > 0 else fused
        top = sorted(fused.items(), key=lambda kv: -kv[1])[: max(k, 20) if self.reranker else k]
        hits = [Hit(rows[i], s, dense.get(i), lexical.get(i)) for i, s in top]
        if self.reranker:
            hits = self.reranker(query, hits)
        return [Hit(h.chunk, h.score, h.dense_score, h.lexical_score, rank) for rank, h in enumerate(hits[:k], 1)]

    def load_models(self) -> "Retriever":
        """Load now what the first search would load (the multilingual model, when the library has
        passages in other languages than English), so that a timed search measures the search alone."""
        snap = self.library.snapshot()
        if snap.multilingual is not None and snap.multilingual.size:
            from .index.multilingual import get_channel

            s = self.library.settings
            get_channel(self.library.multilingual_model, s.device, s.cache_dir, self.quantize)
        return self

    def _multilingual(self, snap, query: str, m: int, allowed) -> dict[int, float]:
        """e5 score of a chunk: the mean of its passage similarity and its best sentence's. A chunk
        found by one of the two searches only gets the other's lowest retrieved score for that half."""
        from .index.multilingual import get_channel

        s = self.library.settings
        q = get_channel(self.library.multilingual_model, s.device, s.cache_dir, self.quantize).encode_query(query)
        p_scores, p_ids = snap.multilingual.search(q, m, allowed)
        passage = {int(i): float(v) for v, i in zip(p_scores[0], p_ids[0]) if i >= 0}
        if snap.sentences is None or not snap.sentences.size:
            return passage
        s_scores, s_ids = snap.sentences.search(q, 4 * m, allowed)
        best: dict[int, float] = {}
        for v, i in zip(s_scores[0], s_ids[0]):
            if i >= 0 and int(i) not in best:  # results are sorted: the first is the chunk's best sentence
                best[int(i)] = float(v)
        p_floor = min(passage.values(), default=0.0)
        s_floor = min(best.values(), default=0.0)
        return {i: 0.5 * passage.get(i, p_floor) + 0.5 * best.get(i, s_floor) for i in set(passage) | set(best)}

    def _clean(self, scores: dict[int, float], rows: dict, n: int) -> dict[int, float]:
        """A channel's best `n` candidates that exist and carry no planted text (see textrules.planted)."""
        out = {}
        for i, s in sorted(scores.items(), key=lambda kv: -kv[1]):
            c = rows.get(i)
            if c is None:
                continue
            bad = self._planted.get(c.id)
            if bad is None:
                if len(self._planted) > 200_000:  # only a cache: bounded
                    self._planted.clear()
                bad = self._planted[c.id] = planted(c.text)
            if not bad:
                out[i] = s
                if len(out) == n:
                    break
        return out


def fuse(channels: list[tuple[dict[int, float], float, str]]) -> dict[int, float]:
    """Weighted sum of per-query normalised channel scores. Cosine channels are min-max normalised
    over their candidate pool; BM25 is divided by the query's best score, so a query with no lexical
    match leans on the dense channels alone."""
    out: dict[int, float] = {}
    for scores, weight, how in channels:
        if not scores or weight <= 0:
            continue
        vals = np.fromiter(scores.values(), dtype=np.float64)
        hi = float(vals.max())
        lo = float(vals.min()) if how == "minmax" else 0.0
        span = max(hi - lo, 1e-6)
        for i, s in scores.items():
            out[i] = out.get(i, 0.0) + weight * (s - lo) / span
    return out


def heading_match(query: str, rows: dict, candidates, lexical) -> dict[int, float]:
    """How much of each candidate's own heading the question names (IDF-weighted, 0..1), halved for
    chunks that continue a section rather than open it. Manuals name topics in headings: "How do I open
    Email?" wants the section headed "Email", not "Add an email account"."""
    from .index.lexical import tokenize

    q = set(tokenize(query))
    out: dict[int, float] = {}
    for i in candidates:
        c = rows[i]
        if not c.section:
            continue
        head = set(tokenize(c.section[-1]))
        if not head or not (head & q):
            continue
        w = {t: lexical.idf(t) for t in head}
        total = sum(w.values())
        if total <= 0:
            continue
        opens = c.text.lstrip().startswith(c.section[-1][:24].strip())
        out[i] = sum(w[t] for t in head & q) / total * (1.0 if opens else 0.5)
    return out


def _load_reranker(name: str):
    """A sentence-transformers CrossEncoder by local path or hub name; returns hits re-sorted."""
    from sentence_transformers import CrossEncoder

    from .errors import ModelNotAvailable

    try:
        model = CrossEncoder(name)
    except Exception as exc:
        raise ModelNotAvailable(f"cannot load reranker '{name}': {exc}") from exc

    def rerank(query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        scores = np.asarray(model.predict([(query, h.chunk.embed_text) for h in hits]), dtype=np.float64).reshape(len(hits), -1)[:, -1]
        if scores.min() < 0 or scores.max() > 1:  # logits: squashed to 0..1 like the fused scores (same order)
            scores = 1.0 / (1.0 + np.exp(-scores))
        order = np.argsort(-scores, kind="stable")
        return [Hit(hits[i].chunk, float(scores[i]), hits[i].dense_score, hits[i].lexical_score) for i in order]

    return rerank
