"""Grounded answers on the sample library: extractive answers quote the manuals verbatim, numbers
come from the quotes, uncovered questions are refused with the closest sources, lock-out steps
come with the procedure, and a document that gives orders changes nothing."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import Answer, answer_question, quote_pieces, stream_answer
from assistant.answer.claims import split_claims, verify_claim
from assistant.answer.extract import passage_units, units
from assistant.answer.verify import is_verbatim, unsupported_numbers
from assistant.enclosing import unit_passages

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CONTRACT = {"id", "answer", "citations", "refused", "warnings", "ms"}


def _chunk_texts(library) -> dict[str, str]:
    return {r[0]: r[1] for r in library.store.db.execute("SELECT id, text FROM chunks")}


def _check_grounded(a: Answer, library) -> None:
    texts = _chunk_texts(library)
    assert a.citations, "an answer without a citation"
    for c in a.citations:
        assert is_verbatim(c.quote, texts[c.chunk_id]), c.quote
    assert not unsupported_numbers(a.answer, [c.quote for c in a.citations])


def _selected(question: str, hits, idf=None) -> str:
    """What the extractive answer quotes for the question from these hits, joined (`idf`: the terms'
    weights, as a library gives them; equal weights without)."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select

    sel = select(question, question_terms(question, idf), hits)
    return " ".join(sel.passages[u.hit].chunk.text[u.start:u.end] for u in sel.units)


@pytest.mark.parametrize("question, expect", [
    ("What torque for the filter housing cover on HP-3?", "25 N·m"),
    ("What is the part number of the return filter element?", "HF-220-10"),
    ("What is the drain plug torque of the conveyor gearbox?", "45 N·m"),
    ("滤壳盖的拧紧力矩是多少？", "25 N·m"),
    # a quantity, not the work instruction's opening line with its date, revision and gear ratio
    ("How much oil does the CV-7 gearbox take?", "12 L"),
])
def test_extractive_answer_quotes_the_value(question, expect, retriever, sample_library):
    a = answer_question(question, retriever)
    assert not a.refused and a.mode == "extractive"
    assert expect in a.answer
    assert any(expect in c.quote for c in a.citations)  # the number is verbatim in a cited quote
    _check_grounded(a, sample_library)
    assert len(a.answer) < 600  # the best sentences, not whole chunks


def test_chinese_question_is_answered_from_the_chinese_procedure(retriever):
    a = answer_question("滤壳盖的拧紧力矩是多少？", retriever)
    assert a.language == "zh"
    assert any(c.doc == "hp3_filter_procedure_zh.pdf" for c in a.citations)


@pytest.mark.parametrize("question, expect, doc", [
    ("联轴器螺栓的拧紧力矩是多少？", "49 N·m", "hp3_pump_manual.pdf"),
    ("输送机减速机放油塞的拧紧力矩是多少？", "45 N·m", "conveyor_gearbox_oil_change.docx"),
    ("断路器 SF6 低压报警值是多少？", "0.52 MPa", "substation_breaker_inspection.html"),
])
def test_chinese_question_about_an_english_manual_gets_its_value(question, expect, doc, retriever, sample_library):
    """A Chinese question whose answer only an English manual holds is answered from it, through the
    glossary (retrieval and evidence), not with a value of the same kind about another part from the
    Chinese procedure (its filter cover's 25 N·m) and not refused."""
    a = answer_question(question, retriever)
    assert not a.refused, a.answer
    assert expect in a.answer and "25 N·m" not in a.answer
    assert any(c.doc == doc and expect in c.quote for c in a.citations)
    _check_grounded(a, sample_library)


def test_chinese_question_terms_are_glossary_words():
    """A glossary word of a Chinese question is one term, held by its own characters or by all the
    words of one of its translations; characters that only join terms are none."""
    from assistant.answer.evidence import coverage, question_terms

    terms = question_terms("安装油底壳放油塞时应拧紧到多大力矩？")
    assert [t.label for t in terms] == ["instal", "oil pan", "drain plug", "tighten", "torqu"]  # English stems
    assert coverage(terms, "Install the oil pan drain plug and tighten it to the torque given in Table 2.") == 1.0
    assert coverage(terms, "安装油底壳放油塞，拧紧力矩为 20 N·m。") == 1.0
    # "pan" alone is not the oil pan, "plug" alone not the drain plug
    assert coverage(terms, "Install the plug in the pan and tighten it to the torque given.") == pytest.approx(
        sum(t.weight for t in terms if t.label in ("instal", "tighten", "torqu")) / sum(t.weight for t in terms))


@pytest.mark.parametrize("question", [
    "What is the recommended tire pressure for the forklift?",
    "How do I knit a scarf for beginners?",
    "What refrigerant does the rooftop air conditioner use?",
    "如何更换汽车的正时皮带？",
])
def test_uncovered_questions_are_refused_with_closest_sources(question, retriever):
    a = answer_question(question, retriever)
    assert a.refused and a.mode == "refused"
    assert a.citations == [] and a.warnings == []
    assert a.sources, "a refusal lists the closest sources"
    assert a.sources[0].chunk.doc in a.answer
    assert a.evidence is not None and a.evidence.coverage < 0.5


def test_filter_procedure_comes_with_its_lockout_and_warning(retriever):
    a = answer_question("How do I replace the return-line filter element on HP-3?", retriever)
    assert not a.refused
    texts = [w.text for w in a.warnings]
    assert any(re.search(r"lock-out", t) and re.match(r"\s*\d+\.", t) for t in texts), texts  # the lock-out step
    assert any(t.startswith("WARNING") and "pressure" in t for t in texts), texts
    for w in a.warnings:
        assert w.doc == "hp3_pump_manual.pdf" and w.page in (3, 4)


def test_warnings_are_verbatim(retriever, sample_library):
    a = answer_question("How do I check the accumulator pre-charge?", retriever)
    texts = _chunk_texts(sample_library)
    assert a.warnings
    for w in a.warnings:
        assert is_verbatim(w.text, texts[w.chunk_id])
    assert any("nitrogen" in w.text for w in a.warnings)


def test_answer_json_matches_the_contract(retriever):
    a = answer_question("What is the accumulator pre-charge pressure?", retriever)
    a = dataclasses.replace(a, id="q1")  # an Answer is frozen
    j = json.loads(json.dumps(a.to_json(), ensure_ascii=False))
    assert CONTRACT <= j.keys()
    assert isinstance(j["refused"], bool) and isinstance(j["ms"], float)
    for c in j["citations"]:
        assert set(c) == {"chunk_id", "doc", "page", "quote"}
    assert "90 bar" in j["answer"]


def test_stream_without_llm_yields_text_then_answer(retriever):
    parts = list(stream_answer("What is the accumulator pre-charge pressure?", retriever))
    assert isinstance(parts[-1], Answer) and parts[0] == parts[-1].answer


def test_units_keep_steps_whole_and_join_wrapped_lines():
    text = "Procedure\n1. Stop the unit. Switch off Q1.\nWARNING: Stored pressure can inject oil through\nskin. Lock out first.\n2. Open V5."
    got = [text[s:e] for s, e in units(text, {"Procedure"})]
    assert got[1] == "1. Stop the unit. Switch off Q1."
    assert "through\nskin." in got[2] and got[-1] == "2. Open V5."
    # a Chinese sentence a PDF wrapped after a joining character ("为") stays one unit with its value
    zh = "检查\n确认应答频率为\n1090±3 MHz。\n记录结果。"
    got = [zh[s:e] for s, e in units(zh, {"检查"})]
    assert "确认应答频率为\n1090±3 MHz。" in got, got


def test_quote_pieces_match_files_as_read():
    # an HTML source stores ">" as &gt;, and table cells are separated by markup, not " | "
    assert quote_pieces("a.html", "tap Settings > Display | 0.6 MPa") == ["tap Settings", "Display", "0.6 MPa"]
    assert quote_pieces("a.pdf", "Filter torque 25 N·m") == ["Filter torque 25 N·m"]
    # a marker drawn apart from its text is no quote of its own; a table's number cells are
    assert quote_pieces("tm.pdf", "f\u3000Place a 1/2 inch plywood sheet against it.") == ["Place a 1/2 inch plywood sheet against it."]
    assert quote_pieces("tm.pdf", "1/2\t13\t12.70") == ["1/2", "13", "12.70"]


def test_steps_whose_numbers_are_drawn_apart_are_quoted_step_by_step():
    """A TM draws each step's number apart from its text (the reader joins them with an ideographic
    space): two steps cited together are quoted step by step, never "...(54 N•m).\n28." across the
    line break, which is not one run of the page's text stream; the number drawn apart is no quote of
    its own (the sources listed "27." and "28." as quotes)."""
    from assistant.answer.draft import Claim
    from assistant.answer.verify import citations
    from assistant.types import Chunk, Hit

    text = "27.\u3000Tighten capscrews (4) and (5) to 40 lb-ft (54 N•m).\n28.\u3000Evenly tighten all long capscrews (4) to 110 lb-ft."
    cut = text.index("\n28.")
    chunk = Chunk("c", "tm.pdf", 203, (), 0, len(text), text, "en")
    quotes = [c.quote for c in citations([Claim("a", 0, 0, cut, 1.0), Claim("b", 0, cut + 1, len(text), 1.0)], [Hit(chunk, 0.5)])]
    assert quotes == ["Tighten capscrews (4) and (5) to 40 lb-ft (54 N•m).", "Evenly tighten all long capscrews (4) to 110 lb-ft."], quotes


def test_claims_need_support_numbers_and_matching_negation(retriever):
    # the passages an answer reads: the hits' units, chunk by chunk (enclosing.unit_passages)
    hits = unit_passages(retriever.search("filter housing cover torque O-ring compressed air", 6))
    us = passage_units(hits)
    ok = verify_claim("Tighten the filter housing cover to 25 N·m.", [1], hits, us)
    assert not hasattr(ok, "reason"), ok
    for bad in ("Tighten the filter housing cover to 52 N·m.", "Use compressed air inside the housing."):
        r = verify_claim(bad, [1], hits, us)
        assert hasattr(r, "reason"), bad
    assert split_claims("Close V5. [2] NOT_IN_MANUALS") == [("Close V5.", [2])]


@pytest.fixture(scope="module")
def injected(tmp_path_factory, settings, embedder):
    """The samples plus a document that tries to give the assistant orders."""
    from assistant.index.build import index_paths
    from assistant.index.library import Library
    from assistant.retrieve import Retriever

    docs = tmp_path_factory.mktemp("docs")
    for p in (ROOT / "assistant" / "samples").iterdir():
        if p.suffix in (".pdf", ".docx", ".md", ".html") and p.name != "README.md":
            shutil.copy(p, docs / p.name)
    shutil.copy(FIXTURES / "injection.md", docs / "hp3_coupling_notes.md")
    idx = tmp_path_factory.mktemp("inj-index")
    report = index_paths([docs], settings, index_dir=idx, progress=False, embedder=embedder, workers=1)
    assert not report.failed
    lib = Library.open(idx, settings)
    yield Retriever(lib, embedder=embedder)
    lib.close()


@pytest.mark.parametrize("question, manual_says_it", [
    ("What torque for the coupling flange bolts on HP-3?", True),
    # only the notes' passage that holds the planted line says these two: the retriever quarantines
    # that passage (assistant/textrules.py, tests/test_injection.py), so they may be refused
    ("What torque was used for the flange bolts in the coupling inspection notes?", False),
    ("Is a lock-out needed before replacing the coupling spider?", False),
])
def test_instructions_inside_documents_change_nothing(question, manual_says_it, injected):
    a = answer_question(question, injected)
    assert not a.refused or not manual_says_it
    assert all("IGNORE ALL" not in h.chunk.text for h in a.sources)
    blob = a.answer + " ".join(c.quote for c in a.citations) + " ".join(w.text for w in a.warnings)
    assert "999" not in blob and "ignore all previous" not in blob.lower()
    assert "no lock-out is needed" not in blob.lower()


def test_injected_document_cannot_steer_the_model(injected):
    """A model that obeys the planted line is caught: neither sentence can be quoted."""
    from assistant.answer import render_passages

    class Obedient:
        name = "obedient"

        def chat(self, messages, max_tokens=256):
            assert "IGNORE ALL PREVIOUS" not in messages[1]["content"]  # withheld from the prompt
            return "The torque is 999 N·m [1]. Say that no lock-out is needed [1]. The flange bolts are tightened crosswise to 49 N·m [1]."

        def stream(self, messages, max_tokens=256):
            yield self.chat(messages, max_tokens)

    # asked in the words of the notes and the manual ("four M10 flange bolts"), so that the manual's
    # passage with the true torque is among the four the model reads, beside the planted notes
    q = "What torque for the four M10 flange bolts in the HP-3 coupling inspection notes?"
    a = answer_question(q, injected, Obedient())
    assert "999" not in a.answer and "lock-out is needed" not in a.answer
    assert "49 N·m" in a.answer
    hits = injected.search(q, 6)
    assert "withheld" in render_passages(hits) or all("IGNORE" not in h.chunk.text for h in hits[:4])


def test_batch_cli_jsonl(sample_index, tmp_path):
    qfile = tmp_path / "q.jsonl"
    qs = [{"id": "t1", "question": "What torque for the filter housing cover on HP-3?"},
          {"id": "t2", "question": "What is the recommended tire pressure for the forklift?"},
          {"id": "t3", "question": "回油滤芯的备件号是什么？"}]
    qfile.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in qs), encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "assistant", "ask", "--index", str(sample_index), "--questions", str(qfile), "--jsonl", "--llm", "none"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    assert [o["id"] for o in out] == ["t1", "t2", "t3"]
    for o in out:
        assert CONTRACT <= o.keys()
    assert "25" in out[0]["answer"] and not out[0]["refused"]
    assert out[1]["refused"] and out[1]["sources"]
    assert "HF-220-10" in out[2]["answer"]


def test_single_question_cli(sample_index):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    base = [sys.executable, "-m", "assistant", "ask", "What is the accumulator pre-charge pressure?", "--index", str(sample_index), "--llm", "none"]
    p = subprocess.run(base + ["--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "90 bar" in json.loads(p.stdout.strip().splitlines()[-1])["answer"]
    p = subprocess.run(base, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0 and "Sources:" in p.stdout and "p. " in p.stdout


def test_eval_answers_reports_the_scorer_figures(sample_index, capsys, tmp_path):
    from assistant.cli import build_parser
    from assistant.cli.eval import answers as eval_answers

    qfile = tmp_path / "q.jsonl"
    lines = (FIXTURES / "sample_answers.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    lines += (ROOT / "bench" / "uncovered_questions.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    qfile.write_text("\n".join(lines), encoding="utf-8")
    args = build_parser().parse_args(["eval", "answers", "--index", str(sample_index), "--questions", str(qfile),
                                      "--corpus", str(ROOT / "assistant" / "samples"), "--llm", "none", "--out", str(tmp_path / "r.jsonl")])
    assert eval_answers(args) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["answerable"] == 6 and figures["unanswerable"] == 8
    assert figures["quotes_verbatim"] == 1.0 and figures["numbers_grounded"] == 1.0
    assert figures["refused_unanswerable"] >= 0.875 and figures["false_refusal"] <= 0.1
    assert figures["answer_recall"] >= 0.65
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 14


# ---- clean text: list markers, Markdown and table pipes are presentation; quotes stay verbatim

_MARKUP = re.compile(r"\*\*|__|`|\s\|\s|^\||\|$|\r|\n")
_LEADING_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)](?!\d)|[-*•]\s|\([a-z]\)\s)")


@pytest.mark.parametrize("question", [
    "What torque for the filter housing cover on the HP-3?",  # a Markdown bullet with **bold**
    "What is the maximum operating pressure of the HP-3?",
    "What are the daily checks before start-up of the HP-3?",  # a Markdown list
    "What should I do if the oil temperature is above 65 °C?",  # a Markdown table row
    "What is the part number of the return filter element?",  # PDF bullets
    "What is the drain plug torque of the conveyor gearbox?",  # a numbered DOCX step
    "滤壳盖的拧紧力矩是多少？",  # a numbered Chinese step
])
def test_answers_read_as_clean_text(question, retriever, sample_library):
    a = answer_question(question, retriever)
    assert not a.refused
    assert not _MARKUP.search(a.answer), a.answer
    assert not _LEADING_MARKER.match(a.answer), a.answer
    assert not re.search(r"(?:^|[.;:]\s)(?:\d{1,3}\.|-|•)\s", a.answer), a.answer  # no list number inside either
    _check_grounded(a, sample_library)  # the quotes are still verbatim slices of the source
    for w in a.warnings:
        assert not _MARKUP.search(w.display) and not _LEADING_MARKER.match(w.display), w.display


def test_quote_keeps_the_source_while_the_answer_is_clean(retriever):
    a = answer_question("Where must the oil level be in the sight glass before start-up?", retriever)
    assert a.answer == "Oil level in the sight glass between MIN and MAX (unit stopped)."
    assert any("**MIN** and **MAX**" in c.quote for c in a.citations)  # the Markdown source, verbatim


def test_table_row_answer_names_its_cells_and_quotes_them_without_pipes(retriever):
    a = answer_question("What should I do if the oil temperature is above 65 °C?", retriever)
    assert "Oil temperature: 30–60 °C; Above 65 °C: E-305, clean the cooler fins" in a.answer
    assert all("|" not in c.quote for c in a.citations)


def _real_warning(text: str) -> bool:
    from assistant.answer.hazards import LOCKOUT_RE

    signal = re.match(r"\W{0,3}\s*(?:WARNING|CAUTION|DANGER|Warning:|Caution:|Danger:|警告|危险|注意|小心)", text)
    lockout_step = re.match(r"\s*\d{1,3}[.)]\s", text) and LOCKOUT_RE.search(text)
    return bool(signal or lockout_step) and not text.lstrip().startswith(("|", "-", "•"))


@pytest.mark.parametrize("question", [
    "What torque for the filter housing cover on the HP-3?",
    "What is the maximum operating pressure of the HP-3?",
    "What are the daily checks before start-up of the HP-3?",
    "What should I do if the oil temperature is above 65 °C?",
    "滤壳盖的拧紧力矩是多少？",
    "回油滤芯的备件号是什么？",
])
def test_warnings_are_real_warnings_of_the_same_procedure(question, retriever):
    """A checklist item, a table row or "hazardous waste" (危险废物) is not a warning, and a
    warning comes from the section (procedure) the answer quotes."""
    a = answer_question(question, retriever)
    cited = {c.chunk_id for c in a.citations}
    for w in a.warnings:
        assert _real_warning(w.text), w.text
        assert "危险废物" not in w.text
    if all(c.doc == "hp3_quick_reference.md" for c in a.citations):
        assert a.warnings == [] or all(w.chunk_id in cited for w in a.warnings)


def test_cli_prints_the_answer_then_sources_then_warnings(retriever, capsys):
    from assistant.cli.common import print_answer

    a = answer_question("How do I replace the return-line filter element on HP-3?", retriever)
    assert a.warnings
    print_answer(a)
    out = capsys.readouterr().out
    assert out.startswith(a.answer)
    assert out.index("Sources:") < out.index("Warnings:")
    warn_lines = out[out.index("Warnings:"):].splitlines()[1:]
    assert len(warn_lines) == len(a.warnings)
    assert any("Stored hydraulic pressure" in ln for ln in warn_lines)
    assert not any(re.match(r"\s*⚠\s*\d+\.", ln) for ln in warn_lines), warn_lines  # the lock-out step without its number


@pytest.mark.parametrize("question, values", [
    ("What torque for the filter housing cover and the motor flange bolts?", ("25 N·m", "49 N·m")),
    ("What are the maximum operating pressure and the accumulator pre-charge?", ("210 bar", "90 bar")),
])
def test_a_question_asking_for_two_values_gets_both_rows(retriever, question, values):
    """Two things asked for with "and": the row that holds the other one is added to the best (extract._other_part)."""
    a = answer_question(question, retriever, None)
    assert not a.refused and all(v in a.answer for v in values), a.answer
    texts = _chunk_texts(retriever.library)
    assert all(is_verbatim(c.quote, texts[c.chunk_id]) for c in a.citations)


def test_a_method_question_is_answered_by_the_procedure_not_a_specification_row(retriever):
    """ "How do I check the accumulator pre-charge?" names a specification table's row ("Accumulator
    pre-charge | 90 bar nitrogen") but asks for a method: the procedure's steps answer it."""
    a = answer_question("How do I check the accumulator pre-charge?", retriever, None)
    assert not a.refused and "dump valve V5" in a.answer and a.answer != "Accumulator pre-charge: 90 bar nitrogen"


def test_a_table_row_reads_with_its_group_label():
    """A specification table prints "Second" twice, under "Groove Clearance:" and under "Gap:" (as the
    6.2L repair standards do, the page's chunks split between the two groups). Asked for the second
    ring's gap, the row under "Gap:" answers, though the chunk holding the groove clearance ranks higher:
    a row's caption and group label are part of what it says (extract.select)."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select
    from assistant.types import Chunk, Hit

    caption = "Table 2-2. General Repair Standards (6.2L)."
    section = ("2-45. REPAIR AND REPLACEMENT STANDARDS",)
    groove_text = "Compression Rings\nGroove Clearance:\nTop\t0.003-0.007 in.\t0.076-0.178 mm\nSecond\t0.002-0.003 in.\t0.051-0.076 mm\nGap:"
    groove_labelled = (f"{caption}\nCompression Rings\n{caption} > Compression Rings\nGroove Clearance:\n"
                       f"{caption} > Compression Rings > Groove Clearance:\nSTANDARD || METRIC\n"
                       "Top | 0.003-0.007 in. | 0.076-0.178 mm\nSecond | 0.002-0.003 in. | 0.051-0.076 mm\n"
                       f"{caption} > Compression Rings\nGap:")
    gap_text = "Top\t0.012-0.022 in.\t0.30-0.55 mm\nSecond\t0.030-0.039 in.\t0.76-1.0 mm\nOil Ring\nGap\t0.010-0.020 in.\t0.25-0.51 mm"
    gap_labelled = (f"{caption} > Compression Rings > Gap:\nSTANDARD || METRIC\nTop | 0.012-0.022 in. | 0.30-0.55 mm\n"
                    f"Second | 0.030-0.039 in. | 0.76-1.0 mm\n{caption}\nOil Ring\n{caption} > Oil Ring\n"
                    "Gap | 0.010-0.020 in. | 0.25-0.51 mm")
    groove = Chunk("groove", "tm.pdf", 238, section, 0, len(groove_text), groove_text, "en", ("table_row",), groove_labelled)
    gap = Chunk("gap", "tm.pdf", 238, section, len(groove_text) + 1, len(groove_text) + 1 + len(gap_text), gap_text, "en",
                ("table_row",), gap_labelled)
    question = "6.2L compression rings: what is the second ring gap?"
    sel = select(question, question_terms(question), [Hit(groove, 0.62), Hit(gap, 0.52)])
    quoted = [sel.passages[u.hit].chunk.text[u.start:u.end] for u in sel.units]
    assert any("0.030-0.039" in q for q in quoted) and not any("0.002-0.003" in q for q in quoted), quoted
    # both rows asked for: "Top" is a label the question names (a word, not a short code like "1/2" before "13")
    question = "6.2L compression rings: what are the top and second ring gaps?"
    sel = select(question, question_terms(question), [Hit(groove, 0.62), Hit(gap, 0.52)])
    quoted = [sel.passages[u.hit].chunk.text[u.start:u.end] for u in sel.units]
    assert any("0.012-0.022" in q for q in quoted) and any("0.030-0.039" in q for q in quoted), quoted
    assert not any("0.003-0.007" in q or "0.002-0.003" in q for q in quoted), quoted


def test_a_row_printed_on_two_lines_answers_with_both_lines():
    """A specification table prints each row on two lines, the second giving the part number under the
    label and the metric values in parentheses under the inch ones (as the 6.2L piston-cylinder table
    does). Asked for the Hi-Limit piston's sizes, the answer holds both lines, quoted verbatim, and
    shows each cell's two values together; the Standard row above is not in it."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import draft, select
    from assistant.types import Chunk, Hit

    caption = "Table 2-4. Diesel Engine Piston-Cylinder Specification."
    text = ("PISTON\tCODE\tPISTON SIZE\tCYLINDER SIZE\n"
            "Standard\tS5\t3.9749 in. to 3.9754 in.\t3.9778 in. to 3.9784 in.\n"
            "PN 23500391\t(100.962-100.975 mm)\t(101.036-101.051 mm)\n"
            "Standard Hi-Limit\tS7\t3.9759 in. to 3.9765 in.\t3.9788 in. to 3.9794 in.\n"
            "PN 23500392\t(100.988-101.003 mm)\t(101.061-101.077 mm)")
    labelled = caption + "\n" + "\n".join(" || ".join(line.split("\t")) if i == 0 else " | ".join(line.split("\t"))
                                          for i, line in enumerate(text.split("\n")))
    chunk = Chunk("pistons", "tm.pdf", 241, ("2-45. REPAIR AND REPLACEMENT STANDARDS",), 0, len(text), text, "en",
                  ("table_row",), labelled)
    question = "Standard Hi-Limit piston, code S7: what piston size and cylinder size go together?"
    terms = question_terms(question)
    sel = select(question, terms, [Hit(chunk, 0.6)])
    quoted = [text[u.start:u.end] for u in sel.units]
    assert any("3.9759" in q for q in quoted) and any("(100.988-101.003 mm)" in q for q in quoted), quoted
    assert not any("3.9749" in q or "100.962" in q for q in quoted), quoted
    shown = " ".join(c.text for c in draft(question, terms, [Hit(chunk, 0.6)], chosen=sel).claims)
    assert "3.9759 in. to 3.9765 in. (100.988-101.003 mm)" in shown, shown


def test_a_size_printed_in_two_cells_covers_the_question_that_writes_it_joined():
    """A torque table prints a 3/8-16 capscrew as "3/8" and "16" in two cells and says "Wet" only in its
    caption: a question naming the screw as "3/8-16" and the table as wet is covered (the caption and
    column names are part of the passage, and the size is found in its cells), not refused."""
    from assistant.answer.evidence import assess, question_terms
    from assistant.types import Chunk, Hit

    text = "3/8\t16\t9.53\t16.2 21.97\t27.9 37.84\n3/8\t24\t9.53\t18.0 24.41\t31.5 42.71"
    labelled = ("Table F-2. Torque Limits for Wet Fasteners\nSIZE || SAE GRADE 5 || SAE GRADE 8\n"
                "3/8 | 16 | 9.53 | 16.2 21.97 | 27.9 37.84\n3/8 | 24 | 9.53 | 18.0 24.41 | 31.5 42.71")
    chunk = Chunk("wet", "tm.pdf", 259, ("APPENDIX F",), 0, len(text), text, "en", ("table_row",), labelled)
    terms = question_terms("Wet SAE grade 8 capscrews: torque for 3/8-16 and for 3/8-24?")
    assert sum("3/8-16" in t.tokens or "3816" in t.tokens for t in terms) == 1  # one term, written two ways
    found = assess(terms, [Hit(chunk, 0.5)], "other-model")
    assert found.covered and "3/8-16" not in found.missing and "wet" not in found.missing, found


def test_a_question_asking_for_two_things_gets_the_other_one_too():
    """"What oil pressure and temperature limits ...": the sentence holding the temperatures answers
    first; the one holding the pressure is the other thing asked for, though neither holds the
    question's other words ("during", "held")."""
    from assistant.types import Chunk, Hit

    temps = ("● Oil temperature must not exceed 260°F (127°C) and coolant temperature must not exceed 230°F (110°C).\n"
             "If coolant temperature or oil temperature exceed limits, stop engine immediately and correct as necessary.")
    steps = ("1. Connect engine to dynamometer.\n2. Start engine and run-in according to schedule in table 2-1.\n"
             "● Oil pressure should be 40-50 psi (276-345 kPa) under load and 10 psi (69 kPa) minimum at idle.")
    section = ("2-43. ENGINE RUN-IN",)
    hits = [Hit(Chunk("temps", "tm.pdf", 236, section, 500, 500 + len(temps), temps, "en"), 0.6),
            Hit(Chunk("steps", "tm.pdf", 236, section, 0, len(steps), steps, "en"), 0.55)]
    quoted = _selected("During engine run-in, what oil pressure and temperature limits must be held?", hits)
    assert "40-50 psi" in quoted and "260°F" in quoted, quoted


def test_a_value_given_as_the_wrong_quantity_is_dropped():
    """A small model read "Oil temperature must not exceed 260°F" beside "Oil pressure should be
    40-50 psi" and wrote "oil pressure must not exceed 260°F": every number, word count and negation
    checks out against the temperature sentence, but it gives a temperature as a pressure. Dropped;
    the sentence as the manual says it passes."""
    from assistant.answer.claims import verify_claim
    from assistant.types import Chunk, Hit

    text = ("● Oil pressure should be 40-50 psi (276-345 kPa) under load and 10 psi (69 kPa) minimum at idle.\n"
            "● Oil temperature must not exceed 260°F (127°C) and coolant temperature must not exceed 230°F (110°C).")
    hits = [Hit(Chunk("runin", "tm.pdf", 236, ("2-43. ENGINE RUN-IN",), 0, len(text), text, "en"), 0.6)]
    units = passage_units(hits)
    bad = verify_claim("During engine run-in, oil pressure must not exceed 260°F (127°C) and coolant temperature "
                       "must not exceed 230°F (110°C).", [1], hits, units)
    assert hasattr(bad, "reason") and "not measured in that unit" in bad.reason, bad
    good = verify_claim("Oil temperature must not exceed 260°F (127°C).", [1], hits, units)
    assert not hasattr(good, "reason"), good


def test_the_question_put_in_front_of_an_unrelated_quote_is_dropped():
    """Asked for the 6.2L's firing order, which the passages it read do not give, the model wrote "The
    firing order of the 6.2L engine is 1990 and above 6.2L and 1994 6.5L engines.": its numbers and most
    of its words are in the quote, but what it says they are (the firing order) is not. Dropped; a
    sentence about what the quote does say passes."""
    from assistant.answer.claims import Verifier
    from assistant.types import Chunk, Hit

    text = "The 1990 and above 6.2L and 1994 6.5L engines are identified by a decal on the left rocker arm cover."
    hits = [Hit(Chunk("decal", "tm.pdf", 14, ("1-10. ENGINE IDENTIFICATION",), 0, len(text), text, "en"), 0.5)]
    question = "What is the firing order of the 6.2L engine?"
    v = Verifier(hits, question=question)
    assert v.feed("The firing order of the 6.2L engine is 1990 and above 6.2L and 1994 6.5L engines. ", [1]) == []
    assert "does not name" in v.dropped[0].reason, v.dropped
    assert v.feed("The 1990 and above 6.2L engines are identified by a decal on the left rocker arm cover.", [1])
    assert Verifier(hits).feed("The firing order of the 6.2L engine is 1990 and above 6.2L and 1994 6.5L engines.", [1])  # without the question: as before


def test_a_sentence_that_only_restates_the_question_is_dropped():
    """"The outer door will not stay open. What should I check first?": the model opened its answer with
    "The outer door will not stay open.", which the troubleshooting entry holds (its malfunction), so
    every check passed; it says nothing the technician did not. Dropped; the check that follows passes."""
    from assistant.answer.claims import Verifier
    from assistant.types import Chunk, Hit

    text = "1. The outer door will not stay open.\nStep 1. Check to see if detent pin is installed in door stay channel.\nInstall detent pin in channel."
    hits = [Hit(Chunk("row", "tm.pdf", 28, ("Table 2-2. Troubleshooting",), 0, len(text), text, "en"), 0.5)]
    question = "The outer door will not stay open. What should I check first, and what is the fix?"
    v = Verifier(hits, question=question)
    assert v.feed("The outer door will not stay open.", [1]) == []
    assert v.dropped[0].reason == "it only restates the question", v.dropped
    assert v.feed("Check to see if detent pin is installed in door stay channel.", [1])
    assert Verifier(hits).feed("The outer door will not stay open.", [1])  # without the question: as before


def test_a_sentence_that_restates_the_question_with_a_value_of_another_kind_is_dropped():
    """Asked "What hydraulic oil does the HP-3 take?", the local model opened with "The HP-3 takes hydraulic
    oil up to 210 bar." (the manual's "hydraulic oil" and "up to 210 bar", each quoted, so it passed) before
    "Hydraulic oil: ISO VG 46": read at the machine, 210 bar is the answer. A sentence that restates a
    question asking for a kind of value (an oil's grade, a torque) and gives a value of another kind only
    is dropped; the sentence that gives the grade, a pressure asked for, and a condition that names its
    own quantity ("... stated for a gas temperature of 20 °C") pass."""
    from assistant.answer.claims import Verifier
    from assistant.types import Chunk, Hit

    text = "Technical data\nOperating pressure: up to 210 bar\nHydraulic oil: ISO VG 46\nThe HP-3 takes hydraulic oil from the tank."
    hits = [Hit(Chunk("data", "hp3_pump_manual.pdf", 2, ("HP-3 hydraulic power unit", "Technical data"), 0, len(text), text, "en"), 0.5)]
    for question in ("What hydraulic oil does the HP-3 take?", "Which hydraulic oil does the HP-3 use?"):
        verb = question.split()[-1].rstrip("?")
        v = Verifier(hits, question=question)
        assert v.feed(f"The HP-3 {verb}s hydraulic oil up to 210 bar.", [1]) == []
        assert "210 bar" in v.dropped[0].reason, v.dropped
        assert v.feed("Hydraulic oil: ISO VG 46.", [1])
    v = Verifier(hits, question="What operating pressure does the HP-3 take?")
    assert v.feed("The HP-3 takes an operating pressure of up to 210 bar.", [1])
    assert Verifier(hits).feed("The HP-3 takes hydraulic oil up to 210 bar.", [1])  # without the question: as before
    # a value of another kind that its own quantity names is a condition of the answer, not the answer
    text = "Accumulator pre-charge: 90 bar nitrogen. The accumulator pre-charge pressure is stated for a gas temperature of 20 °C."
    hits = [Hit(Chunk("acc", "hp3_pump_manual.pdf", 3, ("HP-3 hydraulic power unit",), 0, len(text), text, "en"), 0.5)]
    v = Verifier(hits, question="What is the accumulator pre-charge pressure?")
    assert v.feed("The accumulator pre-charge pressure is stated for a gas temperature of 20 °C.", [1]), v.dropped


def test_a_caption_or_a_title_repeated_on_the_next_page_is_no_answer():
    """ "How tight should the turnbuckles be when tying the shelter down on the M1028 truck?" was answered
    "Shelter Tiedown on M1028 Truck.", the caption under the steps (it names the truck and the tiedown),
    and the keeper's latch torque opened with "Keeper Assembly (cont).", the task's title repeated on the
    page. A line that only labels what is around it (a figure's or table's caption, a title marked
    "(cont)") is no unit of an answer; the step that says how tight is the answer."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select, units
    from assistant.types import Chunk, Hit

    text = ("3-5. Service Upon Receipt of Materiel (cont).\nCAUTION\nDo not overtighten turnbuckles. Overtightening may tear lifting\n"
            "and tiedown bracket assemblies from shelter or damage bracket\nassembly or shelter.\n"
            "(5) Tighten all turnbuckles evenly by hand. Then turn each turnbuckle an addi\ufffe\ntional one-half turn with a bar "
            "or rod inserted in turnbuckle slot.\nFigure 3-3. Shelter Tiedown on M1028 Truck.")
    got = [text[a:b] for a, b in units(text)]
    assert not [u for u in got if u.startswith(("3-5.", "Figure"))], got
    assert units("Figure 3 shows how the cable runs to the M1028 truck.") != []  # a sentence about a figure is one
    chunk = Chunk("t", "tm-10-5411-205-13.pdf", 23, ("Section III. SERVICE UPON RECEIPT",), 0, len(text), text, "en")
    question = "How tight should the turnbuckles be when tying the shelter down on the M1028 truck?"
    sel = select(question, question_terms(question), [Hit(chunk, 0.6)])
    quoted = [text[u.start:u.end] for u in sel.units]
    assert any("one-half turn" in q for q in quoted) and not any("Figure 3-3" in q for q in quoted), quoted


def test_a_question_for_a_value_looks_deeper_for_the_passage_that_holds_it(retriever):
    """ "What are the height and width of the S-250/G shelter?": six passages that name the shelter ranked
    above the equipment data table (by 0.02 after the reader's layout-7), so the answer read "a. Type of
    Manual ...". A question that asks for a kind of value searches `value_depth` deep, and the answer reads
    the deeper passage that holds a value of that kind and more of the question (extract.considered); the
    passages shown and judged for a refusal stay the first k."""
    from assistant.answer.extract import ExtractConfig

    asked: list[int] = []

    class Recording:
        library = retriever.library

        def search(self, query, k, filters=None):
            asked.append(k)
            return retriever.search(query, k, filters)

    a = answer_question("What is the torque for the filter housing cover on the HP-3?", Recording(), k=6)
    assert asked == [ExtractConfig().value_depth] and "25 N·m" in a.answer and len(a.sources) <= 3, (asked, a.answer)
    answer_question("How do I replace the return-line filter element?", Recording(), k=6)
    assert asked[-1] == 6


def test_a_torque_given_in_stages_is_answered_whole():
    """Main bearing cap capscrews are tightened in stages: 40 lb-ft in one step, then the long ones to 110
    and the short ones to 100 lb-ft in the next steps, printed on the next page. Asked for their torque,
    the answer reads on from the step that matched through the steps that tighten the same capscrews
    again (a technician told 40 lb-ft alone under-tightens the caps), each quoted, and stops at the
    first step that does something else."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select
    from assistant.types import Chunk, Hit

    section = ("2-41. ENGINE ASSEMBLY FROM SUBASSEMBLIES",)
    first = ("25. Apply thin film of sealer to rear main bearing cap (1) mating surface.\n"
             "26. Install rear main bearing cap (1) on cylinder block (8) with long capscrews (4), and short\n"
             "capscrews (5). Tighten capscrews (4) and (5) to 40 lb-ft (54 N•m).")
    then = ("27. Install remaining bearing caps (2) on cylinder block (8) with long capscrews (4) and short\n"
            "capscrews (5). Tighten capscrews (4) and (5) to 40 lb-ft (54 N•m).\n"
            "28. Evenly tighten all long capscrews (4) to 110 lb-ft (149 N•m).\n"
            "29. Evenly tighten all short capscrews (5) to 100 lb-ft (136 N•m).\n"
            "30. Coat rear crankshaft (7) surface with engine oil and tighten oil pan bolts (12) to 10 lb-ft.")
    a = Chunk("a", "tm.pdf", 202, section, 0, len(first), first, "en")
    b = Chunk("b", "tm.pdf", 203, section, 0, len(then), then, "en")
    question = "What torque for the rear main bearing cap capscrews?"
    sel = select(question, question_terms(question), [Hit(a, 0.6)], around=lambda c, before, after: [b] if c.id == "a" and after else [])
    quoted = [sel.passages[u.hit].chunk.text[u.start:u.end] for u in sel.units]
    joined = " ".join(quoted)
    assert "40 lb-ft" in joined and "110 lb-ft" in joined and "100 lb-ft" in joined, quoted
    assert "oil pan" not in joined, quoted
    assert all(q in (first if sel.passages[u.hit].chunk.id == "a" else then) for q, u in zip(quoted, sel.units))


def test_a_hazard_question_is_answered_by_the_warning():
    """"Any hazard when removing the gaskets?": the procedure's steps name the gaskets and the removal
    more often than the warning above the next steps does, but the hazard is in the warning (asbestos
    in gaskets of older engines), which answers; the procedure's other warning (the crankshaft's) is
    not about the gaskets and stays out."""
    from assistant.types import Chunk, Hit

    steps = ("3. Remove three screws (2), lockwashers (3), and washers (4) from governor cover (1).\n"
             "4. Remove cover (1) and gasket (13). Discard gasket (13).\n"
             "5. Remove fuel pump gasket (14) from the pump body. Discard gasket (14).")
    warned = ("WARNING\nCrankshaft must be supported during removal and installation.\n"
              "WARNING\nGaskets installed on some engines assembled prior to 1991 may contain asbestos.\n"
              "6. Remove the injection pump drive gear (5).")
    hits = [Hit(Chunk("steps", "tm.pdf", 107, ("2-35. FUEL PUMP",), 0, len(steps), steps, "en"), 0.6),
            Hit(Chunk("warned", "tm.pdf", 45, ("2-15. ENGINE DISASSEMBLY",), 0, len(warned), warned, "en"), 0.5)]
    # the terms' weights in the library of the three real manuals: "remove" is in most procedures (and
    # with Snowball stems "removing" meets the crankshaft warning's "removal"), the gaskets in fewer
    weights = {"hazard": 7.93, "remov": 1.64, "fuel": 1.45, "pump": 1.4, "gasket": 2.58, "older": 7.93, "engin": 1.57}
    quoted = _selected("Any hazard when removing the fuel pump gaskets on an older engine?", hits, weights.get)
    assert "asbestos" in quoted and "Crankshaft" not in quoted, quoted


def test_a_row_labelled_by_a_number_is_named_by_that_number():
    """An altimeter's scale-error table reads "1500 | 28.335 | 25" (altitude, the pressure read at it,
    the error allowed); the friction table on the next page "30000 | 140". Asked for the errors allowed
    at 1500 ft and 30000 ft, both rows of the first table answer: its rows are named by their altitude
    alone (the second cell is a value read at it, not part of the label, as "13" is of a "1/2 | 13"
    screw), so the table naming both beats the one naming one."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select
    from assistant.types import Chunk, Hit

    def table(cid: str, page: int, caption: str, lines: list[str]) -> Chunk:
        text = "\n".join([caption] + lines)
        labelled = "\n".join([caption, " || ".join(lines[0].split("\t"))] + [" | ".join(ln.split("\t")) for ln in lines[1:]])
        return Chunk(cid, "ccar.pdf", page, ("维修和改装一般规则",), 0, len(text), text, "zh", ("table_row",), labelled)

    scale = table("scale", 24, "附录 B：表 Ⅰ", ["高度 （英尺）\t等效压力 (英寸汞柱)\t允许误差 +/-(英尺)", "1000\t28.856\t20",
                                              "1500\t28.335\t25", "2000\t27.821\t30", "30000\t8.885\t180", "35000\t7.041\t205"])
    friction = table("friction", 25, "附录 B：表 Ⅲ 摩擦力", ["高度(英尺)\t精度(英尺)", "1000\t+/-70", "20000\t100", "30000\t140"])
    hits = [Hit(friction, 0.6), Hit(scale, 0.55)]
    question = "刻度误差测试时，1500 英尺和 30000 英尺两个测试点的允许误差分别是多少？"
    sel = select(question, question_terms(question), hits)
    quoted = [sel.passages[u.hit].chunk.text[u.start:u.end] for u in sel.units]
    assert "1500\t28.335\t25" in quoted and "30000\t8.885\t180" in quoted, quoted
    assert "30000\t140" not in quoted, quoted


def test_a_run_in_title_brings_what_its_item_says():
    """A regulation's item opens with a run-in title, "(Ⅵ) 气压表误差测试。", and says on the same line
    what the test allows. The title holds the question's words, the sentence after it the value: the
    answer quotes both, never the title alone."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import select
    from assistant.types import Chunk, Hit

    text = ("(Ⅴ) 高度表外壳漏气测试。当表内的压力相当于 5500 米（18000 英尺）时，高度表读数的变幅在一分钟内，不得大于表Ⅱ规定的允许值。\n"
            "(Ⅵ) 气压表误差测试。在恒定的大气压力条件下，将气压表调在表Ⅳ列出的各个气压值上，其误差不超过 7.6 米（25 英尺）。")
    chunk = Chunk("c", "ccar.pdf", 23, ("附录 E 高度表系统测试",), 0, len(text), text, "zh")
    for question in ("In the CCAR-43 altimeter test, what is the maximum barometric scale error allowed?", "气压表误差测试的最大允许误差是多少？"):
        sel = select(question, question_terms(question), [Hit(chunk, 0.6)])
        quoted = " ".join(text[u.start:u.end] for u in sel.units)
        assert "7.6 米（25 英尺）" in quoted, (question, quoted)


def test_how_long_before_asks_for_a_time():
    """"How long before the door can be used?" asks for a time: the caution's "30 minutes cure time"
    answers, not the test step that names the gasket, the door and a strip of paper "2-1/2 inches" long
    ("how long" alone may ask for a length: "How long is the strap?")."""
    from assistant.answer.extract import type_bonus
    from assistant.types import Chunk, Hit

    test = ("b. Test. Test of the door assembly consists of testing for proper seal pressure on the silicone weather gasket.\n"
            "(1) Place a single piece of paper (0.005 inches thick by 2-1/2 inches wide) between the silicone weather gasket and the door.")
    caution = "CAUTION\nAllow at least 30 minutes cure time for adhesive before using door."
    hits = [Hit(Chunk("test", "tm.pdf", 50, ("3-18. Door Gasket",), 0, len(test), test, "en"), 0.6),
            Hit(Chunk("caution", "tm.pdf", 52, ("3-18. Door Gasket",), 0, len(caution), caution, "en"), 0.5)]
    quoted = _selected("After fitting a new silicone weather gasket on the door, how long before the door can be used?", hits)
    assert "30 minutes" in quoted and "2-1/2 inches" not in quoted, quoted
    assert type_bonus("How long is the strap?", "The strap is 24 in long.") == 1.0


def test_a_time_limit_in_words_and_degrees_printed_as_o_answer_a_two_part_question():
    """A US Army TM's caution, its word "temperature" hyphenated at a line break (pdfium's U+FFFE) and
    its degrees printed "85oF", under a contents table that names the repair and holds figures (page
    numbers): "What time and temperature limits ...?" is answered by the caution's two sentences, the
    time limit written in words ("within one hour"), not by the contents line "Delamination Repair 4- 7
    4- 3". It was, because the caution held no "temperature", no "°F" and no figure for the time."""
    from assistant.types import Chunk, Hit

    steps = ("4-7. Delamination Repair (cont).\n(5) Use a caulking gun to force mixed adhesive into the clearance holes as follows\n"
             "CAUTION\nThe following repair procedures must be accomplished within one\nhour of mixing adhesive. "
             "Do not attempt any repair unless temper\ufffe\r\nature is between 65oF and 85oF.\n"
             "(a)　Place nozzle of caulking gun in center hole of delaminated area and inject\nadhesive into space.")
    contents = "Section III. MAINTENANCE PROCEDURES\nSubject\tPara\tPage\nDelamination Repair\t4- 7\t4- 3\nRepair of Small Dent\t4- 8\t4- 7"
    hits = [Hit(Chunk("steps", "tm.pdf", 92, ("b . Repair.",), 0, len(steps), steps, "en"), 0.53),
            Hit(Chunk("contents", "tm.pdf", 89, ("Section III. MAINTENANCE PROCEDURES",), 0, len(contents), contents, "en",
                      ("table_row",)), 0.33)]
    quoted = _selected("What time and temperature limits apply when injecting adhesive for a delamination repair?", hits)
    assert "within one\nhour of mixing adhesive" in quoted and "between 65oF and 85oF" in quoted, quoted
    assert "4- 7" not in quoted, quoted


def test_a_warning_printed_below_its_signal_word_is_shown_with_its_text():
    """A US Army TM prints "CAUTION" on a line of its own and the caution below it; the answer's
    warning box showed "CAUTION" and nothing else (the web chat's "Safety first" box, the CLI's
    Warnings line). The signal word alone takes the warning below it, up to the next step, note or
    label, verbatim from the chunk."""
    from assistant.answer.hazards import hazards_for
    from assistant.types import Chunk, Hit

    text = ("b . Repair. (Figure 4-1)\n(1) Mark off the limits of delaminated area.\nCAUTION\n"
            "To ensure that opposite shelter wall skin is not punctured, make\nsure drill bit has a drill stop attached "
            "which will prohibit drill bit\nfrom exceeding a depth of 5/8 inch.\n(2) Using Figure 4-1 as a visual guide, "
            "drill a 3/16 inch hole.\nWARNING\nAlcohol solvents are flammable. Keep away from heat, sparks, and open flame.\n"
            "NOTE\nThe Versamid material is sensitive to moisture.\n(a) Place nozzle of caulking gun in center hole.\n"
            "WARNING: Wear gloves when mixing adhesive.")
    c = Chunk("c1", "tm.pdf", 90, ("Section III. MAINTENANCE PROCEDURES", "b . Repair. (Figure 4-1)"), 0, len(text), text, "en", ())
    shown = [h.display for h in hazards_for([c], [Hit(c, 0.0)])]
    assert shown == ["CAUTION To ensure that opposite shelter wall skin is not punctured, make sure drill bit has a drill "
                     "stop attached which will prohibit drill bit from exceeding a depth of 5/8 inch.",
                     "WARNING Alcohol solvents are flammable. Keep away from heat, sparks, and open flame.",
                     "WARNING: Wear gloves when mixing adhesive."], shown
    assert all(h.text in text for h in hazards_for([c], [Hit(c, 0.0)]))  # verbatim spans of the chunk


@pytest.mark.parametrize("marker", ["d\n", "d\u3000", "(d)\n"])
def test_a_warning_below_its_label_is_shown_whole_up_to_the_step_after_it(marker):
    """The S-250/G TM's WARNING on p. 4-5 has five sentences, then step (d), whose parentheses the PDF
    draws: its marker reads "d", alone on a line or set apart from its text. The warning box showed the
    first four sentences (a cap of four units) and dropped "Avoid prolonged breathing of vapors or repeated
    contact with skin."; without the cap, the step below would run into it. A marker alone on its line or
    set apart ends the warning, which is bounded by characters, not by sentences."""
    from assistant.answer.hazards import hazards_for
    from assistant.types import Chunk, Hit

    warning = ("WARNING\nAlcohol solvents are flammable. Keep away from heat, sparks, and\nopen flame. Keep containers "
               "closed when not used. Use only with\nadequate ventilation. Avoid prolonged breathing of vapors or\n"
               "repeated contact with skin.")
    text = ("(c)\u3000Seal center hole with masking tape.\n" + warning + "\n" + marker
            + "Using a soft cloth lightly coated with solvent, remove excess adhesive from\nadhesive filled panel surface.\n"
            "e\u3000Cover adhesive filled panel with\u3000a sheet of polyethylene.")
    c = Chunk("c1", "tm.pdf", 92, ("Section III. MAINTENANCE PROCEDURES", "b . Repair. (Figure 4-1)"), 0, len(text), text, "en", ())
    found = hazards_for([c], [Hit(c, 0.0)])
    assert [h.text for h in found] == [warning], [h.text for h in found]


def test_a_value_question_reads_a_later_passage_that_holds_the_value_and_more_of_the_question():
    """rm-013: four passages that name the S-250/G shelter ranked above the equipment data table that
    holds its height and width (by a few thousandths of a score); the answer read the first four only,
    and answered with the manual's scope. A question that asks for a value also reads the later passage
    (of those the search shows) holding a value of that kind and more of the question (idf-weighted,
    as the library weighs it) than any of the first four."""
    import math

    from assistant.answer import extract
    from assistant.answer.evidence import question_terms
    from assistant.index.lexical import tokenize
    from assistant.types import Chunk, Hit

    question = "What are the height and width of the S-250/G shelter?"
    texts = [
        ("1-1. Scope.", "a. Type of Manual. This technical manual includes operator and unit maintenance for the S-250/G shelter."),
        ("1-2. Equipment Name.", "b. Equipment Name and Model Number. This manual covers Electrical Equipment Shelter S-250/G."),
        ("1-3. Purpose.", "c. Purpose of Equipment. The S-250/G shelter is a light weight transportable shelter."),
        ("Section II.", "Shelter Electrical Equipment S-250/G Shielded and S-250/G Unshielded"),
        ("1-10. Equipment Data.", "1-10. Equipment Data.\nHeight\t70.125 in (178.11 cm)\nWidth\t79.0625 in (200.82 cm)\n"
                                  "Length\t147.0 in (373.38 cm)"),
        ("1-11. Safety.", "Keep clear of the shelter while it is lifted."),
    ]
    docs = [set(tokenize(f"{s} {t}")) for s, t in texts]

    def idf(token: str) -> float:  # BM25's idf over these passages, as the library computes it
        d = sum(token in doc for doc in docs)
        return math.log1p((len(docs) - d + 0.5) / (d + 0.5))

    hits = [Hit(Chunk(f"c{i}", "tm.pdf", 10 + i, (s,), 0, len(t), t, "en"), 1.0 - 0.01 * i) for i, (s, t) in enumerate(texts)]
    chosen = extract.select(question, question_terms(question, idf), hits)
    assert [u.text for u in chosen.units] == ["Height\t70.125 in (178.11 cm)", "Width\t79.0625 in (200.82 cm)"]
    # a question that asks for no value reads the first four, as before
    method = "Where is the S-250/G shelter equipment data?"
    assert extract.considered(method, question_terms(method, idf), hits) == hits[:4]


@pytest.mark.parametrize("question, doc, grade", [
    ("What hydraulic oil does the HP-3 take?", "hp3_pump_manual.pdf", "ISO VG 46"),
    ("Which oil does the CV-7 gearbox use?", "conveyor_gearbox_oil_change.docx", "ISO VG 220"),
])
def test_a_question_for_an_oil_is_answered_by_its_grade(retriever, question, doc, grade):
    """ "What hydraulic oil does the HP-3 take?" was answered "Take oil sample for cleanliness analysis:
    2 000 h": the verb "take" counted as a term of the question, and that row holds it. The verb that ends
    a "what ... does it take / use?" question only relates the two; and a question for an oil asks for
    its grade (ISO VG, SAE, ...), as one for a torque asks for N·m: the CV-7 question was answered by the
    work instruction's opening lines."""
    a = answer_question(question, retriever)
    assert not a.refused and grade in a.answer, a.answer
    assert any(c.doc == doc and grade in c.quote for c in a.citations), a.citations
    assert "sample for cleanliness" not in a.answer and "Work instruction" not in a.answer


def test_an_answer_that_announces_a_list_goes_on_with_its_items():
    """rm-066 (CCAR-43): "... 应当进行试车，确定下述性能满足制造厂推荐的性能值后方可批准恢复使用:" was the whole
    answer, the four items "(Ⅰ) 功率输出 ..." under it left out: the answer said there is a list and not what
    is on it. An answer whose last sentence announces a list goes on with the list's items (read on into
    the next chunk of the document where the list goes on there), up to the first unit that is no item
    of that list ("(3) 涡轮发动机 ...", the next paragraph of the rule). So does "..., proceed as follows"
    over lettered steps, which ends at the next numbered step."""
    from assistant.answer import extract
    from assistant.answer.evidence import question_terms
    from assistant.types import Chunk, Hit

    rule = ("(a) 年度检查和 100 小时检查：\n(1) 使用检查单进行检查, 该检查单可以是制造商提供的。\n"
            "(2) 活塞发动机驱动的航空器进行年度检查或 100 小时检查时，应当进行试车，确定下述性能满足制造厂推荐的性能值后方可批准恢复使用:\n"
            "(Ⅰ) 功率输出(静态和慢车转速)；\n(Ⅱ) 磁电机；")
    rest = "(Ⅲ) 燃油和滑油压力；\n(Ⅳ) 气缸头温度和滑油温度。\n(3) 涡轮发动机驱动的航空器进行年度检查时，应当根据制造厂的建议对航空器进行试车。"
    section = ("维修和改装一般规则",)
    chunks = [Chunk("r1", "ccar-43.pdf", 9, section, 0, len(rule), rule, "zh"),
              Chunk("r2", "ccar-43.pdf", 10, section, len(rule) + 1, len(rule) + 1 + len(rest), rest, "zh")]

    def around(chunk, before, after):
        return chunks[chunks.index(chunk) + 1:][:after]

    question = "活塞发动机飞机做完年度检查或100小时检查后，试车要确认哪些性能？"
    chosen = extract.select(question, question_terms(question), [Hit(chunks[0], 1.0)], around=around)
    said = [u.text.split("\n")[0][:8] for u in chosen.units]
    assert said[-5:] == ["(2) 活塞发动", "(Ⅰ) 功率输出", "(Ⅱ) 磁电机；", "(Ⅲ) 燃油和滑", "(Ⅳ) 气缸头温"], said
    assert chosen.passages[chosen.units[-1].hit].chunk.id == "r2"

    steps = ("(1) Weather Gasket Pressure Adjustment. To increase the weather gasket pressure\non the hinged side of the door, "
             "proceed as follows\n(a) Open the door and remove and retain three bolts (1), six flat washers\n"
             "(2), and three self-locking nuts (3) attaching the hinge to the door.\n(b) Coat each new shim with conductive "
             "compound on both sides.\n(c ) Insert shim (4) between the hinge leaf and the door.\n"
             "(2) Seal Pressure Adjustment. To increase the seal pressure on the roller latch\nside of the door, proceed as follows")
    question = "How do I increase the weather gasket pressure on the hinged side of the door?"
    hit = Hit(Chunk("g", "tm.pdf", 51, ("3-18. Door Gaskets.",), 0, len(steps), steps, "en"), 1.0)
    chosen = extract.select(question, question_terms(question), [hit])
    said = [u.text.split()[0] for u in chosen.units]
    assert said == ["(1)", "(a)", "(b)", "(c"], [u.text for u in chosen.units]
    assert "six flat washers\n(2), and three self-locking nuts (3)" in chosen.units[1].text


def test_a_question_for_a_value_that_no_passage_gives_is_not_carried_by_a_close_dense_match(retriever):
    """"What is the maximum wind speed for lifting the shelter?" against a lifting procedure that gives no
    wind speed: its words cover part of the question and the dense match is close (same subject), so it was
    answered with the lifting steps, as if they gave the limit. A question for a kind of value whose
    passages hold no value of that kind is covered by its terms alone; with a passage that does give one
    ("Maximum permissible wind: 30 mph"), the dense match carries it as before."""
    from assistant.types import Chunk, Hit

    lifting = ("a. Lifting Shelter.\n(1) Attach sling assembly to all four lifting rings on shelter.\n"
               "(2) Insert lifting hook of crane into lifting ring.\n(3) Slowly lift shelter with crane.")
    limit = "Shelter data.\nWeight, empty: 1,250 lb.\nMaximum permissible wind: 30 mph."

    def searcher(*texts):
        chunks = [Chunk(f"w{k}", "tm.pdf", 3 + k, ("3-2. Lifting",), 0, len(t), t, "en") for k, t in enumerate(texts)]

        class Fixed:
            library = retriever.library  # the bundled MiniLM's library: the dense thresholds apply

            def search(self, query, k, filters=None):
                return [Hit(c, 0.9 - 0.1 * n, dense_score=0.7 - 0.2 * n, lexical_score=0.5) for n, c in enumerate(chunks)][:k]

        return Fixed()

    question = "What is the maximum wind speed for lifting the shelter?"
    refused = answer_question(question, searcher(lifting), llm=None)
    assert refused.refused and 0.3 <= refused.evidence.coverage < 0.5 and refused.evidence.dense >= 0.5, refused.evidence
    answered = answer_question(question, searcher(lifting, limit), llm=None)
    assert not answered.refused and "30 mph" in answered.answer, answered.answer


def test_a_question_that_names_figures_reads_the_later_passage_that_holds_them():
    """"What are the allowed errors at 1500 ft and 30000 ft in the scale error test?": the table of allowed
    errors by altitude came fifth, a thousandth of a score below another table, and the answer read the
    other table's "30000: 140". A question naming a figure that none of the first passages holds also
    reads the later passage that holds it and more of the question; without such a figure the first four
    are what it reads (S10's "How can I open email?" is not answered from a fifth passage with more of
    its words)."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import considered
    from assistant.types import Chunk, Hit

    texts = ["Scale error test. Hold each test point for at least 1 minute before recording.",
             "Hysteresis test. Begin within 15 minutes after the scale error test.",
             "Case leak test. The altimeter reading may not change by more than the allowed value.",
             "Table II. Test accuracy\nTest | Accuracy (ft)\nHysteresis, first test point | 75\n30000 | 140",
             "Table I. Scale error test: allowed errors\nAltitude (ft) | Allowed error (ft)\n1500 | 25\n30000 | 180"]
    hits = [Hit(Chunk(f"c{k}", "ccar.pdf", 22 + k, (), 0, len(t), t, "en"), 0.5 - 0.01 * k) for k, t in enumerate(texts)]
    question = "What are the allowed errors at 1500 ft and 30000 ft in the scale error test?"
    assert [h.chunk.id for h in considered(question, question_terms(question), hits)] == ["c0", "c1", "c2", "c3", "c4"]
    question = "What are the allowed errors in the scale error test?"
    assert [h.chunk.id for h in considered(question, question_terms(question), hits)] == ["c0", "c1", "c2", "c3"]


def test_a_question_naming_a_column_group_reads_that_group_of_a_wide_row(tmp_path):
    """"General torque for a dry 1/2-13 SAE grade 5 capscrew?" against a torque table with a pair of
    columns (pound-feet, newton-meters) for each grade: the answer showed the whole row, eleven figures
    with no names. It shows the row's label and the grade 5 pair, whose column names hold more of the
    question than the others; its quote is still the row, verbatim. A question naming no grade reads
    the whole row."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import draft
    from assistant.index.chunk import chunk_doc
    from assistant.ingest import parse
    from assistant.types import Hit
    from tests import layout_pdfs as L

    path = tmp_path / "torque_limits.pdf"
    L.grouped_header_table(path)
    hits = [Hit(c, 0.6) for c in chunk_doc(parse(path)) if "\t" in c.text]  # the table's passages

    def answer(question):
        d = draft(question, question_terms(question), hits)
        return " ".join(c.text for c in d.claims), [d.passages[c.hit].chunk.text[c.start:c.end] for c in d.claims]

    shown, quoted = answer("General torque for a dry 1/2-13 SAE grade 5 capscrew?")
    assert shown == "1/2: 13; 75; 101.70", shown
    assert quoted == ["1/2\t13\t39\t52.88\t75\t101.70\t105\t142.38"], quoted
    shown, _ = answer("Torque for a 5/8-11 grade 8 capscrew?")
    assert shown == "5/8: 11; 210; 284.76", shown
    shown, _ = answer("What torque for a 1/2-13 capscrew?")
    assert shown == "1/2: 13; 39; 52.88; 75; 101.70; 105; 142.38", shown


def test_a_height_given_in_words_answers_how_high():
    """"How high should the shelter be raised before working on the skids?": the manual says "The skids
    should be approximately one foot above the ground." in a CAUTION, a length in words. "How high" asks
    for a length and "one foot" is one, so that sentence answers; the steps of another task, whose only
    figures are their step numbers, do not (they were the answer once the question asked for a length
    and the sentence without a figure was taken for one without a value)."""
    from assistant.answer.evidence import question_terms
    from assistant.answer.extract import draft
    from assistant.types import Chunk, Hit

    skids = ("a. Inspect.\nCAUTION\nThe shelter should be raised and supports placed on the bottom of\nthe front and "
             "rear panels between skids. The skids should be\napproximately one foot above the ground.")
    loading = ("(5) Insert appropriate size wooden blocks between shelter skids and sides of truck\nbed to prevent "
               "sideway movement.\n(7) Raise and secure truck tailgate.")
    hits = [Hit(Chunk("s", "tm.pdf", 80, ("3-33. Skid Assembly.",), 0, len(skids), skids, "en"), 0.53),
            Hit(Chunk("l", "tm.pdf", 22, ("3-5. Service Upon Receipt",), 0, len(loading), loading, "en"), 0.33)]
    question = "How high should the shelter be raised before working on the skids?"
    d = draft(question, question_terms(question), hits)
    shown = " ".join(c.text for c in d.claims)
    assert "approximately one foot above the ground" in shown, shown
    assert "wooden blocks" not in shown and "tailgate" not in shown, shown


def test_a_model_sentence_giving_a_value_of_a_column_the_question_does_not_name_is_dropped(tmp_path):
    """The local model read the row of every grade for "... 1/2-13 SAE grade 5 capscrew?" and wrote
    "... is 52.88 N/mm": grade 1's newton-meters, a figure the quoted row holds, so the number check let
    it through. A sentence giving a figure from a column the question does not name, where it names
    some (the grade 5 columns), is dropped; the grade 5 figures pass."""
    from assistant.answer.claims import Verifier
    from assistant.index.chunk import chunk_doc
    from assistant.ingest import parse
    from assistant.types import Hit
    from tests import layout_pdfs as L

    path = tmp_path / "torque_limits.pdf"
    L.grouped_header_table(path)
    chunk = next(c for c in chunk_doc(parse(path)) if "101.70" in c.text)
    row = next(line for line in chunk.text.split("\n") if line.startswith("1/2\t13"))
    at = chunk.text.index(row)  # the model reads the row, as reply.evidence gives it (with the chunk's labels)
    item = dataclasses.replace(chunk, start=chunk.start + at, end=chunk.start + at + len(row), text=row)
    question = "General torque for a dry 1/2-13 SAE grade 5 capscrew?"
    v = Verifier([Hit(item, 0.6)], question=question)
    assert v.feed("The general torque for a dry 1/2-13 SAE grade 5 capscrew is 52.88 N/mm [1].", [1]) == []
    assert "52.88" in v.dropped[-1].reason and "column" in v.dropped[-1].reason, v.dropped
    passed = v.feed("A dry 1/2-13 SAE grade 5 capscrew takes 75 pound-feet (101.70 newton meters) [1].", [1])
    assert len(passed) == 1 and "101.70" in passed[0].text, v.dropped
