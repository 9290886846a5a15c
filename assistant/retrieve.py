"""Hybrid retrieval: BM25 (codes, part numbers, Chinese bigrams) and dense vectors (paraphrases),
fused by a convex combination of per-query normalised scores, with an optional reranker
(rerank.py). A hit's score is in 0..1 (see `Retriever.search`). Cross-lingual questions are expanded with a bilingual maintenance glossary so the
lexical channel can carry them; numbers and codes cross languages unchanged. Passages carrying text
planted to steer a language model are quarantined before fusion (textrules.planted): they are never
returned, and they cannot skew the score normalisation of the passages that are. In a library of
many manuals, the manual a question names (a model name or code on its title page) weighs in, and
another manual's word-for-word copy of a passage does not crowd the top (documents.py). The question is encoded by
MiniLM (and e5) on their own threads while BM25 runs; `Retriever.stage_times` times each stage
(docs/retrieval.md).

    Retriever(lib).search("What torque for the filter housing?", k=3)[0].chunk.page   # needs an indexed library and the embedding model
    # -> 4
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Mapping

import numpy as np

from .documents import demote_copies, document_evidence, document_identities
from .enclosing import enclosing_units
from .index.chunk import detect_language
from .index.embed import Embedder, get_embedder
from .glossary import english_rendering, expand_query
from .index.lexical import token_groups, tokenize
from .index.library import Library
from .plaintext import DOT_LEADER
from .rerank import _load_reranker
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


@dataclass
class StageTimes:
    """Milliseconds spent in each stage of each search (stage name -> one figure per search that ran
    it, plus "total"), for benchmarks: set `Retriever.stage_times = StageTimes()`, search, read `ms`."""

    ms: dict[str, list[float]] = field(default_factory=dict)


class _Clock:
    """Laps of one search into a StageTimes; does nothing when there is none."""

    def __init__(self, sink: StageTimes | None):
        self.sink = sink
        self.t0 = self.t = time.perf_counter() if sink is not None else 0.0

    def lap(self, stage: str) -> None:
        if self.sink is not None:
            now = time.perf_counter()
            self.sink.ms.setdefault(stage, []).append((now - self.t) * 1000)
            self.t = now

    def record(self, stage: str, ms: float) -> None:
        """A stage that ran on another thread, beside this one's laps."""
        if self.sink is not None:
            self.sink.ms.setdefault(stage, []).append(ms)

    def done(self) -> None:
        if self.sink is not None:
            self.sink.ms.setdefault("total", []).append((time.perf_counter() - self.t0) * 1000)


class Retriever:
    def __init__(self, library: Library, embedder: Embedder | None = None, reranker: str | None = None,
                 dense_weight: float = 0.5, ml_weight: float = 0.5, pool: int = 50, cross_language_factor: float = 0.8, heading_weight: float = 0.1,
                 identity_weight: float = 0.2, label_weight: float = 0.3, variant_weight: float = 0.2):
        self.library = library
        s = library.settings
        quant = library.manifest.quantization if s.device != "cuda" else "none"
        self.embedder = embedder or get_embedder(library.model, s.device, s.embed_batch_size, quant, s.query_engine, s.cache_dir)
        self.quantize = quant  # the library's: its e5 vectors were made the same way
        self.dense_weight = dense_weight
        self.ml_weight = ml_weight
        self.cross_language_factor = cross_language_factor
        self.heading_weight = heading_weight
        self.identity_weight = identity_weight
        self.label_weight = label_weight
        self.variant_weight = variant_weight
        self.unit_tokens = s.unit_tokens  # the budget of the unit returned around each match (enclosing.py); 0: the chunk alone
        self.pool = pool
        self.reranker = _load_reranker(reranker) if reranker else None
        self._planted: dict[str, bool] = {}  # chunk id (a content hash, so never stale) -> carries planted text
        self.stage_times: StageTimes | None = None  # set by a benchmark to time each stage of a search
        self._identities: tuple[int, dict[str, frozenset[str]]] = (-1, {})  # (generation, document name -> identity tokens)

    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               boost: Mapping[str, float] | None = None) -> list[Hit]:
        """The `k` best passages, best first. `Hit.score` is in 0..1: the fused channel scores and the
        heading match over the most they can add up to (with a reranker, its score squashed to 0..1).
        `boost` (document name -> 0..1) multiplies the fused score of those documents' passages by up
        to 1 + DOC_BOOST: a soft preference, e.g. for the documents a conversation has cited so far
        (wrappers such as access.ScopedRetriever pass it on); it reorders candidates, it adds none.
        It combines with the question's own document evidence (a model name or code it names, see
        `_weigh_documents`), and another document's word-for-word copy of a better passage is moved
        below the distinct ones (demote_copies). See docs/retrieval.md."""
        clock = _Clock(self.stage_times)
        snap = self.library.snapshot()
        allowed = self.library.store.rowid_filter(list(filters.docs), list(filters.collections), list(filters.languages)) if filters else None
        if allowed is not None and len(allowed) == 0:
            return []
        clock.lap("filters")
        n = max(k, self.pool)
        m = n + QUARANTINE_EXTRA
        expansion = expand_query(query)
        zh_query = detect_language(query) == "zh"
        qlang = "zh" if zh_query else "en"
        searched = bool(snap.multilingual is not None and snap.multilingual.size)
        # the models encode the question on their own threads, one core each, while BM25 runs here; e5
        # (only for a library with passages in another language) matches an English question to Chinese
        # text better with the glossary's Chinese terms added
        encoders = query_encoders()
        if searched:
            e5_job = encoders.submit(_timed, self._e5().encode_query, query if zh_query else f"{query} {expansion}".strip())
        # a Chinese question also goes to MiniLM as its glossary English (english_rendering), for the
        # English passages that have no e5 vectors
        rendering = english_rendering(query) if zh_query else ""
        minilm_job = encoders.submit(_timed, self.embedder.encode_queries, [query, rendering] if rendering else [query])
        l_scores, l_ids = snap.lexical.search(query, m, allowed, expansion=expansion)
        lexical = {int(i): float(s) for s, i in zip(l_scores, l_ids)}
        clock.lap("BM25")
        qvec, minilm_ms = minilm_job.result()
        clock.record("embed MiniLM", minilm_ms)
        if searched:
            qv, e5_ms = e5_job.result()
            clock.record("embed e5", e5_ms)
        clock.lap("wait for encoders")
        d_scores, d_ids = snap.vectors.search(qvec, m, allowed)
        dense = {int(i): float(s) for s, i in zip(d_scores[0], d_ids[0]) if i >= 0}
        rendered = {int(i): float(s) for s, i in zip(d_scores[1], d_ids[1]) if i >= 0} if rendering else {}
        clock.lap("FAISS MiniLM")
        ml = self._multilingual(snap, qv, m, allowed, clock) if searched else {}
        # the rows are read once the encoders are done: read while they run, on 2 cores, they slow them more than they save
        rows = self.library.store.chunk_rows(list(set(dense) | set(lexical) | set(ml) | set(rendered)))
        clock.lap("chunk rows")
        dense, lexical, ml, rendered = (self._clean(ch, rows, n) for ch in (dense, lexical, ml, rendered))
        clock.lap("planted check")
        # MiniLM is an English model: its scores mean something only for passages in the question's
        # language (and little for Chinese), and for English passages from a Chinese question's
        # rendering; other-language passages rely on BM25 + e5.
        dense_same = {i: s for i, s in dense.items() if rows[i].language == qlang}
        rendered = {i: s for i, s in rendered.items() if rows[i].language == "en"}
        # MiniLM reads Chinese poorly, but a rendering is English
        dense_weight, rendered_weight = self.dense_weight * (0.4 if zh_query else 1.0), self.dense_weight
        channels = [(dense_same, dense_weight, "minmax"), (rendered, rendered_weight, "minmax"),
                    (lexical, 1 - self.dense_weight, "max"), (ml, self.ml_weight, "minmax")]
        fused = fuse(channels)
        if rendering:  # an English passage's vector score is its rendering's
            dense = {i: s for i, s in dense.items() if rows[i].language != "en"} | rendered
        # In a library of several languages, a passage in the asker's language is preferred when the
        # evidence is otherwise close; in a one-language library this changes no ranking.
        fused = {i: s * (1.0 if rows[i].language == qlang else self.cross_language_factor) for i, s in fused.items() if i in rows}
        clock.lap("fusion")
        if self.heading_weight:
            for i, bonus in heading_match(query, rows, fused, snap.lexical).items():
                fused[i] += self.heading_weight * bonus
        if self.label_weight:
            for i, bonus in label_match(query, rows, fused, snap.lexical).items():
                fused[i] += self.label_weight * bonus
        if self.variant_weight:
            for i in other_variant(query, rows, fused):
                fused[i] *= 1 - self.variant_weight
        clock.lap("heading and label match")
        fused = self._weigh_documents(query, fused, rows, snap)
        clock.lap("document evidence")
        # Each channel adds at most its weight (its scores are normalised to 0..1) and the heading and label
        # matches at most theirs: dividing by that ceiling puts every score in 0..1 (1 = the best on every channel the
        # library has) without changing the ranking or the ratios between hits of one query.
        # (a passage is scored by one of the two MiniLM channels, by its language)
        ceiling = max(dense_weight, rendered_weight if rendered else 0.0) + sum(w for w, present in ((1 - self.dense_weight, True), (self.ml_weight, searched)) if present and w > 0) + max(0.0, self.heading_weight) + max(0.0, self.label_weight)
        if boost:
            fused = {i: s * (1 + DOC_BOOST * min(1.0, max(0.0, boost.get(rows[i].doc, 0.0)))) for i, s in fused.items()}
            ceiling *= 1 + DOC_BOOST  # scores stay in 0..1
        fused = {i: s / ceiling for i, s in fused.items()} if ceiling > 0 else fused
        # matches inside one unit are one hit (enclosing.py): enough candidates for k distinct units
        want = max(k, 20) if self.reranker else 2 * k if self.unit_tokens else k
        top = demote_copies(sorted(fused.items(), key=lambda kv: -kv[1]), rows, max(2 * (want if self.reranker else k), 20))[:want]
        clock.lap("copies")
        hits = [Hit(rows[i], s, dense.get(i), lexical.get(i)) for i, s in top]
        if self.reranker:
            hits = self.reranker(query, hits)
            clock.lap("rerank")
        rowid = {rows[i].id: i for i, _ in top}
        hits = enclosing_units(self.library.store, hits, [rowid[h.chunk.id] for h in hits], k, self.unit_tokens)
        clock.lap("units")
        clock.done()
        return [replace(h, rank=rank) for rank, h in enumerate(hits[:k], 1)]

    def load_models(self) -> "Retriever":
        """Load now what the first search would load (the question encoders, converted once per machine
        where CTranslate2 encodes questions, and the multilingual model when the library has passages in
        other languages than English), so that a timed search measures the search alone."""
        snap = self.library.snapshot()
        self.embedder.encode_queries(["warm up"])
        if snap.multilingual is not None and snap.multilingual.size:
            self._e5().encode_query("warm up")
        return self

    def _e5(self):
        """The library's multilingual model (loaded on first use)."""
        from .index.multilingual import get_channel

        s = self.library.settings
        return get_channel(self.library.multilingual_model, s.device, s.cache_dir, self.quantize, s.query_engine)

    def _multilingual(self, snap, q: np.ndarray, m: int, allowed, clock: _Clock) -> dict[int, float]:
        """e5 score of a chunk: the mean of its passage similarity and its best sentence's; the best `m`.
        A chunk found by one of the two searches only gets the other's lowest retrieved score for that half."""
        p_scores, p_ids = snap.multilingual.search(q, m, allowed)
        passage = {int(i): float(v) for v, i in zip(p_scores[0], p_ids[0]) if i >= 0}
        clock.lap("FAISS e5 passages")
        if snap.sentences is None or not snap.sentences.size:
            return passage
        s_scores, s_ids = snap.sentences.search(q, 4 * m, allowed)
        clock.lap("FAISS e5 sentences")
        best: dict[int, float] = {}
        for v, i in zip(s_scores[0], s_ids[0]):
            if i >= 0 and int(i) not in best:  # results are sorted: the first is the chunk's best sentence
                best[int(i)] = float(v)
        p_floor = min(passage.values(), default=0.0)
        s_floor = min(best.values(), default=0.0)
        both = {i: 0.5 * passage.get(i, p_floor) + 0.5 * best.get(i, s_floor) for i in set(passage) | set(best)}
        # only the best m can enter the channel's pool (_clean keeps its best n that carry no planted
        # text): the rest need not be read from the store
        return dict(sorted(both.items(), key=lambda kv: -kv[1])[:m])

    def _weigh_documents(self, query: str, fused: dict[int, float], rows: dict, snap) -> dict[int, float]:
        """Which manual the question is about: a passage of a document the question names less than
        another candidate's document scores up to `identity_weight` less (document_evidence). With one
        document among the candidates, or no name in the question, nothing changes."""
        if self.identity_weight <= 0:
            return fused
        named = document_evidence(query, {rows[i].doc for i in fused}, self._identity_tokens(snap.generation), snap.lexical)
        top = max(named.values(), default=0.0)
        if top <= 0:
            return fused
        return {i: s * (1 - self.identity_weight * (top - named[rows[i].doc])) for i, s in fused.items()}

    def _identity_tokens(self, generation: int) -> dict[str, frozenset[str]]:
        """Per document name, its identity tokens (document_identities), read once per library generation."""
        if self._identities[0] != generation:
            self._identities = (generation, document_identities(self.library.store))
        return self._identities[1]

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


def query_encoders():
    """Two threads that encode a question with MiniLM and e5 at the same time, each on one core
    (CTranslate2's copies run without the GIL, index/query_encoder.py; torch's thread count is per
    thread): on two cores the pair costs about the slower model, not the sum, and never oversubscribes
    the cores. Process-wide (models.REGISTRY)."""
    from concurrent.futures import ThreadPoolExecutor

    from .models import REGISTRY

    return REGISTRY.get(("query-encoders",), lambda: ThreadPoolExecutor(2, thread_name_prefix="query-encode", initializer=_one_torch_thread))


def _timed(fn, *args):
    """(fn(*args), milliseconds it took on this thread)."""
    t = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t) * 1000


def _one_torch_thread() -> None:
    import torch

    torch.set_num_threads(1)


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
    q = set(tokenize(query))
    out: dict[int, float] = {}
    for i in candidates:
        c = rows[i]
        if not c.section:
            continue
        head = _heading_tokens(c.section[-1])
        if not head or not (head & q):
            continue
        w = {t: lexical.idf(t) for t in head}
        total = sum(w.values())
        if total <= 0:
            continue
        opens = c.text.lstrip().startswith(c.section[-1][:24].strip())
        out[i] = sum(w[t] for t in head & q) / total * (1.0 if opens else 0.5)
    return out


def label_match(query: str, rows: dict, candidates, lexical) -> dict[int, float]:
    """How much of the question (IDF-weighted, 0..1) a candidate's table rows and specification lines
    name, as a technician looks a value up: by its label, named whole ("the height and width of the
    shelter" names the rows "Height" and "Width"; "the firing order" the line "Firing order . . . .
    1-8-7-2-6-5-4-3"), read under its table's caption and group ("Table 2-3. General Repair Standards
    (6.5L). > Cylinder Bore" over "Diameter": "the cylinder bore diameter for the 6.5L" names more of
    that row than of the piston pin's "Diameter"). MiniLM reads a table of numbers poorly."""
    q = set(tokenize(query))
    total = sum(lexical.idf(t) for t in q)
    out: dict[int, float] = {}
    if total <= 0:
        return out
    for i in candidates:
        c = rows[i]
        named = set().union(*(toks & q for toks, words in _labels(c.text, c.labelled) if words <= q))
        if named:
            out[i] = sum(lexical.idf(t) for t in named) / total
    return out


_VARIANT = re.compile(r"(?=.*[a-z])(?=.*\d)")  # a model, variant or size code: letters and digits ("6.5l", "hp-3", "m12")


def variant_shape(token: str) -> str:
    """A code with its digits evened out: codes of one shape name variants of one thing.

    >>> variant_shape("6.5l"), variant_shape("6205-2rs"), variant_shape("s-250/g")
    ('#.#l', '#-#rs', 's-#/g')
    """
    return re.sub(r"\d+", "#", token)


def other_variant(query: str, rows: dict, candidates) -> list[int]:
    """The candidates whose titles (headings, and the captions and groups their table rows sit under)
    name another variant of a code the question names, and not that code: "the cylinder bore diameter
    for the 6.5L engine" is not answered under "Table 2-2. General Repair Standards (6.2L)", nor a
    6206-2RS bearing's question under "6205-2RS". Another variant is a code of the same shape
    (`variant_shape`: "6.2l" for "6.5l"); a code of another shape ("S-250/G" beside "HP-3") says
    nothing. Body text, which names many models, does not count."""
    asked = _variant_codes(query)
    if not asked:
        return []
    shapes = {variant_shape(t) for t in asked}
    out = []
    for i in candidates:
        c = rows[i]
        titles = _title_codes(c.section, c.labelled)
        if not titles & asked and any(variant_shape(t) in shapes for t in titles):
            out.append(i)
    return out


def _variant_codes(text: str) -> frozenset[str]:
    """The codes of a text, each as written whole ("6205-2rs", not its part "2rs")."""
    return frozenset(g[0] for g in token_groups(text) if _VARIANT.match(g[0]))


@lru_cache(maxsize=8192)
def _title_codes(section: tuple[str, ...], labelled: str) -> frozenset[str]:
    """The codes of a passage's headings and of the caption and group lines of its labelled text (a
    line over the column names or a row: "Table 2-3. General Repair Standards (6.5L). > Cylinder Bore")."""
    lines = labelled.split("\n") if labelled else []
    captions = [ln for ln, below in zip(lines, lines[1:]) if " | " not in ln and " || " not in ln and (" | " in below or " || " in below)]
    return _variant_codes(" ".join([*section, *captions]))


@lru_cache(maxsize=8192)
def _labels(text: str, labelled: str = "") -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Each label of a passage, as (the tokens it is read with, its words): a table row's label cells
    (`extract.row_label`: its first, or its first two where the first is a short size, "1/2 | 13"),
    with the caption and group it sits under in the passage's labelled text (Chunk.labelled: "Caption >
    Group" lines over "label | value" rows), and a specification line's words before its dot leader.
    Its words are the tokens a question must name for it to name the label ("Main Bearing Clearance –
    # 1,2,3,4,5" is named by "the main bearing clearance"; the numbers count where the question gives
    them too); a label of numbers and single letters alone ("5", "b") names nothing."""
    from .answer.extract import row_label

    out = []

    def add(label: str, context: frozenset[str] = frozenset()) -> None:
        toks = _heading_tokens(label)
        words = frozenset(t for t in toks if not t.isdigit() and len(t) > 1)
        if words:
            out.append((toks | context, words))

    context: frozenset[str] = frozenset()
    for line in labelled.split("\n") if labelled else ():
        if " || " in line:
            continue  # the column names
        if " | " in line:
            add(" ".join(row_label(line.replace(" | ", "\t"))), context)
        else:
            context = _heading_tokens(line)  # "Table 2-3. General Repair Standards (6.5L). > Cylinder Bore"
    for line in text.split("\n"):
        if m := DOT_LEADER.search(line):
            add(line[: m.start()])
        elif "\t" in line and not labelled:
            add(" ".join(row_label(line)))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=65536)
def _heading_tokens(heading: str) -> frozenset[str]:
    """A heading's lexical tokens (headings repeat across the candidates of many searches)."""
    return frozenset(tokenize(heading))
