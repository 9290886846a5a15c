"""Procedures as manuals write them (issue #15), read from PDFs drawn at test time
(tests/procedure_pdfs.py): an Army-TM task whose numbered title ends in a full stop, whose tools block
is set in two columns above the steps, whose lettered parts ("a. Remove.", "b. Install.") each hold
"(1)" steps that name figure callouts, with a CAUTION before the steps it guards and the task continued
on the next page; and a decision-tree troubleshooting procedure whose step 2 asks a question with yes/no
branches. Cards are drafted from a real library (MiniLM retrieval, extractive)."""
from __future__ import annotations

import pytest

from assistant.cards import CardDrafter
from assistant.cards.branches import read_branches
from assistant.cards.items import read_items
from assistant.cards.source import from_chunks
from assistant.ingest import parse
from assistant.plaintext import plain
from assistant.types import Chunk
from tests import procedure_pdfs as P


def _norm(text: str) -> str:
    return " ".join(text.replace("\u3000", " ").split())


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("procedures")
    P.tm_task(d / "tm_drain_plug.pdf")
    P.decision_tree(d / "hp3_low_pressure.pdf")
    P.lettered_substeps(d / "gpu_water_pump.pdf")
    P.row_across_pages(d / "hp3_break.pdf")
    P.tm_front_and_task(d / "tm_shelter.pdf")
    P.tm_task_with_repairs(d / "tm_inner_door.pdf")
    return d


@pytest.fixture(scope="module")
def drafter(pdfs, settings, embedder, tmp_path_factory):
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    index = tmp_path_factory.mktemp("procedures-index")
    report = index_paths([pdfs], settings, index_dir=index, progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    lib = Library.open(index, settings)
    yield CardDrafter(lib, Retriever(lib, embedder=embedder))
    lib.close()


def test_a_tm_task_reads_as_title_parts_and_steps(pdfs):
    doc = parse(pdfs / "tm_drain_plug.pdf")
    kinds = [(b.page, b.kind, _norm(b.text)) for b in doc.blocks]
    headings = [t for _, k, t in kinds if k == "heading"]
    # a numbered title ending in a full stop is a heading, its lettered parts headings below it
    assert headings[:2] == [P.TM_TITLE, "a. Remove. (Figure 3-16)"]
    # the title repeated on the next page is not a new section: "b. Install." stays under "3-15. Drain Plug."
    assert "3-15. Drain Plug (cont)." not in headings and "b. Install." in headings
    levels = {_norm(b.text): b.level for b in doc.blocks if b.kind == "heading"}
    assert levels["a. Remove. (Figure 3-16)"] > levels[P.TM_TITLE]
    # the two-column tools block does not swallow the steps: each step is a list item, wrapped lines kept
    steps = [t for _, k, t in kinds if k == "list_item" and t.startswith("(")]
    assert steps == [f"{m} {' '.join(lines)}" for m, lines in P.TM_REMOVE + P.TM_INSTALL]
    assert not any("(1)" in t for _, k, t in kinds if k == "table_row")
    caution = [t for _, k, t in kinds if k == "warning"]
    assert caution == [" ".join(P.TM_CAUTION)]


def test_a_card_for_one_part_of_a_tm_task(drafter):
    card = drafter.draft("Install the drain plug")
    assert card.title == "3-15. Drain Plug. b. Install."
    assert [_norm(s.instruction) for s in card.steps] == [" ".join(lines) for _, lines in P.TM_INSTALL]
    assert [s.source_number for s in card.steps] == ["(1)", "(2)", "(3)"]
    # the CAUTION printed before the install steps guards the first of them
    assert [w.level for w in card.steps[0].warnings] == ["caution"]
    assert "strip at more than 12 N·m" in card.steps[0].warnings[0].text
    assert {c.page_label for s in card.steps for c in s.citations} == {"3-30"}


def test_a_card_names_the_equipment_its_manuals_front_page_names(drafter):
    """The task sits under "Section V. MAINTENANCE INSTRUCTIONS" and the PDF's title is a file name:
    the card's equipment is the front page's heading that names a model, without its stock numbers."""
    card = drafter.draft("Remove the hinge assembly from the shelter door")
    assert card.title == f"{P.HINGE_TITLE} a. Remove."
    assert card.equipment == P.FRONT_EQUIPMENT


def test_steps_that_name_callouts_are_not_split_at_them(drafter):
    card = drafter.draft("Remove the drain plug")
    assert card.title == "3-15. Drain Plug. a. Remove."
    # "(2)" after "chain" and "(3)" after "cover" are the figure's callouts, not steps 2 and 3
    assert [_norm(s.instruction) for s in card.steps] == [" ".join(lines) for _, lines in P.TM_REMOVE]


def test_a_list_of_other_tasks_is_no_step_of_the_procedure(drafter):
    """"b. Remove." has three steps; the repair paragraph after them lists other tasks by paragraph
    number ("(1) Door gasket replacement (paragraph 3-18)."). The card is the three steps, titled by the
    task and its part (so it shows the part's figure), not the steps with the list of other tasks."""
    card = drafter.draft("Remove the inner door assembly")
    assert card.title == f"{P.INNER_TITLE} b. Remove."
    assert [_norm(s.instruction) for s in card.steps] == [" ".join(lines) for _, lines in P.INNER_REMOVE]


def test_a_decision_step_keeps_its_question_and_branches_together(pdfs):
    doc = parse(pdfs / "hp3_low_pressure.pdf")
    step2 = [b for b in doc.blocks if b.text.startswith("Step 2.")]
    assert len(step2) == 1 and _norm(step2[0].text) == " ".join(P.TREE_STEPS[1])


def test_a_decision_card_links_its_branches_to_card_steps(drafter):
    card = drafter.draft("Troubleshoot low discharge pressure on the HP-3 booster pump")
    assert [s.source_number for s in card.steps] == ["Step 1.", "Step 2.", "Step 3.", "Step 4."]
    by = {s.number: s for s in card.steps}
    assert [(b.condition, b.target, b.goto) for b in by[1].branches] == [("If blocked", "4", 4), ("If not", "next", 2)]
    assert [(b.condition, b.target, b.goto) for b in by[2].branches] == [("If yes", "4", 4), ("If no", "3", 3)]
    assert [(b.target, b.goto) for b in by[3].branches] == []  # "and go to step 4" has no condition
    assert by[4].branches == []
    # each branch's words are the manual's, from the step's own citation
    quotes = " ".join(c.quote for c in by[2].citations)
    assert all(b.action in _norm(quotes) for b in by[2].branches)


def test_branches_in_chinese_and_jumps_off_the_card():
    got = read_branches("压力是否高于 0.45 MPa？如果是，转到第4步。否则，更换溢流阀。")
    assert [(b.condition, b.action, b.target) for b in got] == [("如果是", "转到第4步", "4"), ("否则", "更换溢流阀", None)]
    # an ordinary condition inside an instruction is not a branch
    assert read_branches("If the seal is damaged, replace it.") == []
    got = read_branches("If damaged, perform steps 8 through 12; if not, go to step f.")
    assert [(b.condition, b.target) for b in got] == [("If damaged", "8"), ("If not", "f")]


def test_an_answer_about_a_decision_step_gives_its_branches(drafter, settings, embedder):
    """Asked about the check that a decision step makes, the extractive answer quotes the question with
    its yes/no branches, never the question alone."""
    from assistant.answer import answer_question

    answer = answer_question("What do I do when the discharge pressure is above 4.5 bar with the outlet valve closed?",
                             drafter.retriever, llm=None)
    assert not answer.refused, answer.answer
    text = _norm(answer.answer)
    assert "Is the discharge pressure above 4.5 bar with the outlet valve closed?" in text
    assert "If yes, go to step 4." in text and "If no, go to step 3." in text
    assert {c.doc for c in answer.citations} == {"hp3_low_pressure.pdf"}


@pytest.mark.parametrize("question", ["What is the remedy when the motor overheats?",
                                      "What do I do when one phase is missing?"])
def test_an_answer_reads_a_row_cut_by_the_page_break_as_one_row(drafter, question):
    """The troubleshooting row "Motor overheats" runs from the foot of page 1 onto page 2: asked by
    either part's words, the answer reads the whole row once, each part quoted from its own page."""
    from assistant.answer import answer_question

    answer = answer_question(question, drafter.retriever, llm=None)
    assert not answer.refused, answer.answer
    text = _norm(answer.answer)
    cause = " ".join(P.BREAK_PAGE1[-1][1] + P.BREAK_PAGE2[0][1])
    remedy = " ".join(P.BREAK_PAGE1[-1][2] + P.BREAK_PAGE2[0][2])
    assert f"Motor overheats: {cause}; {remedy}" in text
    assert text.count("Measure 400 V") == 1
    row = [c for c in answer.citations if c.doc == "hp3_break.pdf"]
    assert {c.page for c in row} == {1, 2}  # a quote per cell, each verbatim on its own page
    assert [_norm(c.quote) for c in row if c.page == 2] == [" ".join(cell) for cell in P.BREAK_PAGE2[0][1:]]


def test_lettered_sub_steps_on_their_own_lines_stay_in_their_procedure(pdfs, drafter):
    doc = parse(pdfs / "gpu_water_pump.pdf")
    items = [_norm(b.text) for b in doc.blocks if b.kind == "list_item"]
    assert items == [f"{m} {t}" for m, t in P.SUB_STEPS]
    card = drafter.draft("Replace the water pump")
    assert card.title == P.SUB_TITLE
    assert [(s.source_number, _norm(s.instruction)) for s in card.steps] == P.SUB_STEPS


def test_a_voice_session_follows_a_decision_steps_yes_and_no(drafter):
    """On a decision step, "yes" and "no" (and 是 / 不是) follow the step's branches; on a step without
    branches "yes" is done (next step) and "no" says the step again."""
    from assistant.voice.intent import parse
    from assistant.voice.pipeline import _navigate
    from assistant.voice.sessions import Session
    from assistant.voice.settings import VoiceSettings

    card = drafter.draft("Troubleshoot low discharge pressure on the HP-3 booster pump")
    vs = VoiceSettings(tts="off")
    session = Session("s1", card=card, step=1)  # step 2: "Is the discharge pressure above 4.5 bar ...?"
    out = _navigate(parse("Yes."), session, "en", vs)
    assert session.step == 3 and out["step"]["source_number"] == "Step 4."  # "If yes, go to step 4."
    session.step = 1
    _navigate(parse("no"), session, "en", vs)
    assert session.step == 2  # "If no, go to step 3."
    session.step = 1
    _navigate(parse("不是"), session, "zh", vs)
    assert session.step == 2
    session.step = 2  # step 3 has no branches: yes is done, no repeats it
    _navigate(parse("yes"), session, "en", vs)
    assert session.step == 3
    _navigate(parse("no"), session, "en", vs)
    assert session.step == 3


def test_a_step_marker_spaced_from_its_parenthesis_opens_a_step():
    """The TM prints "(2 )" with a space inside the parenthesis: each such line is a step of its own
    (a card once read steps (2)-(5) into step 1), shown without its marker."""
    text = ("b . Replace. (Figure 3-22)\n"
            "(1)\u3000Remove and retain hex-head screw (1), lock washer (2), and flat washer (3) from\n"
            "top (upper) hole of keeper assembly (4).\n"
            "(2 )\u3000Remove and retain hex-head screw (5), lock washer (2), and flat washer (3) from\n"
            "bottom (lower) hole of keeper (4) and remove.\n"
            "(3 )\u3000Position laminated shim (7), shim (6), and each keeper (4) in place.")
    chunk = Chunk("k1", "tm-10-5411-205-13.pdf", 58, ("3-20. Keeper Assembly",), 0, len(text), text, "en")
    doc = from_chunks("tm-10-5411-205-13.pdf", "pdf", [chunk])
    steps = [i for i in read_items(doc) if i.kind == "step"]
    assert [s.number for s in steps] == [1, 2, 3]
    assert plain(doc.text[steps[1].start:steps[1].end]).startswith("Remove and retain hex-head screw (5)")


def test_lettered_sub_steps_around_a_note_and_a_page_break_stay_steps_of_their_step():
    """The S-250/G TM's roller-latch adjustment: "(2) ... proceed as follows", "(a) ...", a NOTE, "(b) ...",
    the page break with the task's title repeated, then "(c)" and "(d)". Each lettered line opens a
    sub-step in the run of step (2). The NOTE swallowed "(b)" and "(d)" ran into "(c)" (no marker opened a
    line), and the card drew the next part ("d . Replace.") titled "(d) Repeat this process ..."."""
    from assistant.cards.extract import step_runs

    p51 = ("(2) Seal Pressure Adjustment. To increase the seal pressure on the roller latch\nside of the door, proceed as follows\n"
           "(a) Open the door and remove and retain the hex head screws (5 and 6), flat\nwashers (7), and lock washers (8).\n"
           "NOTE\nIf more than one shim (12) is required, additional shims may be\nadded, up to a maximum thickness of 0.096 inches.\n"
           "(b) Add a 0.032 inch shim between the keeper (9) and the shelter.")
    p52 = ("3-18. Door Gaskets (cont).\n(c) Repeat the seal pressure test of paragraph 3-18.b. If the seal pressure\n"
           "remains insufficient, add another 0.032 inch shim.\n(d) Repeat this process until sufficient seal pressure is developed.\n"
           "d . Replace. (Figure 3-20) To replace the RFI/EMI gasket (13), remove gasket from track.")
    section = ("3-18. Door Gaskets.",)
    chunks = [Chunk("p51", "tm-10-5411-205-13.pdf", 51, section, 0, len(p51), p51, "en"),
              Chunk("p52", "tm-10-5411-205-13.pdf", 52, section, len(p51) + 1, len(p51) + 1 + len(p52), p52, "en")]
    doc = from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks)
    items = read_items(doc)
    runs = [[items[i].label for i in r.steps] for r in step_runs(items)]
    assert ["(2)", "(a)", "(b)", "(c)", "(d)"] in runs, runs
    note = next(i for i in items if i.kind == "warning")
    assert doc.text[note.start:note.end].endswith("0.096 inches."), doc.text[note.start:note.end]


def test_a_warning_set_below_its_label_ends_at_the_next_lettered_step_and_a_wrapped_number_is_no_step():
    """The S-250/G TM's delamination repair (pp. 4-4, 4-5) as the reader gives it: "(a) ... 5 ounces of
    Versamid" wraps "140." onto a line of its own, and the parentheses of "(d)" to "(g)" are drawn, so
    they read "d\\u3000Using ...". "140." opened a step numbered 140, which cut the procedure in two (the card
    began at step (5)); the WARNING above (d) took every later step into its text. Now the procedure is one
    run, (1) to (5) with their lettered sub-steps, the WARNING ends at its own last sentence, and "140."
    stays in step (a)."""
    from assistant.cards.extract import step_runs

    p91 = ("(4) Using the outline of the marked delaminated area, mask off the surrounding\narea with kraft paper. "
           "Mix thoroughly the Epic Resin and Versamid\nmaterial as follows:\n"
           "(a) Mixing by wieght -- Mix 15 ounces Epic R1003 to 5 ounces of Versamid\n140.\n"
           "(b) By volume -- 2 parts of Epic R1003 to 1 part of Versamid 140.")
    p92 = ("4-7. Delamination Repair (cont).\n(5) Utilizing a plastic cartridge containing the mixed adhesive material, use a\n"
           "caulking gun to force mixed adhesive into the clearance holes as follows\n"
           "(a)\u3000Place nozzle of caulking gun in center hole of delaminated area and inject\nadhesive into space.\n"
           "(c)\u3000Seal center hole with masking tape.\nWARNING\n"
           "Alcohol solvents are flammable. Keep away from heat, sparks, and\nopen flame. Keep containers closed when not used. "
           "Use only with\nadequate ventilation. Avoid prolonged breathing of vapors or\nrepeated contact with skin.\n"
           "d\u3000Using a soft cloth lightly coated\u3000with solvent, remove excess adhesive from\nadhesive filled panel surface.\n"
           "e\u3000Cover adhesive filled panel with\u3000a sheet of polyethylene.")
    p92 = p92.replace("(c)", "(b)\u3000When space is filled, remove caulking gun.\n(c)")
    section = ("Section III. MAINTENANCE PROCEDURES", "b . Repair. (Figure 4-1)")
    chunks = [Chunk("p91", "tm-10-5411-205-13.pdf", 91, section, 0, len(p91), p91, "en"),
              Chunk("p92", "tm-10-5411-205-13.pdf", 92, section, len(p91) + 1, len(p91) + 1 + len(p92), p92, "en")]
    doc = from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks)
    items = read_items(doc)
    runs = [[items[i].label for i in r.steps] for r in step_runs(items)]
    assert runs == [["(4)", "(a)", "(b)", "(5)", "(a)", "(b)", "(c)", "d", "e"]], runs
    sub_a = next(i for i in items if i.label == "(a)")
    assert plain(doc.text[sub_a.start:sub_a.end]).endswith("5 ounces of Versamid 140.")
    warning = next(i for i in items if i.kind == "warning")
    assert doc.text[warning.start:warning.end].endswith("repeated contact with skin."), doc.text[warning.start:warning.end]
    d = next(i for i in items if i.label == "d")
    assert plain(doc.text[d.start:d.end]) == ("Using a soft cloth lightly coated with solvent, remove excess adhesive from "
                                               "adhesive filled panel surface.")


def test_a_card_is_titled_by_the_heading_over_its_steps_and_a_subtask_by_its_own_task():
    """Four of the twelve real-manual cards were titled by their first step ("Remove five tapping screws (1)
    mounting trough (2) to outer door (3)."): a step that shares more of the task's words outscored the
    heading "3-12. Trough", and a run alone under "a. Disassembly" had no title but its first step. The
    heading right above a section's first list names it; the first step's words are the title only when
    nothing else names the procedure; and "a. Disassembly", a part of many tasks, is named with the
    task it belongs to (it was named with the manual's first "a. Disassembly", the crankshaft's)."""
    from assistant.cards.select import find_procedure
    from assistant.types import Hit

    chunks, parsed = _tm9_repairs()
    for task, k, title in (("Disassemble the oil pump", 4, "2-27. OIL PUMP REPAIR a. Disassembly"),
                           ("Disassemble the crankshaft", 1, "2-17. CRANKSHAFT REPAIR a. Disassembly"),
                           ("Replace the trough above the outer door", 6, "3-12. Trough")):
        assert find_procedure(task, [Hit(chunks[k], 1.0)], parsed).title == title, task


def _tm9_repairs() -> tuple[list, list]:
    """Three tasks of a TM as the reader gives them: two repairs with an "a. Disassembly" and a
    "b. Assembly" each, and a task whose steps follow its numbered title and a NOTE. (chunks, parsed)."""
    from assistant.cards.select import parse_doc

    parts = [
        (("2-17. CRANKSHAFT REPAIR",), "2-17. CRANKSHAFT REPAIR"),
        (("2-17. CRANKSHAFT REPAIR", "a. Disassembly"), "a. Disassembly\n1. Remove the crankshaft pulley bolt (1).\n"
         "2. Remove the pulley (2) from the crankshaft.\n3. Remove the front cover (3)."),
        (("2-17. CRANKSHAFT REPAIR", "b. Assembly"), "b. Assembly\n1. Install the front cover (3).\n"
         "2. Install the pulley (2) on the crankshaft.\n3. Install the crankshaft pulley bolt (1)."),
        (("2-27. OIL PUMP REPAIR",), "2-27. OIL PUMP REPAIR"),
        (("2-27. OIL PUMP REPAIR", "a. Disassembly"), "a. Disassembly\n1. Remove shaft extension (10) and coupling (9) from pump body (8).\n"
         "2. Remove four capscrews (3) and pump cover (5) from pump body (8).\n3. Mark drive gear (7) and idler gear (6) for assembly and remove."),
        (("2-27. OIL PUMP REPAIR", "b. Assembly"), "b. Assembly\n1. Install drive gear (7) and idler gear (6) in pump body (8).\n"
         "2. Install pump cover (5) with four capscrews (3).\n3. Install coupling (9) and shaft extension (10)."),
        (("3-12. Trough",), "3-12. Trough\nNOTE\nThe trough on the rear panel is replaced the same way.\n"
         "(1) Remove five tapping screws (1) mounting trough (2) to outer door (3).\n(2) Take trough (2) off door (3).\n"
         "(3) Apply sealer to back of trough (2) and position it on the door."),
    ]
    chunks, pos = [], 0
    for k, (section, text) in enumerate(parts):
        chunks.append(Chunk(f"c{k}", "tm-9-2815-237-34.pdf", 90 + k, section, pos, pos + len(text), text, "en"))
        pos += len(text) + 1
    return chunks, [parse_doc(from_chunks("tm-9-2815-237-34.pdf", "pdf", chunks))]


def test_a_card_to_assemble_finds_the_assembly_not_the_disassembly_ranked_above_it():
    """ "Assemble the oil pump" drew the oil pump's disassembly steps when retrieval ranked them first: the
    old stemmer made "assemb" of "Assembly" and "assembl" of "assemble", so the heading "b. Assembly" did
    not name the task. Snowball stems both "assembl" (and "disassembl" stays apart)."""
    from assistant.cards.select import find_procedure
    from assistant.index.lexical import tokenize
    from assistant.types import Hit

    assert tokenize("Assemble")[0] == tokenize("b. Assembly")[-1] != tokenize("a. Disassembly")[-1]
    chunks, parsed = _tm9_repairs()
    best = find_procedure("Assemble the oil pump", [Hit(chunks[4], 1.0), Hit(chunks[5], 0.9)], parsed)
    assert best.title == "2-27. OIL PUMP REPAIR b. Assembly"


def _tm10_door_gaskets() -> tuple[list, list]:
    """TM 10-5411-205-13 pp. 3-34, 3-35 as the reader gives them: "c. Adjust" holds two procedures, each a
    numbered step that introduces its lettered sub-steps; a callout "(2)," wraps onto the start of a line;
    a NOTE stands between (a) and (b). (chunks, parsed)."""
    from assistant.cards.select import parse_doc

    section = ("Section V. MAINTENANCE INSTRUCTIONS", "3-18. Door Gaskets.")
    texts = [
        "3-18. Door Gaskets.\nc .\u3000Adjust. (Figure 3-20) Adjustment to increase the seal pressure on the silicone\nweather\u3000gasket can be made "
        "on the hinged side of the door and on the roller latch side of the\ndoor, as\u3000described in the following paragraphs:\n"
        "(1) Weather Gasket Pressure Adjustment. To increase the weather gasket pressure\non the hinged side of the door, proceed as follows\n"
        "(a) Open the door and remove and retain three bolts (1), six flat washers\n(2), and three self-locking nuts (3) attaching the hinge to the door.\n"
        "(b) Coat each new shim with conductive compound on both sides.\n"
        "(c ) Insert shim (4), approximately 0.032 inches thick and matching the hinge\nbody in size, between the hinge leaf and the door.\n"
        "(d) Secure the hinge leaf to the door using three bolts (1), six flat washers\n(2), and three self-locking nuts (3).\n"
        "(e) Repeat the test procedures of paragraph 3-18.b. and repeat this adjustment\nprocedure as necessary.\n"
        "(f) After completion of adjustment procedure, apply a continuous bead of\nsealer around shim (4) and hinge leaf, and around head of bolts (1).",
        "(2) Seal Pressure Adjustment. To increase the seal pressure on the roller latch\nside of the door, proceed as follows\n"
        "(a) Open the door and remove and retain the hex head screws (5 and 6), flat\nwashers (7), and lock washers (8) from the top and bottom hole attaching\n"
        "the keeper (9) to the wall, and remove keeper and shim (10). Remove\ndetent pin (11) from center keeper.\nNOTE\n"
        "If more than one shim (12) is required, additional shims may be\nadded, up to a maximum thickness of 0.096 inches.\n"
        "If the seals are not tight after the maximum allowable thickness is\nobtained, the seal should be replaced as the material has likely\nbroken down.\n"
        "(b) Add a 0.032 inch shim between the keeper (9) and the shelter.",
        "3-18. Door Gaskets (cont).\n(c) Repeat the seal pressure test of paragraph 3-18.b. If the seal pressure\nremains insufficient, add another 0.032 inch shim.\n"
        "(d) Repeat this process until sufficient seal pressure is developed or until the\nmaximum allowable thickness is obtained.",
    ]
    chunks, pos = [], 0
    for k, text in enumerate(texts):
        chunks.append(Chunk(f"g{k}", "tm-10-5411-205-13.pdf", 51 + k // 2, section, pos, pos + len(text), text, "en"))
        pos += len(text) + 1
    return chunks, [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks))]


def test_each_numbered_step_that_introduces_lettered_steps_is_a_procedure_of_its_own():
    """ "c. Adjust" of the S-250/G TM tells two adjustments, (1) and (2), each a title and "proceed as follows"
    over its lettered steps. The callout "(2)," that wraps onto the start of a line opened a step 2 there: it
    cut the weather gasket card after (a), and the roller latch card began with the line that introduces it.
    Now each adjustment is a card of its own lettered steps, titled by its run-in title, and the wrapped
    callout stays in its sentence; a part that names the task as fully as the whole run is drafted alone, and
    a task the headings over the run name in full ("Adjust the door gaskets") is the whole run."""
    from assistant.cards.assemble import assemble
    from assistant.cards.select import find_procedure
    from assistant.types import Hit

    chunks, parsed = _tm10_door_gaskets()
    weather = assemble(find_procedure("Adjust the weather gasket pressure on the hinged side of the door",
                                      [Hit(chunks[0], 1.0)], parsed), "adjust the weather gasket")
    assert weather.title == "Weather Gasket Pressure Adjustment"
    assert [s.instruction.split()[0] for s in weather.steps] == ["Open", "Coat", "Insert", "Secure", "Repeat", "After"]
    assert "six flat washers (2), and three self-locking nuts (3) attaching the hinge" in weather.steps[0].instruction
    seal = assemble(find_procedure("Adjust the roller latch seal pressure", [Hit(chunks[1], 1.0)], parsed), "adjust the seal")
    assert seal.title == "Seal Pressure Adjustment"
    assert [s.instruction.split()[0] for s in seal.steps] == ["Open", "Add", "Repeat", "Repeat"]
    # ... also where search ranks first the passage that opens "c. Adjust" (whose words name both adjustments):
    # the whole run scores above the part, and the part, which names the task as fully, is the card
    first = find_procedure("Adjust the roller latch seal pressure", [Hit(chunks[0], 1.0), Hit(chunks[1], 0.8)], parsed)
    assert first.title == "Seal Pressure Adjustment" and len(first.runs[0].steps) == 4
    # a task that the headings over the run name in full asks for both adjustments (it was the first alone)
    both = find_procedure("Adjust the door gaskets", [Hit(chunks[0], 1.0), Hit(chunks[1], 0.8)], parsed)
    assert both.title.startswith("3-18. Door Gaskets.") and len(both.runs[0].steps) == 12
    # ... whose card shows each adjustment's title and lead-in above its first step, as no step of its own
    card = assemble(both, "Adjust the door gaskets")
    assert [s.instruction.split()[0] for s in card.steps] == ["Open", "Coat", "Insert", "Secure", "Repeat", "After",
                                                               "Open", "Add", "Repeat", "Repeat"]
    parts = [(s.number, s.part.source_number, s.part.text) for s in card.steps if s.part]
    assert parts == [(1, "(1)", "Weather Gasket Pressure Adjustment. To increase the weather gasket pressure on the hinged side of "
                                "the door, proceed as follows"),
                     (7, "(2)", "Seal Pressure Adjustment. To increase the seal pressure on the roller latch side of the door, "
                                "proceed as follows")]
    assert all(s.part.text.split(".")[0] in " ".join(s.part.citations[0].quote.split()) for s in card.steps if s.part)
    # every face shows the part above the step it opens
    from assistant.cards.export import to_arlem
    from assistant.cards.render import to_html, to_markdown, to_s1000d
    from ui.render import card_html

    for shown in (to_markdown(card), to_html(card), to_s1000d(card), card_html(card)):
        assert shown.index("Seal Pressure Adjustment") < shown.index("Add a 0.032 inch shim") < shown.index("Repeat this process")
        assert shown.index("Weather Gasket Pressure Adjustment") < shown.index("Coat each new shim")
    actions = to_arlem(card)[0]["actions"]
    assert actions[6]["instruction"]["description"].startswith("Seal Pressure Adjustment.")


def test_a_note_between_two_steps_goes_with_the_step_it_speaks_of():
    """A TM sets a NOTE, like a WARNING, before the step it applies to: the shim NOTE between (a) "... remove
    keeper and shim (10)" and (b) "Add a 0.032 inch shim" is about adding shims. It went with (a), since a
    note was taken to explain the step above it. A note goes with the neighbouring step it shares more words
    with; on a tie, a block note (its label on a line of its own) goes with the step below it, a note run in
    after a step's text with the step above."""
    from assistant.cards.assemble import assemble
    from assistant.cards.select import find_procedure, parse_doc
    from assistant.types import Hit

    chunks, parsed = _tm10_door_gaskets()
    seal = assemble(find_procedure("Adjust the roller latch seal pressure", [Hit(chunks[1], 1.0)], parsed), "adjust the seal")
    assert [[w.level for w in s.warnings] for s in seal.steps] == [[], ["note"], [], []]
    assert seal.steps[1].warnings[0].text.startswith("NOTE If more than one shim (12) is required") and seal.steps[1].warnings[0].step == 2

    def note_goes_with(text: str) -> int:
        body = f"1. Open the cover.\n2. Fill the tank with fluid.\n{text}\n3. Close the cover."
        doc = [parse_doc(from_chunks("m.pdf", "pdf", [Chunk("c", "m.pdf", 1, ("Refill",), 0, len(body), body, "en")]))]
        card = assemble(find_procedure("Refill the tank", [Hit(doc[0].doc.chunks[0], 1.0)], doc), "refill")
        return next(s.number for s in card.steps if s.warnings)

    assert note_goes_with("NOTE\nUse only the fluid named on the tank.") == 2  # shares "fluid", "tank"
    assert note_goes_with("NOTE\nThe seal is new each time.") == 3  # a tie: a block note stands before its step
    assert note_goes_with("NOTE: The level shows after a minute.") == 2  # a tie: a note run in explains the step above


def test_a_step_number_the_pdf_gives_with_a_comma_continues_the_numbering():
    """TM 9-2815-237-34's oil pump assembly reads "3, Apply small amount of OE/HDO into pump body (14)." in
    pdfium's text: step 3 was glued to step 2, and the numbering broke, so the card ended at step 2. A
    number and a comma opens a step where it continues the numbering after a finished sentence."""
    from assistant.cards.extract import step_runs

    body = ("1. Install regulator valve (2) and regulator spring (1) in pump cover (5).\n"
            "2. Install drive gear (15) and idler gear (11) into pump body (14) and aline reference marks.\n"
            "3, Apply small amount of OE/HDO into pump body (14).\n4. Install pump cover (5) on pump body (14).\n"
            "Torque values of 3, 5 and 8 lb-in.\n5, 6 and 7 are spares.")
    items = read_items(from_chunks("tm.pdf", "pdf", [Chunk("c", "tm.pdf", 1, ("d. Assembly",), 0, len(body), body, "en")]))
    assert [[items[i].number for i in r.steps] for r in step_runs(items)] == [[1, 2, 3, 4]]


def test_a_tasks_parts_are_named_by_their_run_in_titles_and_its_contents_list_is_no_procedure():
    """TM 10-5411-205-13, 3-18: "This task covers: a. Inspect" over "b. Test", "c . Adjust", "d. Replace" (the
    reader now gives them as lines, no heading), then each part's title run into its text ("b . Test. (Figure
    3-19) Test of the door assembly ..."). The contents lines are no steps (they made a card "Test, Adjust,
    Replace"); a run after a part's run-in title is named by it, with its task ("3-18. Door Gaskets. b . Test."),
    and "the silicone weather gasket (14), proceed as follows", a line that goes on in lower case, is no title."""
    from assistant.cards.select import find_procedure, parse_doc
    from assistant.types import Hit

    section = ("Section V. MAINTENANCE INSTRUCTIONS", "3-18. Door Gaskets.")
    texts = [
        "3-18. Door Gaskets.\nThis task covers: a. Inspect\nb. Test\nc . Adjust\nd. Replace\nINITIAL SETUP\nTools Materials/Parts\n"
        "General Mechanic’s Automotive Tool Kit Silicone Sealer (Item 26, Appendix D)\n"
        "b . Test. (Figure 3-19) Test of the door assembly consists of testing for proper seal\npressure on the silicone weather gasket.\n"
        "(1) Place a single piece of paper between the door gasket and the shelter.\n(2) Close and lock the door.\n(3) Withdraw the paper.",
        "d . Replace. (Figure 3-20) To replace the RFI/EMI gasket (13), remove gasket from\ntrack and clean track of any dirt. "
        "Place new gasket over track and snap in place. To replace\nthe silicone weather gasket (14), proceed as follows\n"
        "(1) Remove gasket (14) and clean track from adhesive residue.\n"
        "(2) Apply sealer in track groove all around door and snap new gasket in place in\ntrack on door.",
    ]
    chunks, pos = [], 0
    for k, text in enumerate(texts):
        chunks.append(Chunk(f"t{k}", "tm-10-5411-205-13.pdf", 50 + k, section, pos, pos + len(text), text, "en"))
        pos += len(text) + 1
    parsed = [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks))]
    doc, items = parsed[0].doc, parsed[0].items
    assert not [doc.text[i.start:i.end] for i in items if i.kind in ("step", "bullet") and not doc.text[i.start:i.end].startswith("(")]
    test = find_procedure("Test the door gasket seal pressure", [Hit(chunks[0], 1.0)], parsed)
    assert test.title == "3-18. Door Gaskets. b . Test." and len(test.runs[0].steps) == 3
    replace = find_procedure("Replace the silicone weather gasket on the door", [Hit(chunks[1], 1.0)], parsed)
    assert replace.title == "3-18. Door Gaskets. d . Replace."
    assert [doc.text[items[i].body:items[i].end].split()[0] for i in replace.runs[0].steps] == ["Remove", "Apply"]


def test_a_card_is_not_drafted_from_the_part_of_a_task_that_works_the_other_way():
    """ "Disassemble the outer door assembly": in a library that holds of the S-250/G TM's task 3-17 only "a .
    Install." with its steps, the only procedure there put the door on, and the card drafted it (or, before,
    the task's contents list "b. Remove / c. Repair / d. Install"). A part
    whose own word goes the other way (install for a task to remove or take apart, disassembly for one to
    assemble) is no card for the task; with nothing else, the task is refused. The same part serves the
    task that goes its way."""
    from assistant.cards.select import find_procedure, parse_doc
    from assistant.types import Hit

    parts = [(("3-17. Outer Door Assembly.",), "3-17. Outer Door Assembly.\nThis task covers: a. Install"),
             (("3-17. Outer Door Assembly.", "a . Install. (Figure 3-18)"), "a . Install. (Figure 3-18)\n"
              "(1) Coat both sides of each hinge spacer (7) with conductive compound.\n"
              "(2) Position each spacer (7) and outer door assembly (6) in place and secure each hinge.\n"
              "(3) Apply a continuous bead of sealer around spacer (7) and hinge bracket.")]
    chunks, pos = [], 0
    for k, (section, text) in enumerate(parts):
        chunks.append(Chunk(f"d{k}", "tm-10-5411-205-13.pdf", 48, section, pos, pos + len(text), text, "en"))
        pos += len(text) + 1
    parsed = [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks))]
    hits = [Hit(chunks[1], 1.0), Hit(chunks[0], 0.9)]
    assert find_procedure("Install the outer door assembly", hits, parsed).title == "3-17. Outer Door Assembly. a . Install."
    assert find_procedure("Disassemble the outer door assembly", hits, parsed) is None
    assert find_procedure("Remove the outer door", hits, parsed) is None


def test_steps_run_into_a_parts_title_after_its_figure_and_a_callout_wrapped_in_lower_case_are_read_as_printed():
    """TM 10-5411-205-13, 3-17: the removal is printed as one line, "b . Remove. (Figure 3-18) (1) Remove ...
    (2) Remove ... (3) Remove ...". Its "(1)" follows the figure reference, not the end of a sentence, so it
    was taken for a callout, the steps were not split, and "Remove the outer door" was refused. In the
    install, "... secure to outer door panel" / "(6) with three phillips head screws (1)." opened a step 6
    (the callout of the screws' panel wrapped onto the line): the card's step 3 ended at "panel" and a step
    "with three phillips head screws (1)." followed; the manual skips (4), so its last step "(5) Apply ..."
    was left off. Now the removal is three steps, the wrapped callout stays in step 3, in the card and in
    the reader's blocks, and the step after the skipped number is the install's fourth. The inspection,
    now steps too, is no card for a task to take the door apart."""
    from assistant.cards.select import find_procedure, parse_doc
    from assistant.ingest.lines import Line, build_blocks
    from assistant.types import Hit

    inspect = ("a .\tInspect. (Figure 3-18) (1) Inspect the\u3000outer door assembly (6) for external damage.\u3000(2) Inspect the"
               "\u3000silicone weather\u3000gasket\u3000(8) for tightness.")
    remove = (inspect + "\nb .\tRemove. (Figure\u30003-18)\u3000(1) Remove and retain three phillips head screws (1) attaching door "
              "stay channel (2) to door panel, and pull channel away from door panel. (2) Remove and retain four nuts (3), "
              "lock washers (4), and hex head screws (5) attaching each of the three hinges to shelter. (3) Remove outer "
              "door panel (6) and three hinge spacers (7).\nc . Repair. Outer door assembly repair consists of the following")
    install = ("a . Install. (Figure 3-18)\n(1)\u3000Coat both sides of each hinge spacer (7) with conductive compound.\n"
               "(2)\u3000Position each spacer (7) and outer door assembly (6) in place and secure each\nhinge to shelter.\n"
               "(3)\u3000Position door stay assembly channel (2) in place and secure to outer door panel\n"
               "(6) with three phillips head screws (1).\n"
               "(5)\u3000Apply a continuous bead of sealer around spacer (7) and hinge bracket.")
    section = ("Section V. MAINTENANCE INSTRUCTIONS", "3-17. Outer Door Assembly.")
    chunks, pos = [], 0
    for k, text in enumerate([remove, install]):
        chunks.append(Chunk(f"o{k}", "tm-10-5411-205-13.pdf", 48 + k, section, pos, pos + len(text), text, "en"))
        pos += len(text) + 1
    parsed = [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", chunks))]
    doc, items = parsed[0].doc, parsed[0].items
    hits = [Hit(chunks[0], 1.0), Hit(chunks[1], 0.9)]
    removal = find_procedure("Remove the outer door", hits, parsed)
    steps = [_norm(doc.text[items[i].body:items[i].end]) for i in removal.runs[0].steps]
    assert [s.split(" (")[0] for s in steps] == ["Remove and retain three phillips head screws",
                                                 "Remove and retain four nuts", "Remove outer door panel"]
    inspection = find_procedure("Inspect the outer door assembly", hits, parsed)
    assert [doc.text[items[i].body:items[i].end].split()[0] for i in inspection.runs[0].steps] == ["Inspect", "Inspect"]
    # a part that does other work than the task's (an inspection, for a task to take the door apart) is no card for it
    alone = Chunk("i", "tm-10-5411-205-13.pdf", 48, section, 0, len(inspect), inspect, "en")
    only = [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", [alone]))]
    assert find_procedure("Inspect the outer door assembly", [Hit(alone, 1.0)], only) is not None
    assert find_procedure("Disassemble the outer door assembly", [Hit(alone, 1.0)], only) is None
    fitting = find_procedure("Install the outer door assembly", hits, parsed)
    steps = [_norm(plain(doc.text[items[i].body:items[i].end])) for i in fitting.runs[0].steps]
    assert len(steps) == 4 and steps[2].endswith("outer door panel (6) with three phillips head screws (1).")
    assert steps[3].startswith("Apply a continuous bead of sealer")
    lines = install.split("\n")
    starts = [sum(len(x) + 1 for x in lines[:k]) for k in range(len(lines))]
    blocks = build_blocks(49, install, [Line(a, a + len(x)) for a, x in zip(starts, lines)])
    steps = [b.text for b in blocks if b.kind == "list_item" and b.text.startswith("(")]
    assert [b[:3] for b in steps] == ["(1)", "(2)", "(3)", "(5)"] and steps[2].endswith("(6) with three phillips head screws (1).")



def test_a_lettered_part_titled_in_capitals_names_the_steps_below_it():
    """TM 10-5411-205-13, 3-5 sets each truck's tiedown as a lettered part titled in capitals: "e . Securing
    Shelter on 1-1/4-Ton (M1028) Truck." over "(1) Fabricate ..." to "(5) Tighten all turnbuckles ...". The
    title line read as a bullet, so the run had no title, and "Secure the shelter on the M1028 truck"
    drafted an unrelated checklist. A lettered line titled in capitals right above a step 1 (or the
    warning before it) is the title of the steps below it; a lettered instruction is not."""
    from assistant.cards.select import find_procedure, parse_doc
    from assistant.types import Hit

    text = ("(8) Tighten all turnbuckles evenly by hand. Then turn each turnbuckle an additional one-half turn.\n"
            "(9) Raise and secure truck tailgate.\n"
            "e . Securing Shelter on 1-1/4-Ton (M1028) Truck.\n"
            "(1) Fabricate a wooden dunnage and install wooden dunnage and tiedown provisions\nin truck as described in TM 9-2320-289.\n"
            "(2) Unhook four cable assemblies from sling ring assembly.\n"
            "(3) Attach each cable hook from turnbuckle end to each lifting ring of shelter.\n"
            "CAUTION\nDo not overtighten turnbuckles.\n"
            "(4) Tighten all turnbuckles evenly by hand. Then turn each turnbuckle an additional one-half turn.\n"
            "f . Securing Shelter on M1037 Shelter Carrier.\n"
            "(1)\u3000To install shelter support provisions on truck bed refer to TM 9-2320-280.\n"
            "(2)\u3000Lower truck tailgate and place in loading position.\n"
            "g. Make sure the drain plug is removed.\n(1) Check the plug.")
    chunk = Chunk("s", "tm-10-5411-205-13.pdf", 22, ("Section III. SERVICE UPON RECEIPT",), 0, len(text), text, "en")
    parsed = [parse_doc(from_chunks("tm-10-5411-205-13.pdf", "pdf", [chunk]))]
    doc, items = parsed[0].doc, parsed[0].items
    kinds = {doc.text[i.start:i.end][:3]: i.kind for i in items if doc.text[i.start:i.end][:1] in "efg"}
    assert kinds == {"e .": "title", "f .": "title", "g. ": "bullet"}, kinds
    card = find_procedure("Secure the shelter on the M1028 truck", [Hit(chunk, 1.0)], parsed)
    assert card.title == "e . Securing Shelter on 1-1/4-Ton (M1028) Truck."
    assert [doc.text[items[i].body:items[i].end].split()[0] for i in card.runs[0].steps] == ["Fabricate", "Unhook", "Attach", "Tighten"]
