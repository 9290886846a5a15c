"""HTML for the web UI, from plain data: an answer (its JSON form) with red warning boxes and source
chips, the passage behind a citation with the quote marked, a step card as a technician reads it
(tools and parts up front, numbered steps, each warning in a red box before its step), and the
library's document table. Every text from a document or a user is escaped.

>>> "ma-warn" in answer_html({"answer": "25 N·m", "citations": [], "refused": False,
...     "warnings": [{"text": "WARNING: hot oil", "chunk_id": "ab12", "doc": "m.pdf", "page": 3}], "language": "en"})
True
"""
from __future__ import annotations

import base64
import html
import re
import time
from typing import Callable

from assistant.app import SIGNAL_LABEL, SIGNAL_WORDS, AssistantError, find_spans, readable
from assistant.app import page_ref as page_label_ref

LABELS = {
    "en": {"sources": "Sources", "safety": "Safety first", "task": "Task", "equipment": "Equipment", "tools": "Tools and parts",
           "before": "Before you start", "steps": "Steps", "check": "Check", "source": "Source", "step": "Step",
           "no_card": "No step card", "not_covered": "Not in the manuals", "p": "p.", "kind": {"tool": "tool", "part": "part", "consumable": "consumable", "ppe": "PPE"},
           "cols": ["ID", "Document", "Collection", "Format", "Pages", "Passages", "Indexed"], "no_docs": "No documents yet: add some above.",
           "no_errors": "No indexing errors.", "quote_marked": "The quote is marked on the page.",
           "quote_unmarked": "The quote could not be located on the page image; it is marked in the passage above.",
           "added": "Added", "failed": "Not added", "error": "Something went wrong", "voice_q": "(voice)",
           "library": "Library", "docs_n": ("document", "documents"), "chunks_n": ("passage", "passages"),
           "pages_n": ("page", "pages"), "library_empty": "is empty: add documents in the Library tab"},
    "zh": {"sources": "出处", "safety": "安全警示", "task": "任务", "equipment": "设备", "tools": "工具和备件",
           "before": "开始之前", "steps": "步骤", "check": "检查", "source": "出处", "step": "步骤",
           "no_card": "无法生成步骤卡", "not_covered": "手册中没有", "p": "第", "kind": {"tool": "工具", "part": "备件", "consumable": "耗材", "ppe": "防护用品"},
           "cols": ["编号", "文档", "分类", "格式", "页数", "段落", "索引时间"], "no_docs": "还没有文档：请在上方添加。",
           "no_errors": "没有索引错误。", "quote_marked": "引文已在页面上标出。",
           "quote_unmarked": "无法在页面图像上定位引文；已在上方段落中标出。",
           "added": "已添加", "failed": "未添加", "error": "出错了", "voice_q": "（语音）",
           "library": "资料库", "docs_n": ("份文档", "份文档"), "chunks_n": ("个段落", "个段落"),
           "pages_n": ("页", "页"), "library_empty": "为空：请在“资料库”标签页添加文档"},
}


def labels(lang: str | None) -> dict:
    return LABELS["zh" if (lang or "").startswith("zh") else "en"]


def e(text) -> str:
    return html.escape(str(text), quote=True)


def page_ref(doc: str, page: int, lang: str = "en", label: str = "") -> str:
    return f"{doc} {page_label_ref(page, label, lang)}"


def _text(text: str) -> str:
    """Escaped, with line breaks and '•' bullets kept visible (no blank lines: the chat's Markdown must
    leave the HTML block alone)."""
    t = e(text.replace("\r", "").strip())
    t = re.sub(r"\s*•\s*", "<br>• ", t).removeprefix("<br>")
    return re.sub(r"\n+", "<br>", t)


def signal(text: str, level: str | None = None) -> tuple[str, str, str]:
    """(level, label, text without its signal word): "WARNING: hot" -> ("warning", "WARNING", "hot")."""
    m = SIGNAL_LABEL.match(text)
    if m and text[m.end():].strip():
        word = m.group(1)
        return level or SIGNAL_WORDS[word.upper()], word.upper(), text[m.end():]
    return level or "warning", "", text


def warning_box(text: str, doc: str, page: int, lang: str, level: str | None = None) -> str:
    lvl, word, body = signal(" ".join(text.split()), level)
    word = word or (labels(lang)["safety"] if lvl in ("warning", "danger") else lvl.upper())
    return (f'<div class="ma-warn {lvl}" role="alert"><b>⚠ {e(word)}</b> {_text(body)}'
            f'<div class="ma-src">{e(page_ref(doc, page, lang))}</div></div>')


def answer_html(a: dict) -> str:
    """An answer as a chat message: the text, its warnings in red boxes, its sources as chips."""
    lang = a.get("language") or "en"
    L = labels(lang)
    if a.get("refused"):
        out = [f'<div class="ma-refusal"><b>{e(L["not_covered"])}</b><br>{_text(a.get("answer", ""))}</div>']
    else:
        text = re.sub(r"^[-*]\s+", "", a.get("answer", "").strip())  # a one-item list reads better as a sentence
        out = [f'<div class="ma-answer">{_text(text)}</div>']
        out += [warning_box(w.get("display") or w["text"], w["doc"], w["page"], lang) for w in a.get("warnings", [])]
    refs = [c for c in citations_of(a) if c["kind"] != "warn"]
    if refs:
        chips = dict.fromkeys(page_ref(c["doc"], c["page"], lang, c.get("page_label", "")) for c in refs)
        out.append(f'<div class="ma-sources">{e(L["sources"])}: ' + "".join(f'<span class="ma-chip">{e(c)}</span>' for c in chips) + "</div>")
    return "".join(out)


def citations_of(a: dict) -> list[dict]:
    """What the source chips open: the citations (with their quotes), then the warnings' passages; for
    a refusal, the closest passages."""
    seen, out = set(), []
    items = [dict(c, kind="cite") for c in a.get("citations", [])]
    items += [{"chunk_id": w.get("chunk_id"), "doc": w["doc"], "page": w["page"], "quote": w["text"], "kind": "warn"} for w in a.get("warnings", [])]
    if a.get("refused"):
        items = [{"chunk_id": s.get("chunk_id"), "doc": s["doc"], "page": s["page"], "quote": "", "kind": "near"} for s in a.get("sources", [])]
    for it in items:
        key = (it.get("chunk_id"), it.get("quote", ""))
        if key[0] and key not in seen:  # a source without a chunk id cannot be opened
            seen.add(key)
            out.append(it)
    return out


def chip_labels(a: dict) -> list[tuple[str, int]]:
    lang = a.get("language") or "en"
    out = []
    for i, c in enumerate(citations_of(a)):
        mark = "⚠ " if c["kind"] == "warn" else ""
        out.append((f"{mark}[{i + 1}] {page_ref(c['doc'], c['page'], lang, c.get('page_label', ''))}{_gist(c['quote'])}", i))
    return out


def _gist(quote: str, chars: int = 30) -> str:
    """The first words of a quote, to tell apart chips of the same page: ' · “Interval: every 500…”'."""
    q = re.sub(r"[*_`|#>]+", " ", readable(quote or ""))
    q = re.sub(r"^\W*(?:\d+[.)]\s*)?", "", " ".join(q.split()))
    if not q:
        return ""
    cut = ""
    for word in q.split(" "):
        if cut and len(cut) + 1 + len(word) > chars:
            break
        cut = f"{cut} {word}".strip()
    wide = len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", cut))  # CJK characters take two columns
    cut = cut[: chars // 2] if len(cut) + wide > chars + 4 else cut
    return f" · “{cut}{'…' if len(cut) < len(q) else ''}”"


def passage_html(p: dict, quote: str, lang: str = "en", marked: bool | None = None) -> str:
    """The passage behind a citation, with the quote marked."""
    L = labels(lang)
    text = p["text"]
    body = _mark(text, quote)
    note = ""
    if marked is not None and quote:
        note = f'<div class="ma-src">{e(L["quote_marked"] if marked else L["quote_unmarked"])}</div>'
    doc = p["document"]
    return (f'<div class="ma-passage"><div class="ma-doc">{e(page_ref(doc["name"], p["page"], lang))}</div>'
            f'<div class="ma-section">{e(p["section"])}</div><div class="ma-text">{body}</div>{note}</div>')


def _mark(text: str, quote: str) -> str:
    spans = find_spans(text, quote) if quote else []
    if not spans:
        return _plain(text)
    s, t = spans[0]
    return _plain(text[:s]) + "<mark>" + _plain(text[s:t]) + "</mark>" + _plain(text[t:])


def _plain(text: str) -> str:
    """Source text as HTML, its lines kept, as a technician reads it (`readable`)."""
    return e(readable(text)).replace("\n", "<br>")


def card_html(card, figure_png: Callable[[object], bytes | None] | None = None) -> str:
    """A StepCard as a page fragment: title, task, safety notes for the whole task, tools and parts,
    preconditions, then numbered steps with their warnings in red boxes before them, and the figures
    they point to. `figure_png` gives a figure's image (PNG bytes, or None) for a step's MediaRef
    (e.g. Assistant.figure_image): the first step showing a figure shows its image, the others name it."""
    L = labels(card.language)
    lang = card.language or "en"
    srcs = "; ".join(f"{s.doc} ({L['p']} {', '.join(map(str, s.pages))})" for s in card.sources)
    out = [f'<div class="ma-card" lang="{e(lang)}"><h2>{e(card.title)}</h2>',
           f'<div class="ma-meta"><b>{e(L["task"])}:</b> {e(card.task)}'
           + (f' · <b>{e(L["equipment"])}:</b> {e(card.equipment)}' if card.equipment else "")
           + (f' · <b>{e(L["source"])}:</b> {e(srcs)}' if srcs else "") + "</div>"]
    out += [warning_box(w.text, w.citation.doc, w.citation.page, lang, w.level) for w in card.warnings if w.step is None]
    if card.tools:
        out.append(f'<h3>{e(L["tools"])}</h3><ul class="ma-tools">')
        for t in card.tools:
            extra = " · ".join(x for x in (t.part_number, t.quantity) if x)
            out.append(f'<li><span class="ma-kind {t.kind}">{e(L["kind"][t.kind])}</span> {e(t.name)}'
                       + (f' <span class="ma-pn">{e(extra)}</span>' if extra else "") + "</li>")
        out.append("</ul>")
    if card.preconditions:
        out.append(f'<h3>{e(L["before"])}</h3><ul class="ma-pre">' + "".join(f"<li>{e(p.text)}</li>" for p in card.preconditions) + "</ul>")
    out.append(f'<h3>{e(L["steps"])}</h3><ol class="ma-steps">')
    shown: set = set()
    out += [_step_html(s, L, lang, figure_png, shown) for s in card.steps]
    out.append("</ol></div>")
    return "".join(out)


def _step_html(s, L: dict, lang: str, figure_png=None, shown: set | None = None) -> str:
    pre = "".join(warning_box(w.text, w.citation.doc, w.citation.page, lang, w.level) for w in s.warnings if w.level != "note")
    notes = "".join(f'<div class="ma-note">ℹ {e(w.text)}</div>' for w in s.warnings if w.level == "note")
    body = [f'<div class="ma-instr">{e(s.instruction)}</div>']
    if s.detail:
        body.append(f'<div class="ma-detail">{e(s.detail)}</div>')
    if s.specs:
        body.append('<div class="ma-specs">' + "".join(f'<span class="ma-specv" title="{e(x.name)}">{e(x.value)} {e(x.unit)}</span>'
                                                       for x in s.specs) + "</div>")
    if s.check:
        body.append(f'<div class="ma-check">✔ {e(L["check"])}: {e(s.check)}</div>')
    body += [_figure_html(m, lang, figure_png, shown if shown is not None else set()) for m in s.media if m.kind == "figure"]
    cites = "; ".join(dict.fromkeys(page_ref(c.doc, c.page, lang, c.page_label) for c in s.citations))
    body.append(f'<div class="ma-src">{e(L["source"])}: {e(cites)}</div>')
    part = f'<div class="ma-part">{e(s.part.text)}</div>' if s.part else ""  # a part of the task opens here
    return (f'<li class="ma-step-item" value="{s.number}">{part}{pre}<div class="ma-step"><div class="ma-num" aria-hidden="true">{s.number}</div>'
            f'<div class="ma-body">{"".join(body)}{notes}</div></div></li>')


def _figure_html(m, lang: str, figure_png, shown: set) -> str:
    """A step's figure: its image cut from the page (the first time the card shows it), its label and page."""
    ref = f"{m.label or ''} · {page_ref(m.doc, m.page, lang)}".strip(" ·")
    key = (m.doc, m.page, m.label)
    png = None
    if figure_png is not None and key not in shown:
        try:
            png = figure_png(m)
        except AssistantError:  # an image that cannot be cut (document gone, region unknown): the reference stays
            png = None
    if not png:
        return f'<div class="ma-figref">🖼 {e(ref)}</div>'
    shown.add(key)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<figure class="ma-figure"><img src="{src}" alt="{e(m.label or "")}" loading="lazy">'
            f'<figcaption>{e(ref)}</figcaption></figure>')


def no_card_html(task: str, reason: str, lang: str = "en") -> str:
    return f'<div class="ma-refusal"><b>{e(labels(lang)["no_card"])}</b><br>{e(reason)}</div>'


def documents_html(docs: list[dict], lang: str = "en") -> str:
    L = labels(lang)
    if not docs:
        return f'<div class="ma-empty">{e(L["no_docs"])}</div>'
    head = "".join(f"<th>{e(c)}</th>" for c in L["cols"])
    rows = "".join(
        f'<tr><td>{d["id"]}</td><td>{e(d["name"])}{" ⬆" if d.get("uploaded") else ""}</td><td>{e(d["collection"])}</td>'
        f'<td>{e(d["format"])}</td><td>{d["pages"]}</td><td>{d["chunks"]}</td><td>{e(_when(d["indexed_at"]))}</td></tr>'
        for d in docs)
    return f'<table class="ma-docs"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def library_html(root, docs: list[dict], lang: str = "en") -> str:
    """The header's line on the open library: its name (the folder; the full path on hover) and size."""
    L = labels(lang)
    name = f'<b class="ma-lib-name" title="{e(root)}">{e(getattr(root, "name", "") or root)}</b>'
    if not docs:
        return f'<div class="ma-library">{e(L["library"])} {name} {e(L["library_empty"])}</div>'
    counts = (len(docs), sum(int(d.get("chunks") or 0) for d in docs), sum(int(d.get("pages") or 0) for d in docs))
    sep = "" if lang.startswith("zh") else " "
    parts = [f'<span class="ma-lib-{k}">{n:,}{sep}{e(L[k + "_n"][n != 1])}</span>' for k, n in zip(("docs", "chunks", "pages"), counts)]
    return f'<div class="ma-library">{e(L["library"])} {name} · ' + " · ".join(parts) + "</div>"


def errors_html(errors: list[dict], lang: str = "en") -> str:
    L = labels(lang)
    if not errors:
        return f'<div class="ma-empty">{e(L["no_errors"])}</div>'
    return '<ul class="ma-errors">' + "".join(
        f'<li><b>{e(x["name"])}</b>: {e(x["error"])} <span class="ma-src">{e(_when(x["at"]))}</span></li>' for x in errors) + "</ul>"


def upload_result_html(results: list[tuple[str, bool, str]], lang: str = "en") -> str:
    L = labels(lang)
    items = "".join(f'<li class="{"ok" if ok else "bad"}">{"✔" if ok else "✖"} <b>{e(name)}</b> — {e(L["added"] if ok else L["failed"])}: {e(msg)}</li>'
                    for name, ok, msg in results)
    return f'<ul class="ma-upload">{items}</ul>'


def error_html(message: str, lang: str = "en") -> str:
    return f'<div class="ma-refusal"><b>{e(labels(lang)["error"])}</b><br>{e(message)}</div>'


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
