"""Cards for procedures that user manuals tell in prose or in shared lists (issue 16), on two small
manuals written like a phone's and a fitness band's e-manual (tests/fixtures/prose-manuals): an option
list shared by several features (the card keeps the asked one), a sub-procedure introduced by "To
disable Easy mode:", the paragraph before a list that says where to go (the card's first step), purposes
told in sentences ("To restart the band ..., press ...") and a long list entry that tells several
instructions (one step each). Every step is the manual's wording with a verbatim quote."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.verify import is_verbatim
from assistant.cards import CardDrafter, problems
from assistant.cards.alternatives import label_of, pick
from assistant.cards.model import Citation, Step, StepCard

FIXTURES = Path(__file__).parent / "fixtures" / "prose-manuals"


@pytest.fixture(scope="module")
def prose_library(tmp_path_factory, settings, embedder):
    from assistant.index.build import index_paths
    from assistant.index.library import Library

    index = tmp_path_factory.mktemp("prose-idx")
    index_paths([FIXTURES], settings, index_dir=index, progress=False, embedder=embedder, workers=1)
    lib = Library.open(index, settings)
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def prose_drafter(prose_library, embedder):
    from assistant.retrieve import Retriever

    return CardDrafter(prose_library, Retriever(prose_library, embedder=embedder))


def _chunks(library, card) -> dict[str, str]:
    ids = {c.chunk_id for c in card.citations()}
    rows = library.store.db.execute(f"SELECT id, text FROM chunks WHERE id IN ({','.join('?' * len(ids))})", tuple(ids))
    return dict(rows.fetchall())


def _checked(drafter, library, task: str):
    card = drafter.draft(task)
    texts = _chunks(library, card)
    assert problems(card, texts) == []
    for s in card.steps:  # each step is quoted, and the quote holds the step's words
        assert s.citations and all(is_verbatim(c.quote, texts[c.chunk_id]) for c in s.citations)
        assert set(re.findall(r"\w+", s.instruction)) <= set(re.findall(r"\w+", " ".join(c.quote for c in s.citations)))
    return card


def test_a_shared_option_list_gives_the_asked_option_after_its_opener(prose_drafter, prose_library):
    card = _checked(prose_drafter, prose_library, "Switch the sound to mono for one earphone")
    assert [s.instruction for s in card.steps] == [
        "From Settings, tap Accessibility > Hearing enhancements and tap an option:",
        "Mono audio: Switch audio from stereo to mono when using one earphone."]
    assert {c.doc for c in card.citations()} == {"phone_settings.html"}


def test_a_sub_procedure_after_its_intro_is_the_card_not_the_whole_section(prose_drafter, prose_library):
    card = _checked(prose_drafter, prose_library, "Turn off Easy mode")
    assert card.title == "To disable Easy mode"
    assert [s.instruction for s in card.steps] == ["From Settings, tap Display > Standard mode.",
                                                   "Tap Apply to return to the standard layout."]


def test_the_paragraph_that_says_where_to_go_is_the_first_step(prose_drafter, prose_library):
    card = _checked(prose_drafter, prose_library, "Turn on Wi-Fi calling on the band")
    assert [s.instruction for s in card.steps] == [
        "On the Settings screen, tap Connections.", "Tap Wi-Fi calling.", "Tap the switch to turn on Wi-Fi calling.",
        "Follow the prompts to set up your emergency address."]
    assert [s.source_number for s in card.steps] == [None, "1.", "2.", "3."]  # the preamble has no number in the manual
    assert card.steps[0].citations[0].quote == "On the Settings screen, tap Connections."


def test_purposes_told_in_sentences_keep_the_asked_one_and_its_own_steps(prose_drafter, prose_library):
    card = _checked(prose_drafter, prose_library, "Restart the band when it does not respond")
    said = [s.instruction for s in card.steps]
    assert "To restart the band if it is not responsive, press and hold the Side key for more than 7 seconds." in said
    assert said[said.index("To restart the band if it is not responsive, press and hold the Side key for more than 7 seconds.") + 1] \
        == "Release the Side key when the logo appears."
    assert not any(x.startswith("To turn the band off") or x == "Confirm when prompted." for x in said)


def test_a_long_entry_told_in_sentences_is_one_step_per_instruction(prose_drafter, prose_library):
    card = _checked(prose_drafter, prose_library, "Record a workout on the band")
    assert [s.instruction for s in card.steps] == [
        "Swipe to the left on the band screen to switch to the exercise widget screen, where the last workout you recorded is "
        "shown first.", "Tap Select workout and select the exercise type you want from the list.", "Tap Start to start exercising.",
        "Press the Side key to pause the exercise.", "To finish exercising, tap Finish.", "Check your results on the summary screen."]
    assert all(s.detail is None for s in card.steps)  # nothing cut: every instruction fits a headset


def test_entries_are_kept_whole_when_the_task_names_none_of_them():
    texts = ["From Settings, tap Display and tap an option:", "Screen zoom: Configure the zoom level.", "Font size: Set the font size."]
    assert pick(texts, "Open the display settings") == [0, 1, 2]
    assert pick(texts, "Change the font size") == [0, 2]
    assert label_of("Tap Back to save changes.") is None and label_of("NOTE: Removing an icon does not delete the app.") is None


class _CountingLLM:
    name = "fake"

    def __init__(self, reply: str):
        self.reply, self.calls = reply, 0

    def chat(self, messages, max_tokens=256):
        self.calls += 1
        assert messages[-1]["content"].count("<step>") == 2
        return self.reply


def test_the_model_shortens_all_long_steps_in_one_call_and_each_is_checked_alone():
    from assistant.cards.assemble import fit
    from assistant.cards.rephrase import shorten_steps

    a = ("Remove the nine 12 mm screws from the upper back panel of the cooler and put them in a tray so that none is lost "
         "during the repair, because the replacement kit does not include spare screws of this length or this thread pitch, "
         "and a missing screw lets the panel rattle against the frame once the cooler runs again.")
    b = ("Lift the panel off the two hooks at its lower edge and set it aside on a soft cloth so that the painted surface is not "
         "scratched; the panel weighs about 4 kg, so hold it with both hands while you unhook it from the frame of the cooler "
         "and keep your fingers clear of the sharp sheet-metal edges.")
    steps = []
    for n, text in enumerate([a, "Unplug the cooler.", b], start=1):
        instruction, detail = fit(text)
        steps.append(Step(number=n, instruction=instruction if n != 2 else text, detail=detail if n != 2 else None,
                          citations=[Citation(chunk_id="c", doc="m.pdf", page=1, quote=text)]))
    card = StepCard(title="t", task="t", language="en", steps=steps)
    short = ("Remove the nine 12 mm screws from the upper back panel of the cooler and put them in a tray; the replacement kit "
             "does not include spare screws of this length or thread pitch.")
    llm = _CountingLLM(f"1: {short}\n"
                       "3: Lift the panel off the two hooks; it weighs about 5 kg.")  # step 3's rewrite adds a number: refused
    out = shorten_steps(card, llm)
    assert llm.calls == 1
    assert out.steps[0].instruction == short
    assert out.steps[0].detail == a and out.drafted_with == "llm:fake"
    assert out.steps[1] == card.steps[1] and out.steps[2].instruction == card.steps[2].instruction


@pytest.mark.slow
def test_the_bundled_model_shortens_a_prose_card_in_one_call(prose_drafter, prose_library):
    """The real bundled model (CTranslate2 int8 where available) on a card whose long step it must shorten:
    one call for the card, every kept rewrite passes the card's checks, and the card is whole either way."""
    from assistant.cards.rephrase import long_steps, shorten_steps
    from assistant.llm import get_llm
    from assistant.settings import Settings

    llm = get_llm(Settings(llm="local"))
    card = prose_drafter.draft("Record a workout on the band")
    from assistant.cards.assemble import fit

    long_text = " ".join(s.instruction for s in card.steps)  # the entry as one long step, as the manual wrote it
    assert len(long_text) > 280
    quote = Citation(chunk_id=card.steps[0].citations[0].chunk_id, doc="watch_manual.md", page=1, quote=long_text)
    instruction, detail = fit(long_text)
    one = card.model_copy(update={"steps": [card.steps[0].model_copy(update={"instruction": instruction, "detail": detail,
                                                                               "citations": [quote]})]})
    assert long_steps(one) == [0]
    calls, chat = [], llm.chat
    llm.chat = lambda messages, max_tokens=256: calls.append(max_tokens) or chat(messages, max_tokens)
    out = shorten_steps(one, llm)
    assert len(calls) == 1
    assert len(out.steps) == 1 and len(out.steps[0].instruction) <= 280
    assert problems(out, {}) == []  # a kept rewrite fits and holds no number the quote lacks
    if out.drafted_with != "extractive":  # what the model kept is the manual's words
        assert out.steps[0].detail == long_text
