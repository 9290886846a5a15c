"""XR step cards on the bundled sample library: steps in source order with verbatim quotes, warnings
before the step they guard, tools up front, exact numbers, refusal, ARLEM/HTML/Markdown exports, the
CLI batch contract, Chinese procedures and procedures written inline in running text."""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cards import CardDrafter, NoProcedureFound, StepCard, card_json_schema, problems
from assistant.cards.model import SCHEMA_PATH, Citation, Step
from assistant.types import Chunk
from assistant.answer.verify import is_verbatim, numbers_in

ROOT = Path(__file__).resolve().parents[1]
FILTER_TASK = "replace the return-line filter element on HP-3"


@pytest.fixture(scope="module")
def drafter(sample_library, retriever):
    return CardDrafter(sample_library, retriever)


@pytest.fixture(scope="module")
def filter_card(drafter):
    return drafter.draft(FILTER_TASK)


def _chunk_text(library, chunk_id: str) -> str:
    return library.store.db.execute("SELECT text FROM chunks WHERE id=?", (chunk_id,)).fetchone()[0]


# ---- the card


def test_published_schema_is_up_to_date():
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == card_json_schema(), \
        "regenerate with: python -c \"from assistant.cards.model import write_schema; write_schema()\""


def test_filter_card_has_all_steps_in_source_order(filter_card):
    card = filter_card
    assert card.title == "3.1 Replacing the return-line filter element"
    assert [s.source_number for s in card.steps] == [f"{n}." for n in range(1, 15)]
    assert card.steps[0].instruction == "Stop the unit at the operator panel and let the oil cool below 40 °C."
    assert card.steps[1].instruction.startswith("Switch off main isolator Q1.")
    assert card.steps[-1].instruction.startswith("Reset the filter indicator, acknowledge E-211")
    assert all(len(s.instruction) <= 280 for s in card.steps)
    assert {c.doc for s in card.steps for c in s.citations} == {"hp3_pump_manual.pdf"}
    assert {c.page for s in card.steps for c in s.citations} == {3}


def test_every_quote_is_verbatim_in_its_chunk(filter_card, sample_library):
    for c in filter_card.citations():
        assert is_verbatim(c.quote, _chunk_text(sample_library, c.chunk_id)), c.quote
    assert problems(filter_card, {c.chunk_id: _chunk_text(sample_library, c.chunk_id) for c in filter_card.citations()}) == []


def test_warnings_stand_before_the_step_they_guard(filter_card):
    steps = {s.number: s for s in filter_card.steps}
    assert [w.level for w in steps[5].warnings] == ["warning"]
    assert "Stored hydraulic pressure can inject oil through skin" in steps[5].warnings[0].text
    assert steps[5].instruction.startswith("Turn the filter housing cover counter-clockwise")
    assert "Dirt that enters the open housing" in steps[7].warnings[0].text and steps[7].warnings[0].level == "caution"
    assert "Over-tightening deforms the O-ring" in steps[10].warnings[0].text
    assert not steps[4].warnings and not steps[6].warnings
    assert sorted((w.step, w.level) for w in filter_card.warnings) == [(5, "warning"), (7, "caution"), (10, "caution")]


def test_tools_and_parts_listed_up_front(filter_card):
    names = [t.name for t in filter_card.tools]
    assert names[0] == "24 mm socket wrench with 150 mm extension"
    assert "torque wrench (5–60 N·m)" in names
    parts = {t.part_number: t.kind for t in filter_card.tools if t.part_number}
    assert parts == {"HF-220-10": "part", "OR-0984-N": "part"}
    assert all(t.citation.page == 3 for t in filter_card.tools)


def test_numbers_are_exactly_as_in_the_manual(filter_card):
    step10 = filter_card.steps[9]
    assert "25 N·m" in step10.instruction
    assert [(x.value, x.unit) for x in step10.specs] == [("25", "N·m")]
    assert is_verbatim("tighten it to 25 N·m", step10.specs[0].citation.quote)
    for s in filter_card.steps:
        quotes = " ".join(c.quote for c in s.citations)
        assert all(n in quotes for n in numbers_in(s.instruction)), s.instruction


def test_refuses_a_task_the_library_has_no_procedure_for(drafter):
    with pytest.raises(NoProcedureFound):
        drafter.draft("replace the windscreen wiper of a car")


def test_chinese_task_on_the_chinese_procedure(drafter):
    card = drafter.draft("更换回油滤芯")
    assert card.language == "zh"
    assert {c.doc for s in card.steps for c in s.citations} == {"hp3_filter_procedure_zh.pdf"}
    assert len(card.steps) == 14 and card.steps[0].instruction.startswith("在操作面板上停机")
    assert card.steps[4].warnings and card.steps[4].warnings[0].text.startswith("警告")
    assert "25 N·m" in card.steps[9].instruction
    assert any("HF-220-10" == t.part_number for t in card.tools)


def test_html_ordered_list_steps(drafter):
    card = drafter.draft("annual inspection of the 110 kV SF6 circuit breaker")
    assert len(card.steps) == 13
    assert card.steps[0].instruction.startswith("Read the SF6 density monitor of each pole")
    opening = next(s for s in card.steps if s.instruction.startswith("Open the mechanism cabinet"))
    assert "charged closing spring" in opening.warnings[0].text


def test_docx_sub_procedure_keeps_manual_numbers_and_tools(drafter):
    card = drafter.draft("How do I drain the gearbox oil?")
    assert [s.source_number for s in card.steps] == ["4.", "5.", "6.", "7."]
    assert "Hot oil (up to 80 °C)" in card.steps[0].warnings[0].text
    assert "27 mm ring spanner" in [t.name for t in card.tools]
    assert card.steps[-1].specs[-1].value == "45" and card.steps[-1].specs[-1].unit == "N·m"


# ---- procedures that the manual writes in running text, and manuals without marked headings


def _doc(lines: list[str], fmt: str = "pdf", sections: list[tuple[str, ...]] | None = None):
    from assistant.cards.source import from_chunks

    chunks = []
    for i, text in enumerate(lines):
        sec = sections[i] if sections else ()
        chunks.append(Chunk(f"c{i}", "manual.pdf", i + 1, sec, 0, len(text), text, "en"))
    return from_chunks("manual.pdf", fmt, chunks)


def test_inline_numbered_procedures_in_running_text():
    from assistant.cards.select import parse_doc

    page = ("Voice Guide\nThe Voice Guide reads menus aloud. To turn on the Voice Guide, 1. Press and hold the VOL button\n"
            "for 2 seconds. 2. Select Voice Guide. 3. Press OK. To change its speed, 1. Open Settings. 2. Select Speed.")
    p = parse_doc(_doc([page], sections=[("Voice Guide",)]))
    steps = [(it.number, p.doc.text[it.body:it.end]) for it in p.items if it.kind == "step"]
    assert steps == [(1, "Press and hold the VOL button\nfor 2 seconds."), (2, "Select Voice Guide."), (3, "Press OK."),
                     (1, "Open Settings."), (2, "Select Speed.")]
    assert [len(r.steps) for r in p.runs] == [3, 2]


def test_lettered_sub_steps_run_into_one_paragraph_are_steps():
    """An OEM manual's filter replacement written as lettered sub-steps in one paragraph: each letter
    is a step, in order, and the sentence before them introduces the procedure."""
    from assistant.cards.select import parse_doc

    page = ("3-4 Air filter replacement\nReplace the air filter element every 500 hours. (a) Open the four latches on the "
            "filter housing. (b) Remove the cover and pull out the element.\n(c) Wipe the housing with a clean cloth. "
            "(d) Fit the new element and close the latches.")
    p = parse_doc(_doc([page], sections=[("3-4 Air filter replacement",)]))
    steps = [(it.number, " ".join(p.doc.text[it.body:it.end].split())) for it in p.items if it.kind == "step"]
    assert steps == [(1, "Open the four latches on the filter housing."), (2, "Remove the cover and pull out the element."),
                     (3, "Wipe the housing with a clean cloth."), (4, "Fit the new element and close the latches.")]
    assert [len(r.steps) for r in p.runs] == [4]


def test_unmarked_titles_and_step_labels_split_procedures():
    from assistant.cards.select import candidates, parse_doc

    page = ("1 Front brake pad replacement\nTools required: 13 mm socket; torque wrench.\nWARNING\nBrake dust is harmful.\n"
            "Step 1 Remove the wheel.\nStep 2 Remove the caliper bolts.\n2 Rear shoe adjustment\nTools: spanner, screwdriver.\n"
            "1) Chock the wheels.\n2) Turn the star wheel.")
    p = parse_doc(_doc([page]))
    titles = {c.title: len([i for r in c.runs for i in r.steps]) for c in candidates(p)}
    assert titles["Front brake pad replacement"] == 2 and titles["Rear shoe adjustment"] == 2


def test_chinese_markers_and_signal_words():
    from assistant.cards.select import parse_doc

    page = "工具：扳手、螺丝刀\n第1步 断开电源。\n警告：必须先泄压。\n第2步 拆下滤壳盖。\n（3）装上新滤芯。"
    p = parse_doc(_doc([page]))
    kinds = [(it.kind, it.number, it.level) for it in p.items]
    assert kinds == [("tools", None, None), ("step", 1, None), ("warning", None, "warning"), ("step", 2, None), ("step", 3, None)]


def test_a_tools_chapter_of_sentences_is_a_feature_not_a_tool_list():
    from assistant.cards.select import candidates, parse_doc

    p = parse_doc(_doc(["Tools\n• Drag the Edge panel handle to the centre.\n• Tap Compass to identify directions.",
                        "Tools and parts\n• 13 mm socket\n• torque wrench (5–60 N·m)\n1. Remove the cover.\n2. Fit the seal."],
                       sections=[("Tools",), ("Tools and parts",)]))
    assert p.tool_nodes == {1}
    assert {c.title for c in candidates(p)} >= {"Tools"}


def test_a_chapter_of_many_procedures_is_not_one_procedure():
    from assistant.cards.select import MAX_RUNS, candidates, parse_doc

    pages = [f"Task {k}\nTools: spanner.\n1. Open cover {k}.\n2. Close cover {k}." for k in range(MAX_RUNS + 2)]
    p = parse_doc(_doc(pages, sections=[("Manual", f"Task {k}") for k in range(MAX_RUNS + 2)]))
    assert max(len(c.runs) for c in candidates(p)) <= MAX_RUNS
    assert sorted(c.title for c in candidates(p) if len(c.runs) == 1)[:2] == ["Task 0", "Task 1"]


def test_tables_checklists_values_and_prohibitions_are_not_procedures():
    """A card is drafted from a procedure only: table rows read as text, a checklist of states, a list of
    values or of "Never ..." rules is not one, however retrieval ranks it (issue 13: a card drafted
    from a specifications table on an AVX2 machine)."""
    from assistant.cards.select import candidates, is_procedure, parse_doc

    sections = [("Specifications", "Maintenance intervals"), ("Before start-up",), ("Key values",), ("Never",),
                ("Discharging the accumulator",), ("Checks in service",)]
    pages = ["Check oil level, leaks, filter indicator daily Quick reference\nReplace return filter element HF-220-10 500 h or at "
             "E-211 3.1\nInspect coupling spider 4 000 h 3.3\nChange oil (60 L ISO VG 46) 8 000 h or 2 years –",
             "• Oil level in the sight glass between MIN and MAX (unit stopped).\n• Main isolator Q1 is free of locks and tags.\n"
             "• Accumulator dump valve V5 is closed.",
             "• Maximum operating pressure: 210 bar\n• Filter housing cover torque: 25 N·m",
             "1. Never open a connection before Q1 is locked out.\n2. Never search for leaks with your hand.",
             "1. Stop the unit and switch off isolator Q1.\n2. Open dump valve V5 and wait until P1 reads 0 bar.\n3. Unscrew the protective cap.",
             "• Read the SF6 density monitor of each pole.\n• If a reading has fallen, report a suspected leak.\n• Check the insulators for cracks."]
    p = parse_doc(_doc([s[-1] + "\n" + page for s, page in zip(sections, pages)], sections=sections))
    verdict = {c.title: is_procedure(c) for c in candidates(p) if len(c.runs) == 1}
    assert verdict == {"Maintenance intervals": False, "Before start-up": False, "Key values": False, "Never": False,
                       "Discharging the accumulator": True, "Checks in service": True}


def test_user_manual_question_end_to_end(tmp_path, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tv_manual.md").write_text(
        "# SmartView TV user manual\n\n## Voice Guide\n\nThe Voice Guide reads the menu items aloud. To turn on the Voice Guide, "
        "1. Press and hold the VOL button for 2 seconds. 2. Select Voice Guide in the shortcuts menu. 3. Press OK.\n\n"
        "## High Contrast\n\nYou can make the menus easier to read. Open Settings > General and select High Contrast.\n", encoding="utf-8")
    index_paths([docs], settings, index_dir=tmp_path / "idx", progress=False, embedder=embedder, workers=1)
    lib = Library.open(tmp_path / "idx", settings)
    try:
        d = CardDrafter(lib, Retriever(lib, embedder=embedder))
        card = d.draft("How do I turn on the Voice Guide?")
        assert [s.instruction for s in card.steps] == [
            "Press and hold the VOL button for 2 seconds.", "Select Voice Guide in the shortcuts menu.", "Press OK."]
        assert d.draft("How do I turn on High Contrast?").steps[0].instruction == "Open Settings > General and select High Contrast."
    finally:
        lib.close()


# ---- exports


def test_arlem_export_validates_against_the_bundled_schemas(filter_card):
    jsonschema = pytest.importorskip("jsonschema")
    from assistant.cards.export import ARLEM_DIR, to_arlem, validate_arlem

    activity, workplace = to_arlem(filter_card)
    jsonschema.validate(activity, json.loads((ARLEM_DIR / "activitySchema.json").read_text()))
    jsonschema.validate(workplace, json.loads((ARLEM_DIR / "workplaceSchema.json").read_text()))
    assert validate_arlem(activity, workplace) == []
    ids = [a["id"] for a in activity["actions"]]
    assert ids.index("step5-warning1") == ids.index("step5") - 1
    assert activity["actions"][ids.index("step5-warning1")]["viewport"] == "warnings"
    assert activity["start"] == "step1" and activity["language"] == "en"
    assert len(workplace["things"]) == len(filter_card.tools)
    assert (ARLEM_DIR / "LICENSE").read_text().startswith("MIT License")


def test_html_puts_tools_first_and_warnings_in_red_before_their_step(filter_card):
    from assistant.cards.export import to_html

    page = to_html(filter_card)
    assert page.index("Tools and parts") < page.index('<ol class="steps">')
    warn = page.index('class="safety warning"')
    assert page.index("Place the drain pan under filter housing F1") < warn < page.index("Turn the filter housing cover")
    assert "border:3px solid #c00" in page and "25 N·m" in page
    evil = filter_card.model_copy(update={"task": "<script>alert(1)</script>"})
    assert "<script>alert" not in to_html(evil)


def test_markdown_and_s1000d_render(filter_card):
    from assistant.cards.export import to_markdown, to_s1000d

    md = to_markdown(filter_card)
    assert md.startswith("# 3.1 Replacing the return-line filter element")
    assert md.index("## Tools and parts") < md.index("## Steps") < md.index("> **WARNING:** Stored") < md.index("5. **Turn")
    xml = to_s1000d(filter_card)
    assert xml.startswith("<procedure>") and xml.count("<proceduralStep") == 14 and "<identNumber>HF-220-10</identNumber>" in xml


# ---- the optional LLM only shortens, and only when the result passes the checks


class FakeLLM:
    name = "fake"

    def __init__(self, reply: str):
        self.reply = reply

    def chat(self, messages, max_tokens=256):
        assert "<step>" in messages[-1]["content"]
        return self.reply


def _long_card() -> StepCard:
    text = ("Remove the nine 12 mm screws from the upper back panel of the cooler and put them in a tray so that none is lost "
            "during the repair. Then remove the three 12 mm screws inset under the back panel; as soon as these are removed the "
            "panel falls freely, so hold it with one hand while you loosen the last screw.")
    from assistant.cards.assemble import fit

    instruction, detail = fit(text)
    cit = Citation(chunk_id="c0", doc="m.pdf", page=1, quote=text)
    return StepCard(title="t", task="t", language="en", steps=[Step(number=1, instruction=instruction, detail=detail, citations=[cit])])


def test_llm_rewrite_kept_only_when_grounded():
    from assistant.cards.rephrase import shorten_steps

    card = _long_card()
    assert card.steps[0].detail
    good = shorten_steps(card, FakeLLM("Remove the nine 12 mm screws from the upper back panel of the cooler and put them in a tray. "
                                       "Remove the three 12 mm screws inset under the back panel; hold the panel with one hand "
                                       "while you loosen the last screw, as it falls freely."))
    assert good.steps[0].instruction.startswith("Remove the nine 12 mm screws") and good.drafted_with == "llm:fake"
    assert good.steps[0].detail.startswith("Remove the nine 12 mm screws from the upper back panel of the cooler")
    bad = shorten_steps(card, FakeLLM("Remove the nine 15 mm screws from the upper back panel."))  # a number the manual lacks
    assert bad.steps[0].instruction == card.steps[0].instruction and bad.drafted_with == "extractive"


def test_a_model_failure_keeps_the_extractive_card_and_is_logged_not_printed(caplog, capsys):
    from assistant.cards.rephrase import shorten_steps
    from assistant.status import show_status_on_stderr

    class Broken(FakeLLM):
        def chat(self, messages, max_tokens=256):
            raise RuntimeError("model crashed")

    card = _long_card()
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert shorten_steps(card, Broken("")) == card
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("assistant.cards.rephrase", "could not shorten step 1: model crashed")]
    show_status_on_stderr()  # what the command line does: the library's warnings become "warning: ..." lines on stderr
    capsys.readouterr()
    shorten_steps(card, Broken(""))
    assert capsys.readouterr().err == "warning: could not shorten step 1: model crashed\n"


# ---- command line


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**__import__("os").environ, "ASSISTANT_LLM": "none"})


@pytest.mark.slow
def test_cli_batch_jsonl_and_arlem(sample_index, tmp_path):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "f", "task": FILTER_TASK}) + "\n" + json.dumps({"id": "w", "task": "replace the windscreen wiper of a car"}) + "\n")
    r = _run("card", "--index", str(sample_index), "--tasks", str(tasks), "--jsonl", "--llm", "none")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["f", "w"]
    card = lines[0]["card"]
    assert card["steps"][0]["instruction"].startswith("Stop the unit") and card["steps"][0]["citations"][0]["quote"]
    assert card["tools"] and card["warnings"] and lines[1]["card"] is None and lines[1]["refused"] is True
    r = _run("card", "--index", str(sample_index), "--tasks", str(tasks), "--jsonl", "--format", "arlem", "--llm", "none")
    first = json.loads(r.stdout.splitlines()[0])
    assert set(first) >= {"id", "activity", "workplace"} and first["activity"]["actions"]
    r = _run("card", FILTER_TASK, "--index", str(sample_index), "--format", "html", "--out", str(tmp_path / "card.html"), "--llm", "none")
    assert r.returncode == 0 and "Tools and parts" in (tmp_path / "card.html").read_text()
    r = _run("card", "replace the windscreen wiper of a car", "--index", str(sample_index), "--llm", "none")
    assert r.returncode == 4 and json.loads(r.stdout)["refused"] is True


def test_eval_cards_reports_the_dev_figures(sample_library, sample_index, tmp_path, capsys, settings, monkeypatch):
    from argparse import Namespace

    from assistant.cli import eval as cli

    gold = {"id": "f", "task": FILTER_TASK, "doc": "hp3_pump_manual.pdf",
            "gold_steps": ["Stop the unit at the operator panel and let the oil cool below 40 °C.",
                           "Screw the cover on clockwise by hand, then tighten it to 25 N·m."],
            "gold_tools": ["torque wrench", "drain pan"]}
    tasks = tmp_path / "gold.jsonl"
    tasks.write_text(json.dumps(gold) + "\n")
    args = Namespace(index=sample_index, device=None, llm="none", tasks=tasks, questions=None, corpus=[ROOT / "assistant" / "samples"],
                     out=tmp_path / "res.jsonl", doc=[], collection=[], language=[], k=10)
    assert cli.cards(args) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["tasks"] == 1 and report["step_recall"] == 1.0 and report["step_order"] == 1.0
    assert report["tool_recall"] == 1.0 and report["citations_right_doc"] == 1.0 and report["quotes_verbatim"] == 1.0
    assert report["arlem_valid"] == 1.0 and report["p50_ms"] is not None
    assert json.loads((tmp_path / "res.jsonl").read_text().splitlines()[0])["card"]["steps"]


# ---- clean text: no Markdown or list markers in the card's lines, PPE apart from tools, no empty columns

_MARKUP = re.compile(r"\*\*|__|`|\s\|\s|^\||\|$|\r|\n")


@pytest.fixture(scope="module")
def gearbox_card(drafter):
    return drafter.draft("Change the gearbox oil on belt conveyor CV-7")


def _card_lines(card) -> list[str]:
    out = [card.title] + [p.text for p in card.preconditions] + [w.text for w in card.warnings] + [t.name for t in card.tools]
    for s in card.steps:
        out += [s.instruction, s.detail or "", s.check or ""] + [f"{x.name}: {x.value} {x.unit}" for x in s.specs]
    return [x for x in out if x]


def test_card_lines_are_clean_text(gearbox_card, filter_card):
    for card in (gearbox_card, filter_card):
        for line in _card_lines(card):
            assert not _MARKUP.search(line), line
            assert not re.match(r"\s*(?:\d{1,3}\.\s|[-*•]\s)", line), line
    pre = [p.text for p in gearbox_card.preconditions]
    assert any(p.startswith("Oil change interval: 4 000 operating hours") for p in pre), pre  # a table row, without pipes


def test_spec_names_are_no_fragments(gearbox_card, filter_card):
    for card in (gearbox_card, filter_card):
        for s in card.steps:
            for x in s.specs:
                assert not re.search(r"\b(?:the|a|an|with|to|of|for)$", x.name, re.IGNORECASE), x.name
                assert ")" not in x.name and "(" not in x.name, x.name
    step5 = next(s for s in gearbox_card.steps if "magnetic drain plug" in s.instruction)
    assert [(x.value, x.unit) for x in step5.specs] == [("15", "minutes")]  # "27 mm" names the spanner
    assert "27 mm ring spanner" in [t.name for t in gearbox_card.tools]


def test_protective_equipment_is_listed_as_ppe_not_as_a_tool(gearbox_card, filter_card, drafter):
    from assistant.cards.extract import PPE_RE

    zh = drafter.draft("更换回油滤芯")
    for card, ppe in ((gearbox_card, "heat-resistant gloves and safety glasses"), (filter_card, "nitrile gloves and safety glasses"),
                      (zh, "丁腈手套和护目镜")):
        kinds = {t.name: t.kind for t in card.tools}
        assert kinds.get(ppe) == "ppe", kinds
        assert not any(PPE_RE.search(t.name) for t in card.tools if t.kind == "tool"), kinds
    StepCard.model_validate(gearbox_card.to_json())  # the published schema knows the kind


def _md_table(md: str, header: str) -> list[list[str]]:
    lines = md[md.index(header):].splitlines()
    rows = [ln for ln in lines[2:] if ln.startswith("|")]
    rows = rows[: next((i for i, r in enumerate(rows) if not r.startswith("|")), len(rows))]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r.strip()[1:-1])] for r in rows]


def test_exports_show_ppe_apart_and_no_empty_columns(gearbox_card, drafter):
    from assistant.cards.export import to_arlem, to_html, to_markdown, to_s1000d, validate_arlem

    breaker = drafter.draft("annual inspection of the 110 kV SF6 circuit breaker")
    bare = gearbox_card.model_copy(update={"tools": [t.model_copy(update={"quantity": None, "part_number": None}) for t in gearbox_card.tools]})
    for card in (gearbox_card, breaker, bare):
        md = to_markdown(card)
        if "## Tools and parts" in md:
            table = _md_table(md, "## Tools and parts")
            assert all(set(c) == {"-"} for c in table[1]) and len(table[1]) == len(table[0])
            body = table[2:]
            assert body and all(len(row) == len(table[0]) for row in body)
            for col in range(len(table[0])):
                assert any(row[col] for row in body), (table[0][col], md)  # no empty column
        page = to_html(card)
        assert "<th>Qty</th>" not in page or any(t.quantity for t in card.tools)
        assert not re.search(r"- [^\n]*: \*\*", md)  # no "- with the: **27 mm**" spec lines
    md = to_markdown(bare)
    assert "Qty" not in md and "Part no." not in md
    md = to_markdown(gearbox_card)
    assert md.index("## Protective equipment") < md.index("## Tools and parts")
    assert "heat-resistant gloves" not in md[md.index("## Tools and parts"):md.index("## Steps")]
    xml = to_s1000d(gearbox_card)
    assert "<safetyRqmtsPara>Personal protective equipment: heat-resistant gloves and safety glasses</safetyRqmtsPara>" in xml
    assert "gloves" not in xml[xml.index("<reqSupportEquips"):xml.index("</reqSupportEquips>")]
    activity, workplace = to_arlem(gearbox_card)
    assert validate_arlem(activity, workplace) == []
    assert any(t["id"].startswith("ppe-") for t in workplace["things"])
