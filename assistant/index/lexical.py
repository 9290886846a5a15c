"""BM25 over a tokenizer built for maintenance text: English words (case-folded, stop words out,
Snowball stems), Chinese as character bigrams, and codes kept whole ("GB-12", "E-104", "6205-2RS",
"ISO VG 220") as well as in parts. Saved as a .npz of plain arrays (allow_pickle=False) plus JSON.

>>> tokenize("Replace filter HF-220-10")
['replac', 'filter', 'hf-220-10', 'hf', '220', '10', 'hf22010']

A library records the LEXICAL_FORMAT its stored tokens were made with (manifest `lexical_format`);
a library of another format is searched with tokens made afresh from its texts (library.py) until
`assistant index` stores them again.
"""
from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from pathlib import Path

import numpy as np

from ..plaintext import SOFT_BREAK

STOP = frozenset(
    "a an the of to in on for and or is are was were be been by with from at as it its this that these those your you "
    "can will may if then into out up do does how what which when where who why i my me we our there their them they "
    "should must shall not no all any each per than so such about over under after before".split()
)
_TOKEN = re.compile(
    r"[a-z0-9]+(?:[-_./·][a-z0-9]+)+"  # codes: 6205-2rs, hf-220-10, e-104, 3.5
    r"|[a-z]+[0-9][a-z0-9]*|[0-9]+[a-z]+[a-z0-9]*"  # mixed: m12, 10mm
    r"|[a-z]+|[0-9]+"
    r"|[\u3400-\u9fff\uf900-\ufaff]+"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# 1: a light suffix stripper ("assembly" -> "assemb", "assemble" -> "assembl", "apply" -> "app");
# 2: Snowball English (Porter2) stems
LEXICAL_FORMAT = 2
_STEMMERS = threading.local()  # a Snowball stemmer keeps its word in its state: one per thread
# parts (and a device's settings) named by an -ing noun that Porter2 would make the verb or another noun:
# a bearing is no "bear", a fitting no "fit", a casing no "case", settings are not "set"
_ING_NOUNS = {w + s: w for w in ("bearing", "bushing", "casing", "fitting", "housing", "lining", "setting") for s in ("", "s")}


@functools.lru_cache(maxsize=200_000)
def stem(w: str) -> str:
    """A word's English stem (Snowball's Porter2): filter/filters, replace/replacing/replaced,
    assemble/assembly, apply/applies/applied each meet; a few parts named by an -ing noun keep it
    (_ING_NOUNS). Words of three letters or fewer, and words with digits, stay as they are.

    >>> [stem(w) for w in ("assemble", "assembly", "disassembly", "applies", "applied", "used", "gap")]
    ['assembl', 'assembl', 'disassembl', 'appli', 'appli', 'use', 'gap']
    >>> [stem(w) for w in ("settings", "set", "fittings", "fit", "bearings")]
    ['setting', 'set', 'fitting', 'fit', 'bearing']
    """
    if len(w) <= 3 or not w.isalpha():
        return w
    if w in _ING_NOUNS:
        return _ING_NOUNS[w]
    english = getattr(_STEMMERS, "english", None)
    if english is None:
        import snowballstemmer

        english = _STEMMERS.english = snowballstemmer.stemmer("english")
    return english.stemWord(w)


_SEPARATORS = re.compile(r"[-_./·]")


def run_together(code: str) -> str | None:
    """A code written with separators as it is also written run together ("e-104" -> "e104", a token
    `tokenize` adds beside the code); None for a decimal number ("0.75"), which is one token.

    >>> run_together("3/8-16"), run_together("0.75")
    ('3816', None)
    """
    if re.fullmatch(r"\d+[.,]\d+", code):
        return None
    return "".join(p for p in _SEPARATORS.split(code) if p)


def tokenize(text: str) -> list[str]:
    r"""The lexical tokens of a text (BM25's and the extraction's terms); a word pdfium marks as
    hyphenated at a line break (plaintext.SOFT_BREAK) is one token.

    >>> tokenize("unless temper\ufffe\r\nature is between")
    ['unless', 'temperatur', 'between']
    """
    return [t for group in token_groups(text) for t in group]


def token_groups(text: str) -> list[list[str]]:
    """`tokenize`'s tokens, those of one word together: a code is one word written several ways (whole,
    its parts, run together: "S-250/G" is ['s-250/g', 's', '250', 'g', 's250g']), so a question's
    code counts as one term in a search (`BM25.search`), not five.

    >>> token_groups("height of the S-250/G")
    [['height'], ['s-250/g', 's', '250', 'g', 's250g']]
    """
    text = unicodedata.normalize("NFKC", SOFT_BREAK.sub("", text)).lower()
    out: list[list[str]] = []
    prev_word = ""
    for m in _TOKEN.finditer(text):
        t = m.group()
        if _CJK.match(t):
            out.extend([[t]] if len(t) == 1 else [[t[i : i + 2]] for i in range(len(t) - 1)])
            prev_word = ""
            continue
        if any(c in t for c in "-_./·"):
            joined = run_together(t)
            if joined is None:  # a decimal number stays one token
                out.append([t])
            else:
                group = [t]
                group.extend(p for p in _SEPARATORS.split(t) if p and p not in STOP)
                group.append(joined)  # E-104 also matches E104
                # a size or a range joined by a hyphen: "1/2-13" (a 1/2 in. screw, 13 threads an inch, which a
                # torque table prints in two cells) and "0.004-0.010" also hold "1/2" and "0.004", "0.010"
                group.extend(p for p in t.split("-") if p and p != t and re.fullmatch(r"\d+[./]\d+", p))
                out.append(group)
            prev_word = ""
            continue
        if t in STOP:
            prev_word = ""
            continue
        out.append([stem(t) if t.isalpha() else t])
        # "ISO VG 220", "M 12": a short letter code followed by a number also as one token
        if t.isdigit() and prev_word and len(prev_word) <= 4 and prev_word.isalpha():
            out.append([prev_word + t])
        prev_word = t if t.isalpha() else ""
    return out


def lexical_text(section: tuple[str, ...], text: str) -> str:
    """What the lexical index sees for a chunk: its heading trail, then its text."""
    return " ".join(section) + "\n" + text


def chunk_tokens(chunk) -> str:
    """A chunk's lexical tokens as the store keeps them (space-joined): its heading trail and the
    text the indexes see (`Chunk.search_text`)."""
    return " ".join(tokenize(lexical_text(chunk.section, chunk.search_text)))


class BM25:
    """Term weights precomputed into a sparse [docs x vocab] matrix; a query sums its columns."""

    def __init__(self, ids: np.ndarray, vocab: dict[str, int], matrix, params: dict):
        self.ids = ids
        self.vocab = vocab
        self.matrix = matrix  # scipy.sparse.csc_matrix, float32
        self.params = params

    @classmethod
    def build(cls, ids: np.ndarray, docs: list[str], k1: float = 1.2, b: float = 0.75) -> "BM25":
        """`docs` are space-joined token strings (what the store keeps; see `tokenize`). Identical
        strings (boilerplate repeated across manuals) are counted once."""
        from scipy import sparse

        vocab: dict[str, int] = {}
        memo: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        col_parts, tf_parts = [], []
        lengths = np.zeros(len(docs), np.float32)
        for i, d in enumerate(docs):
            hit = memo.get(d)
            if hit is None:
                counts: dict[int, int] = {}
                for t in d.split(" ") if d else ():
                    j = vocab.setdefault(t, len(vocab))
                    counts[j] = counts.get(j, 0) + 1
                hit = memo[d] = (np.fromiter(counts.keys(), np.int64, len(counts)), np.fromiter(counts.values(), np.float32, len(counts)))
            col_parts.append(hit[0])
            tf_parts.append(hit[1])
            lengths[i] = hit[1].sum()
        n = len(docs)
        nnz = np.fromiter((len(c) for c in col_parts), np.int64, n)
        rows_a = np.repeat(np.arange(n, dtype=np.int64), nnz)
        cols_a = np.concatenate(col_parts) if n else np.zeros(0, np.int64)
        tf = np.concatenate(tf_parts) if n else np.zeros(0, np.float32)
        df = np.bincount(cols_a, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = float(lengths.mean()) if n else 1.0
        denom = tf + k1 * (1 - b + b * lengths[rows_a] / max(avgdl, 1e-6))
        w = idf[cols_a] * tf * (k1 + 1) / denom
        m = sparse.csc_matrix((w.astype(np.float32), (rows_a, cols_a)), shape=(n, len(vocab)), dtype=np.float32)
        return cls(np.asarray(ids, np.int64), vocab, m, {"k1": k1, "b": b, "avgdl": avgdl, "n": n})

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 for unknown tokens)."""
        j = self.vocab.get(token)
        if j is None:
            return 0.0
        if not hasattr(self, "_df"):
            self._df = np.diff(self.matrix.indptr)  # CSC: non-zeros per column = document frequency
        n = self.matrix.shape[0]
        return float(np.log1p((n - self._df[j] + 0.5) / (self._df[j] + 0.5)))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (aligned with self.ids) for the query."""
        return self._weighted([(query, 1.0)])

    def _weighted(self, texts: list[tuple[str, float]]) -> np.ndarray:
        """The sum of weight x BM25 score of each text, for every document (a code's tokens share one
        term's weight, `token_groups`): the query's columns of the
        CSC matrix are read straight from its arrays and added with one bincount (no sliced copy of
        the matrix), so the cost is the postings of the query's terms, not the vocabulary."""
        m = self.matrix
        cols, weights = [], []
        for text, w in texts:
            for group in token_groups(text) if text else ():
                for t in group:  # the ways one code is written share its weight
                    j = self.vocab.get(t)
                    if j is not None:  # a repeated term counts again, as a repeated column would
                        cols.append(j)
                        weights.append(w / len(group))
        if not cols:
            return np.zeros(len(self.ids), np.float32)
        starts, ends = m.indptr[cols], m.indptr[np.asarray(cols) + 1]
        rows = np.concatenate([m.indices[a:b] for a, b in zip(starts, ends)])
        vals = np.concatenate([m.data[a:b] * w for a, b, w in zip(starts, ends, weights)])
        return np.bincount(rows, weights=vals, minlength=m.shape[0]).astype(np.float32)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None, expansion: str = "",
               expansion_weight: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids). `expansion` terms (e.g. glossary translations) count at a lower weight."""
        s = self._weighted([(query, 1.0), (expansion, expansion_weight)])
        if allowed is not None:
            s = np.where(np.isin(self.ids, allowed), s, 0.0)
        top = np.flatnonzero(s > 0)  # only documents that hold a query term: a short list to rank
        k = min(k, len(top))
        if k == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if len(top) > k:
            top = top[np.argpartition(-s[top], k - 1)[:k]]
        top = top[np.argsort(-s[top], kind="stable")]
        return s[top], self.ids[top]

    def save(self, path: Path) -> None:
        m = self.matrix
        with open(path, "wb") as f:
            np.savez(f, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape), ids=self.ids)
        path.with_suffix(".json").write_text(json.dumps({"params": self.params, "vocab": self.vocab}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "BM25":
        from scipy import sparse

        with np.load(path, allow_pickle=False) as z:
            m = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            ids = z["ids"]
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return cls(ids, meta["vocab"], m, meta["params"])
