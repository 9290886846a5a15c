"""Score drafted cards against gold procedures with the rules of the shared dev sets
(`score_cards.py`): a gold step is covered when one card instruction holds half its tokens; order is
the share of covered pairs in the right order; a gold tool is covered when the card's tool names hold
half its tokens; citations must name the right document and quote the corpus verbatim.

>>> score_task({"gold_steps": ["Remove the four screws."], "gold_tools": ["screwdriver"], "doc": "a.pdf"},
...            {"steps": [{"instruction": "Remove the four screws.", "citations": [{"doc": "a.pdf", "quote": "x"}]}],
...             "tools": [{"name": "Phillips screwdriver"}]})["step_recall"]
1.0
"""
from __future__ import annotations

import statistics
from pathlib import Path

from .metrics import coverage
from ..answer.verify import norm


def score_task(task: dict, card: dict | None) -> dict:
    """Per-task figures; `quotes` lists the card's citation quotes for the verbatim check."""
    card = card or {}
    steps = card.get("steps") or []
    instr = [s.get("instruction", "") if isinstance(s, dict) else str(s) for s in steps]
    gold = task.get("gold_steps") or []
    match = []
    for g in gold:
        best = max(range(len(instr)), key=lambda i: coverage(g, instr[i]), default=None)
        match.append(best if best is not None and coverage(g, instr[best]) >= 0.5 else None)
    hit = [m for m in match if m is not None]
    pairs = [(a, b) for i, a in enumerate(hit) for b in hit[i + 1:]]
    tools = " ; ".join(x if isinstance(x, str) else str(x.get("name", "")) for x in card.get("tools") or [])
    gold_tools = task.get("gold_tools") or []
    cits = [c for s in steps if isinstance(s, dict) for c in s.get("citations") or []]
    return {
        "step_recall": len(hit) / len(gold) if gold else None,
        "step_order": (sum(a <= b for a, b in pairs) / len(pairs) if pairs else (1.0 if hit else 0.0)) if gold else None,
        "tool_recall": sum(coverage(g, tools) >= 0.5 for g in gold_tools) / len(gold_tools) if gold_tools else None,
        "citations_right_doc": (sum(Path(str(c.get("doc", ""))).name == task["doc"] for c in cits) / len(cits) if cits else 0.0)
        if task.get("doc") else None,
        "quotes": [str(c.get("quote", "")) for c in cits],
    }


def summarize(rows: list[dict], corpus: str | None, ms: list[float], arlem_ok: int, arlem_all: int, refused: int) -> dict:
    """The one-line report: means over tasks, as score_cards.py prints them, plus timing and exports."""
    mean = lambda key: round(statistics.mean(v), 3) if (v := [r[key] for r in rows if r.get(key) is not None]) else None  # noqa: E731
    quotes = [q for r in rows for q in r["quotes"]]
    ok = sum(bool(q.strip()) and norm(q) in corpus for q in quotes) if corpus is not None else None
    return {"tasks": len(rows), "step_recall": mean("step_recall"), "step_order": mean("step_order"),
            "tool_recall": mean("tool_recall"), "citations_right_doc": mean("citations_right_doc"),
            "quotes_verbatim": round(ok / max(1, len(quotes)), 3) if ok is not None else None, "quotes": len(quotes),
            "arlem_valid": round(arlem_ok / arlem_all, 3) if arlem_all else None, "refused": refused,
            "p50_ms": round(statistics.median(ms), 1) if ms else None}


def table(rows: list[dict], ids: list[str]) -> str:
    """A human-readable per-task table."""
    fmt = lambda v: "  -  " if v is None else f"{v:5.2f}"  # noqa: E731
    lines = [f"{'task':<28} {'steps':>5} {'order':>5} {'tools':>5} {'doc':>5}  card"]
    for tid, r in zip(ids, rows):
        lines.append(f"{str(tid)[:28]:<28} {fmt(r['step_recall'])} {fmt(r['step_order'])} {fmt(r['tool_recall'])} "
                     f"{fmt(r['citations_right_doc'])}  {r.get('title', '')[:50]}")
    return "\n".join(lines)
