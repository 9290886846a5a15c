"""What a model's sentence is checked against, on passages written the way Army TMs print them: a
step under its item's title, a torque in lb-ft and N•m, a torque table's rows under their column
names, a misread copy of a value. Real verification and fallback code on hand-made passages (no model:
each reply is the one a 0.5B model gave, or would give, on the real manuals)."""
from __future__ import annotations

from assistant.answer import extract, reply
from assistant.answer.claims import Verifier, split_claims
from assistant.answer.draft import Claim, Draft, Dropped
from assistant.answer.evidence import question_terms
from assistant.plaintext import plain
from assistant.types import Chunk, Hit

DAMPER = ("z. Torsional Damper\n"
          "2. Apply lubricating oil to seal surface (11) on torsional damper (8).\n"
          "3. Install torsional damper (8) on crankshaft (10) far enough to install washer (7) and capscrew (6).\n"
          "4. Hold flywheel stationary with pry bar and tighten capscrew (6) to 140-162 lb-ft (190-220 N•m).")


class Scripted:
    """A model that gives one reply, whatever it is asked."""

    name = "scripted"

    def __init__(self, reply: str):
        self.reply = reply

    def chat(self, messages, max_tokens=256):
        return self.reply

    def stream(self, messages, max_tokens=256):
        yield self.reply


def _chunk(text: str, section: tuple[str, ...], labelled: str = "") -> Chunk:
    return Chunk("c1", "tm-9-2815-237-34.pdf", 233, section, 0, len(text), text, "en", labelled=labelled)


def test_a_step_is_read_under_its_items_title_and_a_torque_in_lb_ft_is_a_torque():
    """The model restates the question's subject, which only the item's title names ("z. Torsional
    Damper" over step 4), and gives the torque in lb-ft and N•m: shown as the model wrote it, not
    replaced by the step (whose step number and callouts are no values the sentence left out)."""
    q = "What torque goes on the torsional damper capscrew?"
    hits = [Hit(_chunk(DAMPER, ("2-41. ENGINE ASSEMBLY FROM SUBASSEMBLIES (Cont'd)",)), 0.8)]
    terms = question_terms(q)
    items = reply.evidence(q, terms, extract.select(q, terms, hits))
    k = next(i for i, e in enumerate(items) if "140-162" in e.hit.chunk.text)
    assert items[k].hit.chunk.section[-1] == "Torsional Damper"
    assert "Torsional Damper" in reply.render_passages([e.hit for e in items])
    said = "The torque on the torsional damper capscrew is 140-162 lb-ft (190-220 N•m)."
    model = reply.draft(q, [e.hit for e in items], Scripted(f"{said[:-1]} [{k + 1}]."))
    assert [c.text for c in model.claims] == [said], model.dropped
    shown = reply.with_fallback(model, items)
    assert [c.text for c in shown.claims] == [said]


def test_a_table_value_is_shown_only_with_the_row_it_is_of():
    """A torque table's cell means nothing without its row: the model's "128.82" (the 5/8-18 screw's
    torque, for a question about 5/8-11) is dropped; the row named, with the column's words, passes."""
    rows = "5/8\t11\t150\t203.40\t210\t284.76\n5/8\t18\t95\t128.82\t240\t325.44"
    labelled = ("Table F-1. Torque Limits for Dry Fasteners\n"
                "SIZE || THREADS PER INCH || SAE GRADE 5 POUND FEET || SAE GRADE 5 NEWTON METERS || "
                "SAE GRADE 8 POUND FEET || SAE GRADE 8 NEWTON METERS\n"
                "5/8 | 11 | 150 | 203.40 | 210 | 284.76\n5/8 | 18 | 95 | 128.82 | 240 | 325.44")
    hits = [Hit(_chunk(rows, ("APPENDIX F. TORQUE LIMITS",), labelled), 0.7)]
    v = Verifier(hits, question="No torque is given for a 5/8-11 grade 8 capscrew, installed dry. What torque do I use?")
    assert v.feed("The correct torque is 128.82 newton meters.", [1]) == []
    assert [d.text for d in v.dropped] == ["The correct torque is 128.82 newton meters."]
    right = v.feed("A dry 5/8-11 grade 8 capscrew takes 210 pound feet (284.76 newton meters).", [1])
    assert [c.text for c in right] == ["A dry 5/8-11 grade 8 capscrew takes 210 pound feet (284.76 newton meters)."]
    assert hits[0].chunk.text[right[0].start:right[0].end].startswith("5/8\t11\t")


def test_a_misread_copy_of_a_value_brings_the_manuals_clean_one():
    """Two evidence items give the same torque, one as printed ("60 ft-lb"), one misread ("60 R-lb"):
    a model sentence quoting the misread one keeps its place, and the clean item is added, since its
    value with its unit is not in the answer; a sentence that left out nothing adds nothing."""
    texts = ["Tighten capscrews to 60 ft-lb (81 n-m).", "(9) Tighten capscrews to 60 R-lb (81 n-m)."]
    hits = [Hit(_chunk(t, ("f. Securing Shelter on M1037 Shelter Carrier",)), 0.6) for t in texts]
    items = [reply.Evidence(h, h.chunk.text, True) for h in hits]
    misread = Claim("Tighten capscrews to 60 R-lb (81 n-m).", 1, 4, len(texts[1]), 1.0)
    shown = reply.with_fallback(Draft("llm", (misread,), tuple(hits)), items)
    assert [c.text for c in shown.claims] == [misread.text, texts[0]]
    clean = Claim("Tighten capscrews to 60 ft-lb (81 n-m).", 0, 0, len(texts[0]), 1.0)
    shown = reply.with_fallback(Draft("llm", (clean,), tuple(hits), (Dropped("x", "y"),)), items[:1])
    assert [c.text for c in shown.claims] == [clean.text]


def test_talk_about_the_passages_is_cut_from_a_sentence():
    said = split_claims("Based on the information provided in the passages, the piston clearance for cylinders 7 "
                        "and 8 is 0.004-0.005 in. [1]")
    assert said == [("The piston clearance for cylinders 7 and 8 is 0.004-0.005 in.", [1])]


def test_a_fence_names_the_document_and_the_nearest_headings_only():
    """Every token of the prompt is read before the answer's first word: the fence gives what the model
    uses (the document, the two nearest headings), not the page or the manual's whole heading trail."""
    trail = ("DIRECT SUPPORT AND GENERAL SUPPORT MAINTENANCE", "Section IV. GENERAL MAINTENANCE INSTRUCTIONS",
             "2-41. ENGINE ASSEMBLY FROM SUBASSEMBLIES", "z. Torsional Damper")
    fence = reply.render_passages([Hit(_chunk("4. Hold flywheel stationary.", trail), 0.5)]).splitlines()[0]
    assert fence == ('<passage id="1" doc="tm-9-2815-237-34.pdf" '
                     'section="2-41. ENGINE ASSEMBLY FROM SUBASSEMBLIES > z. Torsional Damper">')


BEARINGS = ("(1) Bearings require special cleaning. After removing surface oil and gum deposits, place bearings in\n"
            "hot oil, 140°F (60•C), to loosen congealed oil and grease. Wipe bearings dry with a Iint-free cloth; "
            "do not use compressed air.")


def test_a_step_told_in_several_sentences_keeps_its_polarity_and_its_degrees():
    """The model tells a cleaning step (printed with its degree sign as a bullet, "60•C", and a
    negation in its last clause) in three sentences: a sentence about another clause than the
    negated one passes, and reads "60°C"; together they hold the step's values, so they are shown
    as written, not replaced by the step. A sentence turning the negation round is dropped."""
    q = "How should bearings be cleaned and dried?"
    hits = [Hit(_chunk(BEARINGS, ("2-9. CLEANING", "c. Bearings")), 0.6)]
    v = Verifier(hits, question=q)
    said = ["Remove surface oil and gum deposits.", "Place bearings in hot oil, 140°F (60•C), to loosen congealed oil and grease.",
            "Wipe bearings dry with a lint-free cloth; do not use compressed air."]
    for text, cited in split_claims(" ".join(f"{t[:-1]} [1]." for t in said)):  # as the model's reply is read
        v.feed(text, cited)
    assert [c.text for c in v.claims] == [said[0], said[1].replace("60•C", "60°C"), said[2]], v.dropped
    assert v.feed("Dry the bearings with compressed air.", [1]) == []
    assert "negation" in v.dropped[-1].reason
    items = [reply.Evidence(hits[0], BEARINGS, True)]
    shown = reply.with_fallback(Draft("llm", tuple(v.claims), tuple(hits)), items)
    assert [c.text for c in shown.claims] == [c.text for c in v.claims]
    alone = reply.with_fallback(Draft("llm", tuple(v.claims[:1]), tuple(hits)), items)  # the values left out
    assert [c.text for c in alone.claims] == [plain(BEARINGS)]
    assert "140°F (60°C)" in alone.claims[0].text and "60•C" in hits[0].chunk.text  # the quote keeps the print


def _rows(malfunction: str, rows: list[tuple[str, str]], cid: str) -> Hit:
    """A troubleshooting table's rows of one malfunction, as the TM's table reader gives them."""
    text = "\n".join(f"{test}\t{action}" for test, action in rows)
    labelled = "\n".join([f"Table 3-1. Troubleshooting. > MALFUNCTION: {malfunction}", "TEST OR INSPECTION || CORRECTIVE ACTION"]
                         + [f"{test} | CORRECTIVE ACTION: {action}" for test, action in rows])
    chunk = Chunk(cid, "tm-10-5411-205-13.pdf", 37, ("Section IV. TROUBLESHOOTING",), 0, len(text), text, "en", labelled=labelled)
    return Hit(chunk, 0.6)


def test_a_troubleshooting_answer_keeps_to_the_malfunction_asked_about():
    """"The door handle is jammed. What is the first check and corrective action?": the rows of the
    jammed-handle malfunction answer; the detent pin steps of the door that does not stay open (a
    malfunction of its own, which also names a door and a check) are neither quoted nor shown to the
    model, which once wrote them as the answer."""
    open_ = _rows("2. OUTER DOOR OR INNER DOOR DOES NOT STAY OPEN",
                  [("Step 1. Check to see if detent pin is installed in door stay channel.", "Install detent pin in channel."),
                   ("Step 2. Check to see if detent pin is missing.", "Install detent pin on door (paragraph 3-32.f).")], "c2")
    jammed = _rows("3. DOOR HANDLE IS JAMMED OR DOES NOT OPERATE SMOOTHLY",
                   [("Step 1. Inspect components for adequate lubrication.", "Lubricate as required (paragraph 3-1)."),
                    ("Step 2. Inspect door handle and latching mechanism for damage.", "Repair or replace components (paragraph 3-19).")], "c3")
    q = "The door handle is jammed. What is the first troubleshooting check and corrective action?"
    terms = question_terms(q)
    sel = extract.select(q, terms, [open_, jammed])
    quoted = " ".join(u.text for u in sel.units)
    assert "lubrication" in quoted and "detent" not in quoted
    items = reply.evidence(q, terms, sel)
    assert items and not any("detent" in e.hit.chunk.text for e in items)
    # ... and what the model then wrote: "the first check" is what "Step 1." says, so the sentence
    # naming the step passes; the one giving the row's action without naming its step does not
    k = next(i for i, e in enumerate(items, 1) if "lubrication" in e.hit.chunk.text)
    said = ["The first troubleshooting check is to inspect components for adequate lubrication.",
            "The corrective action is to lubricate as required (paragraph 3-1)."]
    model = reply.draft(q, [e.hit for e in items], Scripted(" ".join(f"{t[:-1]} [{k}]." for t in said)))
    assert [c.text for c in model.claims] == said[:1], model.dropped
    assert [d.text for d in model.dropped] == said[1:]


def test_the_other_part_of_a_two_part_question_may_sit_under_another_group():
    """A specification table's groups are parts ("Piston Pin", "Crankshaft"): the row asked for second
    names more of the question than the first row's group does, so it answers, under its own group."""
    def group(name: str, rows: list[str], cid: str) -> Hit:
        text = "\n".join(rows)
        labelled = "\n".join([f"Table 2-2. General Repair Standards (6.2L) > {name}", "STANDARD || METRIC"]
                             + [r.replace("\t", " | ") for r in rows])
        return Hit(Chunk(cid, "tm-9-2815-237-34.pdf", 238, ("2-45. REPAIR AND REPLACEMENT STANDARDS",), 0, len(text), text, "en",
                         labelled=labelled), 0.6)
    pin = group("Piston Pin", ["Diameter\t1.2203-1.2206 in.\t30.9956-31.0032 mm", "Fit in Rod\t0.0003-0.0010 in.\t0.0076-0.025 mm"], "p")
    crank = group("Crankshaft", ["Main Bearing Clearance – # 1,2,3,4,5\t0.002-0.004 in.\t0.051-0.102 mm",
                                 "Crankshaft End Play\t0.004-0.010 in.\t0.10-0.25 mm"], "k")
    q = "On the 6.2L, what are the piston pin diameter and the main bearing clearance?"
    quoted = " ".join(u.text for u in extract.select(q, question_terms(q), [pin, crank]).units)
    assert "1.2203-1.2206" in quoted and "0.002-0.004" in quoted and "End Play" not in quoted


def test_a_specification_lines_value_stays_with_its_label():
    """A specification list leads each label to its value with dots ("Firing order . . . . 1-8-7-...");
    the line is one unit (the dots are no full stops), shown as "label: value", quoted as printed."""
    specs = ("Cylinders:\nArrangement . . . . . . . . . . . . . . . . 90° V\n"
             "Firing order . . . . . . . . . . . . . . 1-8-7-2-6-5-4-3 (clockwise)\n"
             "Bore . . . . . . . . . . . . . . . . . . . 3.98 in.\t10.1 cm")
    hit = Hit(_chunk(specs, ("1-10. DESCRIPTION", "Engine Specifications")), 0.5)
    q = "What is the firing order?"
    d = extract.draft(q, question_terms(q), [hit])
    assert [c.text for c in d.claims] == ["Firing order: 1-8-7-2-6-5-4-3 (clockwise)"]
    assert specs[d.claims[0].start:d.claims[0].end] == "Firing order . . . . . . . . . . . . . . 1-8-7-2-6-5-4-3 (clockwise)"
    said = split_claims("The firing order is . . . . . . 1-8-7-2-6-5-4-3 (clockwise) [1].")
    assert said == [("The firing order is: 1-8-7-2-6-5-4-3 (clockwise).", [1])]



def test_the_other_part_of_a_two_part_question_is_read_from_the_lower_hits():
    """"The number 5 camshaft journal diameter and the connecting rod side clearance": the camshaft's
    rows fill the first hits and the rod's row is the sixth. The search returned it, so the answer
    reads it: the two values a technician asked for, each quoted, both shown to the model; a question
    asking one thing does not reach that far."""
    def rows(group: str, lines: list[str], cid: str, score: float) -> Hit:
        text = "\n".join(lines)
        labelled = "\n".join([f"Table 2-3. General Repair Standards (6.5L) > {group}", "STANDARD || METRIC"]
                             + [r.replace("\t", " | ") for r in lines])
        return Hit(Chunk(cid, "tm-9-2815-237-34.pdf", 240, ("2-45. REPAIR AND REPLACEMENT STANDARDS (Cont'd)",), 0, len(text), text,
                         "en", labelled=labelled), score)
    cam = rows("Camshaft", ["Journal Diameter - # 1,2,3,4\t2.164-2.166 in.\t54.965-55.016 mm",
                            "Journal Diameter - # 5\t2.007-2.009 in.\t50.978-51.029 mm",
                            "Journal Clearance\t0.001-0.004 in.\t0.025-0.102 mm"], "cam", 0.6)
    lift = rows("Camshaft", ["Lift: Intake\t0.281±0.002 in.\t7.137±0.05 mm", "Lift: Exhaust\t0.281±.002 in.\t7.137±0.05 mm"], "lift", 0.5)
    pin = rows("Piston Pin", ["Diameter\t1.2203-1.2206 in.\t30.9956-31.0032 mm", "Fit in Rod\t0.0003-0.0010 in.\t0.0076-0.025 mm"], "pin", 0.45)
    bore = rows("Cylinder Bore", ["Diameter\t3.978-3.981 in.\t101.041-101.12 mm", "Out of Round\t0.0008 in.\t0.0203 mm max."], "bore", 0.44)
    crank = rows("Crankshaft", ["Main Journal Diameter – # 5\t2.949-2.950 in.\t74.905-74.930 mm"], "crank", 0.43)
    rod = rows("Connecting Rod", ["Rod Side Clearance\t0.007-0.025 in.\t0.178-0.635 mm", "Rod Bearing Clearance\t0.0017-0.0039 in.\t0.044-0.099 mm"],
               "rod", 0.42)
    hits = [cam, lift, pin, bore, crank, rod]
    q = "For the 6.5L, give the number 5 camshaft journal diameter and the connecting rod side clearance."
    terms = question_terms(q)
    sel = extract.select(q, terms, hits)
    quoted = [u.text for u in sel.units]
    assert any("2.007-2.009" in t for t in quoted) and any("0.007-0.025" in t for t in quoted), quoted
    assert not any("0.0017-0.0039" in t for t in quoted)  # the rod's other row is not the one asked for
    items = reply.evidence(q, terms, sel)
    assert any("0.007-0.025" in e.hit.chunk.text and e.selected for e in items)
    assert extract.select(q, terms, hits[:4]).units  # ... and without the sixth hit the first part still answers
    one = "For the 6.5L, give the number 5 camshaft journal diameter."
    assert not any("0.007-0.025" in u.text for u in extract.select(one, question_terms(one), hits).units)


def test_a_sentence_restating_the_manuals_machine_cites_the_title_that_names_it():
    """The model restates the machine the question names ("on the HP-3"), which the technical data
    row does not print but the manual's title over it does: the sentence passes, quoting the row and
    the title line. A machine the title does not name, or a value the row does not hold, still fails."""
    row = Chunk("t1", "hp3_pump_manual.pdf", 2, ("HP-3 Hydraulic Power Unit — Maintenance Manual", "2 Specifications",
                                                  "Table 1 – Technical data"), 0, 34, "Filter housing cover torque\t25 N·m", "en")
    title = "HP-3 Hydraulic Power Unit — Maintenance Manual"
    page1 = Chunk("t0", "hp3_pump_manual.pdf", 1, (title,), 0, 80, f"{title}\nDocument HP3-MM-01 · Revision C", "en")

    def printed(chunk: Chunk, heading: str) -> Hit | None:
        if heading not in page1.text:
            return None
        s = page1.text.index(heading)
        return Hit(Chunk("t0", page1.doc, 1, (), s, s + len(heading), heading, "en"), 0.0)

    q = "What torque for the filter housing cover on the HP-3?"
    said = "The torque for the filter housing cover on the HP-3 is 25 N·m."
    v = Verifier([Hit(row, 0.6)], question=q, printed=printed)
    got = v.feed(said, [1])
    assert [c.text for c in got] == [said, said] and {v.hits[c.hit].chunk.page for c in got} == {1, 2}, v.dropped
    assert v.hits[got[1].hit].chunk.text == title
    for wrong in ("The torque for the filter housing cover on the HP-4 is 25 N·m.",  # not the manual's machine
                  "The torque for the filter housing cover on the HP-3 is 35 N·m."):  # not the row's value
        v = Verifier([Hit(row, 0.6)], question=q, printed=printed)
        assert v.feed(wrong, [1]) == [] and len(v.hits) == 1, wrong
    v = Verifier([Hit(row, 0.6)], question=q)  # no way to find the title: as before
    assert v.feed(said, [1]) == []


def test_the_model_answer_on_the_sample_library_cites_the_manuals_title_page(retriever):
    """The same on the bundled library, as the demo asks it: the title line is found in the library
    (the manual's first page) and cited beside the technical data row."""
    from assistant.answer.pipeline import answer_question

    a = answer_question("What torque for the filter housing cover on the HP-3?", retriever,
                        Scripted("The torque for the filter housing cover on the HP-3 is 25 N·m [1]."))
    assert a.mode == "llm" and a.answer == "The torque for the filter housing cover on the HP-3 is 25 N·m.", (a.answer, a.dropped)
    pages = {(c.doc, c.page, c.quote) for c in a.citations}
    assert ("hp3_pump_manual.pdf", 1, "HP-3 Hydraulic Power Unit — Maintenance Manual") in pages
    assert any("25 N·m" in c.quote for c in a.citations)


def test_a_sentence_under_a_caption_that_leaves_out_a_value_gives_way_to_its_row():
    """"The cylinder bore diameter for the 6.5L engine is 3.978-3.981 in." passes with the caption
    "Table 2-3. General Repair Standards (6.5L)." (the row does not say 6.5L), but leaves out the row's
    metric value: the row is shown instead, once, and the caption's quote goes with the sentence."""
    caption = "Table 2-3. General Repair Standards (6.5L)."
    text = "Diameter\t3.978-3.981 in.\t101.041-101.12 mm"
    labelled = f"{caption} > Cylinder Bore\nSTANDARD || METRIC\nDiameter | 3.978-3.981 in. | 101.041-101.12 mm"
    row = Chunk("r1", "tm-9-2815-237-34.pdf", 239, ("2-45. REPAIR AND REPLACEMENT STANDARDS (Cont'd)",), 0, len(text), text, "en",
                labelled=labelled)

    def printed(chunk: Chunk, heading: str) -> Hit | None:
        return Hit(Chunk("r0", chunk.doc, 239, (), 0, len(caption), caption, "en"), 0.0) if heading == caption else None

    q = "What is the cylinder bore diameter for the 6.5L engine?"
    said = "The cylinder bore diameter for the 6.5L engine is 3.978-3.981 in."
    items = [reply.Evidence(Hit(row, 0.6), text, True)]
    v = Verifier([e.hit for e in items], question=q, printed=printed)
    assert len(v.feed(said, [])) == 2  # no marker: the row is found as verify_claim finds it
    model = Draft("llm", tuple(v.claims), tuple(v.hits), ())
    shown = reply.with_fallback(model, items)
    assert [c.text for c in shown.claims] == [plain(text)] and shown.claims[0].hit == 0


def test_a_title_vouches_for_a_name_not_for_a_bare_number():
    """A troubleshooting row under "Table 3-1. Troubleshooting.": the model's "In step 1, ..." of the
    second step's row is dropped, though the caption holds a "1"; only a model name or code the
    passage lacks ("HP-3", "6.5L") can be vouched for by a title that names it."""
    caption = "Table 3-1. Troubleshooting."
    text = "Step 2. Check to see that all exterior wall and ceiling patches are firmly mounted and bonded.\tRepair as required."
    labelled = f"{caption} > MALFUNCTION: 6. THERE IS EVIDENCE OF INTERFERENCE.\nTEST OR INSPECTION || CORRECTIVE ACTION\n" + text.replace("\t", " | ")
    row = Chunk("s2", "tm-10-5411-205-13.pdf", 38, ("Section IV. TROUBLESHOOTING",), 0, len(text), text, "en", labelled=labelled)
    asked = []

    def printed(chunk: Chunk, heading: str) -> Hit | None:
        asked.append(heading)
        return Hit(Chunk("s0", chunk.doc, 37, (), 0, len(heading), heading, "en"), 0.0)

    v = Verifier([Hit(row, 0.6)], question="What do I check in step 1?", printed=printed)
    assert v.feed("In step 1, I check to see that all exterior wall and ceiling patches are firmly mounted and bonded.", [1]) == []
    assert asked == [] and len(v.hits) == 1
