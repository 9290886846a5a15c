"""Human-readable renderings of a step card: printable HTML (protective equipment, then tools and parts
up front in a table without empty columns, each warning in a red box before the step it guards, the
source page under every step), Markdown, and an S1000D procedural fragment (`<procedure>` with preliminary requirements and `<proceduralStep>`s).

    "<ol" in to_html(card) and to_markdown(card).startswith("# ")   # needs a card drafted from an indexed library
    # -> True
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from ..plaintext import readable
from ..textrules import SIGNAL_LABEL
from .model import SafetyNote, StepCard

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:50em;margin:2em auto;color:#111}
h1{font-size:1.5em;margin-bottom:.2em} .meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em} td,th{border:1px solid #999;padding:.3em .5em;text-align:left}
.safety{border:3px solid #c00;background:#fff0f0;padding:.5em .8em;margin:.6em 0;border-radius:4px}
.safety.caution{border-color:#d80;background:#fff8e6} .safety.note{border-color:#36c;background:#eef4ff}
.safety b{text-transform:uppercase} ol.steps>li{margin:.8em 0;page-break-inside:avoid}
.instr{font-weight:600} li.part{list-style:none;margin:.8em 0 .3em -1.2em;font-style:italic} .detail,.check{margin:.2em 0} .src{color:#555;font-size:.85em}
blockquote{margin:.2em 0 .2em 1em;color:#444;font-style:italic}
@media print{body{margin:0;max-width:none}.safety{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""
_LABEL = {"danger": "Danger", "warning": "Warning", "caution": "Caution", "note": "Note"}
# Headings of the rendered card in the card's language (the manual's own words stay as they are).
_WORDS = {
    "en": {"task": "Task", "equipment": "Equipment", "before": "Before you start", "tools": "Tools and parts", "item": "Item",
           "kind": "Kind", "pn": "Part no.", "qty": "Qty", "source": "Source", "steps": "Steps", "check": "Check", "goto": "go to step {n}", "off": "leaves this card",
           "ppe": "Protective equipment", "tool": "tool", "part": "part", "consumable": "consumable"},
    "zh": {"task": "任务", "equipment": "设备", "before": "开始之前", "tools": "工具和备件", "item": "名称", "kind": "类别",
           "pn": "备件号", "qty": "数量", "source": "出处", "steps": "操作步骤", "check": "确认", "goto": "转到第 {n} 步", "off": "不在本卡内",
           "ppe": "个人防护用品", "tool": "工具", "part": "备件", "consumable": "耗材"},
}


def _words(card: StepCard) -> dict[str, str]:
    return _WORDS["zh" if card.language.startswith("zh") else "en"]


def _split_signal(w: SafetyNote) -> tuple[str, str]:
    """("WARNING", "Stored pressure ...") from "WARNING: Stored pressure ..."; the level's name when the
    manual's text has no signal word of its own."""
    m = SIGNAL_LABEL.match(w.text)
    return (m.group(1).upper(), w.text[m.end():]) if m and w.text[m.end():] else (_LABEL[w.level].upper(), w.text)


def _tool_columns(card: StepCard) -> list[str]:
    """Columns of the tools table: part number and quantity only when some item has one."""
    cols = ["item", "kind"]
    cols += ["pn"] if any(t.part_number for t in card.tools if t.kind != "ppe") else []
    cols += ["qty"] if any(t.quantity for t in card.tools if t.kind != "ppe") else []
    return cols


def _cell(t, col: str, W: dict) -> str:
    return {"item": t.name, "kind": W.get(t.kind, t.kind), "pn": t.part_number or "", "qty": t.quantity or ""}[col]


def _spec_text(x) -> str:
    return f"{x.name}: {x.value} {x.unit}" if x.name and x.name != x.unit else f"{x.value} {x.unit}"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _safety_html(w: SafetyNote) -> str:
    label, text = _split_signal(w)
    return (f'<div class="safety {w.level}" role="alert"><b>{_e(label)}</b> {_e(text)}'
            f'<div class="src">{_e(w.citation.doc)}, {w.citation.page_ref()}</div></div>')


def to_html(card: StepCard) -> str:
    """A standalone printable HTML page; every text is escaped."""
    W = _words(card)
    out = [f'<!DOCTYPE html><html lang="{_e(card.language)}"><head><meta charset="utf-8">',
           f"<title>{_e(card.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(card.title)}</h1>",
           f'<p class="meta">{W["task"]}: {_e(card.task)}' + (f' · {W["equipment"]}: {_e(card.equipment)}' if card.equipment else "") + "</p>"]
    if card.preconditions:
        out.append(f"<h2>{W['before']}</h2><ul>" + "".join(
            f'<li>{_e(p.text)} <span class="src">({_e(p.citation.doc)}, {p.citation.page_ref()})</span></li>' for p in card.preconditions) + "</ul>")
    general = [w for w in card.warnings if w.step is None]
    out += [_safety_html(w) for w in general]
    ppe = [t for t in card.tools if t.kind == "ppe"]
    tools = [t for t in card.tools if t.kind != "ppe"]
    if ppe:
        out.append(f"<h2>{W['ppe']}</h2><ul>" + "".join(
            f'<li>{_e(t.name)} <span class="src">({_e(t.citation.doc)}, {t.citation.page_ref()})</span></li>' for t in ppe) + "</ul>")
    if tools:
        cols = _tool_columns(card)
        out.append(f"<h2>{W['tools']}</h2><table><tr>" + "".join(f"<th>{W[k]}</th>" for k in cols + ["source"]) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{_e(_cell(t, k, W))}</td>" for k in cols)
                + f'<td class="src">{_e(t.citation.doc)}, {t.citation.page_ref()}</td></tr>' for t in tools]
        out.append("</table>")
    out.append(f'<h2>{W["steps"]}</h2><ol class="steps">')
    for s in card.steps:
        pre = "".join(_safety_html(w) for w in s.warnings if w.level != "note")
        notes = "".join(_safety_html(w) for w in s.warnings if w.level == "note")
        body = [f'<div class="instr">{_e(s.instruction)}</div>']
        if s.detail:
            body.append(f'<p class="detail">{_e(s.detail)}</p>')
        if s.specs:
            body.append('<ul class="specs">' + "".join(f"<li>{_e(_spec_text(x))}</li>" for x in s.specs) + "</ul>")
        if s.check:
            body.append(f'<p class="check">✔ {W["check"]}: {_e(s.check)}</p>')
        if s.branches:
            body.append('<ul class="branches">' + "".join(f"<li>{_e(_branch_text(b, W))}</li>" for b in s.branches) + "</ul>")
        cites = _pages(s.citations)
        quote = " … ".join(readable(c.quote) for c in s.citations)
        body.append(f'<div class="src">{W["source"]}: {_e(cites)}<blockquote>{_e(quote)}</blockquote></div>')
        if s.part:  # a part of the task opens here: its title above its first step
            cites = _pages(s.part.citations)
            out.append(f'<li class="part">{_e(s.part.text)} <span class="src">({_e(cites)})</span></li>')
        out.append(f'<li value="{s.number}">{pre}{"".join(body)}{notes}</li>')
    out.append("</ol></body></html>")
    return "\n".join(out)


def to_markdown(card: StepCard) -> str:
    W = _words(card)
    lines = [f"# {card.title}", "", f"*{W['task']}:* {card.task}" + (f"  \n*{W['equipment']}:* {card.equipment}" if card.equipment else ""), ""]
    if card.preconditions:
        lines += [f"## {W['before']}", ""] + [f"- {p.text} ({p.citation.doc}, {p.citation.page_ref()})" for p in card.preconditions] + [""]
    for w in (w for w in card.warnings if w.step is None):
        lines += ["> **{}:** {}".format(*_split_signal(w)), ""]
    ppe = [t for t in card.tools if t.kind == "ppe"]
    tools = [t for t in card.tools if t.kind != "ppe"]
    if ppe:
        lines += [f"## {W['ppe']}", ""] + [f"- {t.name}" for t in ppe] + [""]
    if tools:
        cols = _tool_columns(card)
        lines += [f"## {W['tools']}", "", "| " + " | ".join(W[k] for k in cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_md(_cell(t, k, W)) for k in cols) + " |" for t in tools]
        lines.append("")
    lines += [f"## {W['steps']}", ""]
    for s in card.steps:
        for w in s.warnings:
            if w.level != "note":
                lines += ["> **{}:** {}".format(*_split_signal(w)), ""]
        if s.part:
            lines += [f"*{s.part.text}* (" + _pages(s.part.citations) + ")", ""]
        lines.append(f"{s.number}. **{s.instruction}**")
        if s.detail:
            lines.append(f"   {s.detail}")
        lines += [f"   - {_spec_text(x)}" for x in s.specs]
        if s.check:
            lines.append(f"   - {W['check']}: {s.check}")
        lines += [f"   - {_branch_text(b, W)}" for b in s.branches]
        lines += ["   - {}: {}".format(*_split_signal(w)) for w in s.warnings if w.level == "note"]
        lines.append(f"   - {W['source']}: " + _pages(s.citations))
        lines.append("")
    return "\n".join(lines)


def _branch_text(b, W: dict) -> str:
    """A branch on one line: its condition, what it says, and the card step it leads to ("If yes → go to
    step 4 (go to step 2)" where the manual's step 4 is the card's step 2)."""
    if b.goto is not None:
        jump = W["goto"].format(n=b.goto)
    else:
        jump = W["off"] if b.target and b.target != "next" else ""
    return f"{b.condition} → {b.action}" + (f" ({jump})" if jump else "")


def _pages(citations) -> str:
    """The documents and pages the citations point at, each once, in order ("tm.pdf, p. 3-34 (PDF page 51)")."""
    return "; ".join(dict.fromkeys(f"{c.doc}, {c.page_ref()}" for c in citations))


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_s1000d(card: StepCard) -> str:
    """An S1000D-style `<procedure>` fragment (preliminary requirements, steps with their warnings)."""
    proc = ET.Element("procedure")
    pre = ET.SubElement(proc, "preliminaryRqmts")
    equip = ET.SubElement(pre, "reqSupportEquips")
    supplies = ET.SubElement(pre, "reqSupplies")
    spares = ET.SubElement(pre, "reqSpares")
    safety = ET.SubElement(ET.SubElement(pre, "reqSafety"), "safetyRqmts")
    ppe = [t.name for t in card.tools if t.kind == "ppe"]
    if ppe:  # S1000D has no element of its own for protective equipment: a safety requirement
        ET.SubElement(safety, "safetyRqmtsPara").text = "Personal protective equipment: " + "; ".join(ppe)
    for t in (t for t in card.tools if t.kind != "ppe"):
        parent, tag = {"tool": (equip, "supportEquipDescr"), "consumable": (supplies, "supplyDescr"), "part": (spares, "spareDescr")}[t.kind]
        d = ET.SubElement(parent, tag)
        ET.SubElement(d, "name").text = t.name
        if t.part_number:
            ET.SubElement(d, "identNumber").text = t.part_number
        if t.quantity:
            ET.SubElement(d, "reqQuantity").text = t.quantity
    for w in (w for w in card.warnings if w.step is None):
        _s1000d_note(safety, w)
    main = ET.SubElement(proc, "mainProcedure")
    for s in card.steps:
        if s.part:
            ET.SubElement(ET.SubElement(main, "proceduralStep", {"id": f"stp-{s.number:04d}-part"}), "para").text = s.part.text
        step = ET.SubElement(main, "proceduralStep", {"id": f"stp-{s.number:04d}"})
        for w in s.warnings:
            _s1000d_note(step, w)
        ET.SubElement(step, "para").text = s.instruction + (f" {s.detail}" if s.detail else "")
    ET.SubElement(ET.SubElement(ET.SubElement(proc, "closeRqmts"), "reqCondGroup"), "noConds")
    ET.indent(proc)
    return ET.tostring(proc, encoding="unicode")


def _s1000d_note(parent, w: SafetyNote) -> None:
    tag = {"danger": "warning", "warning": "warning", "caution": "caution", "note": "note"}[w.level]
    el = ET.SubElement(parent, tag)
    ET.SubElement(el, "notePara" if tag == "note" else "warningAndCautionPara").text = w.text
