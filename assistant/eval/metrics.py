"""The evaluation rules of the shared dev sets (see README "Evaluation"), implemented once and used by
`assistant eval`: answer-coverage relevance for retrieval, token recall/F1 for answers, step and tool
coverage for cards.

>>> words("Tighten to 25 N·m; 滤壳拧紧")
['tighten', '25', 'n', 'm', '滤壳', '壳拧', '拧紧']
"""
from __future__ import annotations

import re
from pathlib import Path

STOP = set("a an the of to in on for and or is are be by with from at as it this that your you can will may if then into out up".split())


def words(s: str) -> list[str]:
    """Latin words and numbers, plus overlapping bigrams of Chinese characters."""
    out: list[str] = []
    for run in re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]+", s.lower()):
        if run[0] >= "\u4e00":
            out += [run[i : i + 2] for i in range(max(1, len(run) - 1))]
        elif run not in STOP:
            out.append(run)
    return out


def relevant(answer: str, text: str) -> bool:
    """A passage is relevant when it holds the gold answer's content tokens: all of them for answers of
    three tokens or fewer, 80% up to twelve, half beyond."""
    a, t = set(words(answer)), set(words(text))
    if not a:
        return False
    need = len(a) if len(a) <= 3 else (0.8 if len(a) <= 12 else 0.5) * len(a)
    return len(a & t) >= need


def coverage(gold: str, text: str) -> float:
    g = set(words(gold))
    return len(g & set(words(text))) / max(1, len(g))


def token_f1(gold: str, answer: str) -> tuple[float, float]:
    """(recall, F1) of the answer's tokens against the gold answer's."""
    g, a = set(words(gold)), set(words(answer))
    hit = len(g & a)
    rec, prec = hit / max(1, len(g)), hit / max(1, len(a))
    return rec, (2 * prec * rec / (prec + rec) if hit else 0.0)


def norm(s: str) -> str:
    """Whitespace-free, case-folded text: how quotes are compared with documents."""
    return re.sub(r"\s+", "", s).lower()


def corpus_text(paths: list[Path]) -> str:
    """Normalised text of the corpus files (folders are walked), extracted the way the shared scorer
    does (pypdfium2 for PDF, python-docx paragraphs, raw HTML/text with tags dropped), so quotes are
    judged alike. An unreadable file contributes no text, as in the scorer."""
    parts: list[str] = []
    files = [f for p in paths for f in (sorted(Path(p).rglob("*")) if Path(p).is_dir() else [Path(p)])]
    for f in files:
        try:
            if f.suffix == ".pdf":
                import pypdfium2 as pdfium

                pdf = pdfium.PdfDocument(str(f))
                parts += [pg.get_textpage().get_text_range() for pg in pdf]
                pdf.close()
            elif f.suffix == ".docx":
                import docx

                parts += [para.text for para in docx.Document(str(f)).paragraphs]
            elif f.suffix in (".html", ".htm", ".txt", ".md"):
                raw = f.read_bytes()
                for enc in ("utf-8", "utf-16", "gb18030"):
                    try:
                        parts.append(re.sub(r"<[^>]+>", " ", raw.decode(enc)))
                        break
                    except UnicodeDecodeError:
                        pass
        except Exception:  # noqa: BLE001 - see docstring
            continue
    return norm(" ".join(parts))


def ranking_metrics(first_relevant: list[int | None]) -> dict:
    """hit@1, recall@5, recall@10 and MRR@10 from each question's first relevant rank (0-based, None
    when no hit in the top 10)."""
    n = max(1, len(first_relevant))
    ranks = [r for r in first_relevant if r is not None and r < 10]
    return {"hit@1": round(sum(r == 0 for r in ranks) / n, 3), "recall@5": round(sum(r < 5 for r in ranks) / n, 3),
            "recall@10": round(len(ranks) / n, 3), "mrr@10": round(sum(1 / (r + 1) for r in ranks) / n, 3)}
