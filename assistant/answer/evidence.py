"""Does the library cover the question? Evidence from retrieval, calibrated once, not per question set:

- term coverage: the share of the question's content terms, weighted by how rare they are in the
  library (BM25 idf), that occur in one of the top passages (its text or heading trail). A question
  about "cylinder head bolts" in a phone manual leaves its rarest terms uncovered. Each term is
  matched in English or Chinese through the maintenance glossary, so cross-lingual questions count.
- dense similarity: the raw cosine of the best passage, for paraphrases that share no words
  ("lighten the screen" / "brightness"). Its scale depends on the embedding model, so it is used
  only with the model it was calibrated on (bundled MiniLM); other models rely on term coverage.

>>> t = question_terms("What is the drain plug torque?")[0]     # with its glossary translations
>>> sorted(t.tokens), sorted(sorted(p) for p in t.phrases)
(['drain'], [['放油', '油塞'], ['放油', '油螺', '螺塞']])
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

import numpy as np

from ..index.embed import canonical_name
from ..glossary import segments, terms_in
from ..index.lexical import run_together, token_groups, tokenize
from ..types import Hit

# Question scaffolding in Chinese; removed before bigrams are taken, so that "是多少" or "的备" do not
# count as terms the manual fails to contain.
_ZH_FUNCTION = re.compile(r"请问|是多少|是什么|为什么|什么|多少|多大|多长|多久|多高|多宽|多厚|多重|多远|分别|两个|各自|如何|怎么样|怎么|怎样|哪个|哪些|哪里|哪儿|需要|应该|可以|能否|是否|有没有|吗|呢|吧|的|了|是|我|在|用|要")
# single characters that join terms ("...放油塞时应拧紧到...", "1500 英尺和 30000 英尺"): at the edge of a run of
# Chinese between glossary terms they are no part of a term
_ZH_JOINERS = "时应为到的了是在把将要和与及或对从给被并"
_EDGE_JOINERS = re.compile(rf"(?<![\u3400-\u9fff])[{_ZH_JOINERS}]+|[{_ZH_JOINERS}]+(?![\u3400-\u9fff])")
_CJK = re.compile(r"[\u3400-\u9fff]")
# ... and in English: the verbs of asking and the light verbs a question is put with ("give the number 5
# journal diameter", "how thick a shim goes behind the keeper"), as 请问 and 需要 are: a manual does not
# print them beside the value asked for, so they are no terms it fails to hold
EN_FUNCTION = frozenset(tokenize("give gives tell say says please provide explain describe go goes need needs know want"))

# ... and the verb that ends a "what ... does <it> <verb>?" question and only relates the two ("What
# hydraulic oil does the HP-3 take?", "Which grease does the bearing use?"): the manual prints "Hydraulic
# oil | ISO VG 46", not "takes"; the same verb asked for is a term ("How do I take a screenshot?")
_RELATION_END = re.compile(r"^(\s*(?:what|which|how much|how many)\b.*?\b(?:does|do|did|will|should|can|must)\b.+?)\s+"
                           r"(?:take|takes|use|uses|require|requires|hold|holds|accept|accepts|get|gets)\s*[?？.!]*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    tokens: frozenset[str]  # the term and its one-token glossary translations: any one is the term
    weight: float
    phrases: frozenset[frozenset[str]] = frozenset()  # translations of several tokens: all of one are the term

    @property
    def label(self) -> str:
        """One way of writing the term, for messages (its first token, or its first phrase's)."""
        return min(self.tokens) if self.tokens else " ".join(sorted(min(self.phrases, key=sorted))) if self.phrases else ""

    def found(self, present: set[str] | frozenset[str]) -> bool:
        """Whether text with these lexical tokens holds the term."""
        return bool(self.tokens & present) or any(p <= present for p in self.phrases)


@dataclass(frozen=True)
class RefusalPolicy:
    """Thresholds measured on the dev questions and a set of uncovered questions (docs/answers.md)."""

    min_coverage: float = 0.5  # covered on terms alone
    min_coverage_with_dense: float = 0.3  # covered when the dense score also agrees...
    min_dense: float = 0.5  # ...at least this much (bundled MiniLM cosine)
    dense_alone: float = 0.6  # covered on meaning alone: a close paraphrase
    dense_models: tuple[str, ...] = ("sentence-transformers/all-MiniLM-L6-v2",)  # canonical names


@dataclass(frozen=True)
class Evidence:
    coverage: float  # 0..1, best over the top passages
    dense: float | None  # raw cosine of the best passage, None when unusable
    missing: tuple[str, ...]  # question terms found in no top passage (for the refusal message)
    covered: bool


def question_language(question: str) -> str:
    """"zh" for a question with Chinese characters in it, else "en"."""
    return "zh" if _CJK.search(question) else "en"


def _leftover(piece: str) -> str:
    """Text between a Chinese question's glossary terms without its question words, and without the
    characters that join terms at the edges of its runs of Chinese ("...放油塞时应拧紧...")."""
    return _EDGE_JOINERS.sub(" ", f" {_ZH_FUNCTION.sub(' ', piece)} ").strip()


def _term(tokens: list[str], translations, weight: float) -> Term:
    """A term held by any one of its alternatives: its own tokens together, or all the tokens of one of
    its translations."""
    alts = {frozenset(tokenize(tr)) for tr in translations} | {frozenset(tokens)}
    alts.discard(frozenset())
    return Term(frozenset(next(iter(a)) for a in alts if len(a) == 1), weight, frozenset(a for a in alts if len(a) > 1))


def question_terms(question: str, idf=None) -> list[Term]:
    """Content terms of the question, each with its glossary translations and an idf weight.

    An English question's terms are its lexical tokens. A Chinese question's glossary words
    (glossary.segments) are one term each, held by the word (all its bigrams) or by one of its
    translations; the text between them gives bigrams (with the neighbouring characters, so "回" in
    "回油滤芯" is the bigram 回油), codes and English words, its question words and joining characters
    dropped. An English question's verbs of asking are no terms either (EN_FUNCTION), nor the verb that
    ends a "what ... does it take?" question (_RELATION_END).

    >>> [t.label for t in question_terms("How thick a shim goes behind the keeper?")]
    ['thick', 'shim', 'behind', 'keeper']
    >>> [t.label for t in question_terms("What hydraulic oil does the HP-3 take?")]
    ['hydraul', 'oil', 'hp-3']
    """
    idf = idf or (lambda t: 1.0)
    if question_language(question) == "zh":
        pieces = segments(question)
        terms, rest = [], []
        for k, (piece, translations) in enumerate(pieces):
            if translations:
                grams = tokenize(piece)
                terms.append(_term(grams, translations, statistics.mean(idf(g) for g in grams) if grams else 1.0))
                continue
            text = _leftover(piece)
            if not text:
                continue
            # a piece that meets its neighbour term without a joiner between makes a bigram with it
            before = pieces[k - 1][0][-1] if k and _CJK.match(pieces[k - 1][0][-1]) and _CJK.match(text[0]) and piece[0] == text[0] else ""
            after = pieces[k + 1][0][0] if k + 1 < len(pieces) and _CJK.match(pieces[k + 1][0][0]) and _CJK.match(text[-1]) and piece[-1] == text[-1] else ""
            rest.append(before + text + after)
        question = " ".join(rest)
    else:
        terms = []
        question = _RELATION_END.sub(r"\1", question)
    # a lone character is no index token; an English question's asking words are no terms (EN_FUNCTION);
    # a code is one term, its parts none of their own ("S-250/G" is not also "s", "250" and "g": each
    # passage of the shelter's manual would hold four terms of the question)
    groups = token_groups(question)
    alone = {g[0] for g in groups if len(g) == 1}
    parts = {t for g in groups if len(g) > 1 for t in g[1:]} - alone
    toks = [t for t in dict.fromkeys(t for g in groups for t in g) if not _CJK.fullmatch(t) and t not in EN_FUNCTION and t not in parts]
    found = {t: [] for t in toks}
    for term, translations in terms_in(question):
        for t in set(tokenize(term)) & found.keys():
            found[t].extend(translations)
    codes = _codes(toks)
    joined = {j for j, _ in codes.values()}
    out = []
    for t in toks:
        if t in codes:
            j, cells = codes[t]
            term = _term([t], found[t] + found.get(j, []), max(idf(t), idf(j)))  # with its translations ("挂牌上锁")
            out.append(Term(term.tokens | {j}, term.weight, term.phrases | ({cells} if cells else set())))
        elif t not in joined:
            out.append(_term([t], found[t], idf(t)))
    return terms + out


_SIZE = re.compile(r"\d+[./]\d+|\d+")


def _codes(tokens: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """A question's codes written with separators ("E-104", "3/8-16"), among its lexical tokens, each
    with the way it is also written run together ("e104": one term, not two) and, for a size joined to
    a thread count or a range ("3/8-16", "0.004-0.010"), the cells a table prints it in ("3/8" and
    "16" in two columns).

    >>> {t: (j, sorted(cells)) for t, (j, cells) in _codes(tokenize("Torque for 3/8-16 and E-104?")).items()}
    {'3/8-16': ('3816', ['16', '3/8']), '3/8': ('38', []), 'e-104': ('e104', [])}
    """
    out = {}
    for t in tokens:
        joined = run_together(t) if any(c in t for c in "-_./·") else None
        if joined is not None and joined != t:
            cells = t.split("-")
            size = len(cells) > 1 and all(_SIZE.fullmatch(c) for c in cells) and any(not c.isdigit() for c in cells)
            out[t] = (joined, frozenset(cells) if size else frozenset())
    return out


def idf_function(library):
    """idf of a lexical token in this library (BM25's formula); unseen tokens get the maximum."""
    bm = library.snapshot().lexical
    m = bm.matrix
    df = np.diff(m.indptr) if m.format == "csc" else np.bincount(m.indices, minlength=m.shape[1])
    n = max(1, int(m.shape[0]))

    def idf(token: str) -> float:
        j = bm.vocab.get(token)
        d = int(df[j]) if j is not None and j < len(df) else 0
        return math.log1p((n - d + 0.5) / (d + 0.5))

    return idf


def coverage(terms: list[Term], text: str) -> float:
    if not terms:
        return 0.0
    present = set(tokenize(text))
    total = sum(t.weight for t in terms) or 1.0
    return sum(t.weight for t in terms if t.found(present)) / total


def passage_text(hit: Hit) -> str:
    """A passage as a reader takes it in: its heading trail, then its text, a table's rows with their
    caption and column names (`Chunk.search_text`)."""
    return " ".join(hit.chunk.section) + "\n" + hit.chunk.search_text


def _discount(ratio: float) -> float:
    """A lower passage's coverage factor from its score over the first's: 1.0 at a tie, 0.9 at 90% or less."""
    return 0.9 + 0.1 * min(1.0, max(0.0, (ratio - 0.9) / 0.1))


def assess(terms: list[Term], hits: list[Hit], model: str, policy: RefusalPolicy = RefusalPolicy(), top: int = 3,
           value_missing: bool = False) -> Evidence:
    """Coverage of the question by the top passages, and the refusal decision.

    `value_missing`: the question asks for a value of a kind (a speed, a torque, a time...) and no passage
    found holds one. The dense match then does not carry the question: it says the passages are about
    the same thing, not that they give the figure asked for ("What is the maximum wind speed at which
    the shelter may be lifted?" and the lifting procedure, which gives none). Term coverage still does."""
    if not hits or not terms:
        return Evidence(0.0, None, tuple(sorted(t.label for t in terms)), False)
    top_hits = hits[:top]
    # the first passage must carry the question on its own; lower ones count at a discount, so that
    # several loosely related passages do not add up to coverage: up to 10%, by how far their score is
    # below the first's (a passage all but tied with the first is all but first: which of two such
    # comes first is chance, e.g. a tools list and its procedure)
    best = top_hits[0].score or 1.0
    cov = max(coverage(terms, passage_text(h)) * (1.0 if i == 0 else _discount(h.score / best)) for i, h in enumerate(top_hits))
    present = set().union(*(set(tokenize(passage_text(h))) for h in top_hits))
    missing = tuple(sorted(t.label for t in terms if not t.found(present)))
    dense = None
    if canonical_name(model) in policy.dense_models and hits[0].dense_score is not None:
        dense = max(float(h.dense_score or 0.0) for h in top_hits)
    covered = cov >= policy.min_coverage
    if dense is not None and not value_missing:
        covered = covered or (cov >= policy.min_coverage_with_dense and dense >= policy.min_dense) or dense >= policy.dense_alone
    return Evidence(round(cov, 3), None if dense is None else round(dense, 3), missing, covered)
