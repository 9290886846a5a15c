"""What the UI's events do: each handler calls one Assistant method (the same as the HTTP API's) and
turns the result into component values with render.py."""
from __future__ import annotations

import mimetypes
import tempfile
from pathlib import Path

import gradio as gr

from assistant.app import CARD_FORMATS as FORMATS
from assistant.app import AssistantError, NoProcedureFound, card_slug, render_card

from . import render
from .examples import example_questions
from .i18n import lang_of

N_EXAMPLES = 3
DOWNLOADS = ("arlem", "html", "md")  # the card formats offered for download, in the order of the buttons


class Handlers:
    def __init__(self, service):
        self.service = service
        self._examples: dict[tuple[int, str], list] = {}  # (library generation, language) -> examples

    # -- header: the open library, and example questions from its documents

    def overview(self, request: gr.Request):
        """The library line (name, documents, passages, pages), then the example questions' group and
        its buttons: shown on page load and after every upload or removal."""
        lang = lang_of(request)
        docs = self.service.documents()
        examples = self.examples(lang) if docs else []
        buttons = [gr.update(value=ex.question, visible=True) for ex in examples]
        buttons += [gr.update(value="", visible=False)] * (N_EXAMPLES - len(buttons))
        return (render.library_html(self.service.root, docs, lang), gr.update(visible=bool(examples)), *buttons)

    def examples(self, lang: str) -> list:
        generation, sections = self.service.sections()
        key = (generation, lang)
        if key not in self._examples:
            self._examples = {key: example_questions(sections, lang, N_EXAMPLES)}
        return self._examples[key]

    # -- chat

    def ask(self, question: str, history: list, records: dict, request: gr.Request):
        """Stream the answer into the chat, then show its sources as chips. The chat so far is the
        conversation: a follow-up is answered as the question it stands for, shown above the answer."""
        q = (question or "").strip()
        if not q:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        conversation = conversation_of(records)
        history = list(history or []) + [{"role": "user", "content": q}, {"role": "assistant", "content": "…"}]
        yield history, "", gr.update(choices=[], value=None, visible=False), [], gr.skip()
        text, final = "", None
        try:
            for item in self.service.stream(q, history=conversation):
                if isinstance(item, str):
                    text += item
                    history[-1] = {"role": "assistant", "content": render.e(text) + " ▍"}
                    yield history, gr.skip(), gr.skip(), gr.skip(), gr.skip()
                else:
                    final = item.to_json()
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": render.error_html(str(exc), lang_of(request))}
            yield history, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield self._show_answer(history, q, final, records)

    def _show_answer(self, history: list, question: str, a: dict, records: dict):
        history[-1] = {"role": "assistant", "content": standalone_html(a) + render.answer_html(a)}
        records = dict(records or {})
        records[str(len(history) - 1)] = {"question": question, "answer": a.get("answer", ""),
                                          "sources": a.get("citations") or a.get("sources") or [], "refused": a.get("refused", False)}
        cites = render.citations_of(a)
        chips = gr.update(choices=render.chip_labels(a), value=None, visible=bool(cites))
        return history, gr.skip(), chips, cites, records

    def open_citation(self, cites: list, evt: gr.SelectData, request: gr.Request):
        """The passage behind a chip with the quote marked, and its PDF page with the quote boxed."""
        lang = lang_of(request)
        try:
            c = cites[int(evt.index)]
            p = self.service.passage(c["chunk_id"])
            img, marked = None, None
            if p["document"]["format"] == "pdf":
                img, marked = self.service.page_image(p["document"]["id"], p["page"], [c["quote"]] if c["quote"] else [])
        except (IndexError, TypeError, ValueError):
            return gr.skip(), gr.skip()
        except AssistantError as exc:
            return render.error_html(str(exc), lang), gr.update(value=None, visible=False)
        return render.passage_html(p, c["quote"], lang, marked), gr.update(value=img, visible=img is not None)

    def like(self, records: dict, evt: gr.LikeData):
        idx = evt.index if isinstance(evt.index, int) else evt.index[0]
        rec = (records or {}).get(str(idx))
        if rec is None:
            return
        rating = "up" if evt.liked is True or evt.liked == "Like" else "down"
        self.service.feedback.add(rating, rec["question"], rec["answer"], rec["sources"], origin="ui")
        gr.Info("Thanks, noted." if rating == "up" else "Thanks, noted: this answer will be reviewed.")

    def voice(self, audio_path: str | None, history: list, records: dict, session_id: str, request: gr.Request):
        """A recorded question through the voice pipeline; transcript and answer go into the chat."""
        if not audio_path:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        lang = lang_of(request)
        path = Path(audio_path)
        try:
            resp = self.service.voice(path.read_bytes(), path.name, mimetypes.guess_type(path.name)[0], session_id, None)
        except AssistantError as exc:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), render.error_html(str(exc), lang), gr.update(value=None, visible=False)
        transcript, a = voice_answer(resp)
        history = list(history or []) + [{"role": "user", "content": render.labels(lang)["voice_q"] + " " + render.e(transcript)}, {"role": "assistant", "content": ""}]
        history, _, chips, cites, records = self._show_answer(history, transcript, a, records)
        speech = spoken_audio(resp)
        return history, chips, cites, records, "", gr.update(value=speech, visible=speech is not None)

    # -- step cards

    def card(self, task: str, request: gr.Request):
        lang = lang_of(request)
        hidden = gr.update(value=None, visible=False)
        if not (task or "").strip():
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            card = self.service.draft_card(task)
        except NoProcedureFound as exc:
            return render.no_card_html(task, str(exc), lang), hidden, hidden, hidden
        except AssistantError as exc:
            return render.error_html(str(exc), lang), hidden, hidden, hidden
        arlem, html_file, md = write_exports(card)
        ids = {d["name"]: d["id"] for d in self.service.documents()}

        def figure_png(m):  # a step's figure, cut from its page (None: the card names it only)
            return self.service.figure_image(ids[m.doc], m.label) if m.doc in ids and m.label else None

        return (render.card_html(card, figure_png), gr.update(value=arlem, visible=True), gr.update(value=html_file, visible=True),
                gr.update(value=md, visible=True))

    # -- library

    def library_view(self, request: gr.Request):
        lang = lang_of(request)
        docs = self.service.documents()
        choices = [(f"{d['id']} · {d['name']}", d["id"]) for d in docs]
        return (render.documents_html(docs, lang), gr.update(choices=choices, value=None),
                render.errors_html(list(self.service.errors), lang))

    def upload(self, files: list | None, request: gr.Request, progress=gr.Progress()):
        lang = lang_of(request)
        files = [f for f in (files or []) if f]
        results = []
        for i, f in enumerate(files):
            name = Path(f).name
            progress((i, len(files)), desc=f"{name}", unit="files")
            try:
                with open(f, "rb") as src:
                    rep = self.service.add_document(src, name)
                doc = rep.get("document") or {}
                results.append((name, True, f"{doc.get('chunks', rep.get('chunks', 0))} passages, {doc.get('pages', '?')} pages"))
            except AssistantError as exc:
                results.append((name, False, str(exc)))
        progress(1.0)
        return (render.upload_result_html(results, lang), *self.library_view(request), None)

    def delete(self, doc_id, request: gr.Request):
        lang = lang_of(request)
        if doc_id is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            out = self.service.delete_document(int(doc_id))
            status = render.upload_result_html([(out["deleted"]["name"], True, "removed")], lang)
        except AssistantError as exc:
            status = render.error_html(str(exc), lang)
        return (status, *self.library_view(request))


STANDALONE = {"en": "Understood as:", "zh": "理解为："}


def conversation_of(records: dict) -> list[dict]:
    """The chat so far as {role, content, citations} messages (what Assistant.ask takes as history), from
    the records kept per answer; a refusal's closest sources are not its citations."""
    out = []
    for _, rec in sorted((records or {}).items(), key=lambda kv: int(kv[0])):
        out.append({"role": "user", "content": rec["question"]})
        out.append({"role": "assistant", "content": rec["answer"], "citations": [] if rec.get("refused") else rec["sources"]})
    return out


def standalone_html(a: dict) -> str:
    """The line above a follow-up's answer that says which question was answered ("" when it was asked as it stands)."""
    q = a.get("standalone_question")
    if not q:
        return ""
    label = STANDALONE["zh" if a.get("language") == "zh" else "en"]
    return (f'<div class="ma-standalone" style="opacity:.75;font-size:.9em;margin-bottom:.4em">'
            f'{render.e(label)} <em>{render.e(q)}</em></div>')


def voice_answer(resp: dict) -> tuple[str, dict]:
    """(transcript, answer JSON) from the voice pipeline's response, whichever of the usual shapes it has."""
    transcript = str(resp.get("transcript") or resp.get("question") or resp.get("text") or "")
    a = resp.get("answer")
    if not isinstance(a, dict):
        a = {"answer": str(a or ""), "citations": resp.get("citations", []), "warnings": resp.get("warnings", []),
             "refused": bool(resp.get("refused", False)), "sources": resp.get("sources", []), "language": resp.get("language", "en")}
        if resp.get("standalone_question"):
            a["standalone_question"] = resp["standalone_question"]
    return transcript, a


def spoken_audio(resp: dict) -> str | None:
    """The voice pipeline's spoken answer as a WAV file for the player, or None."""
    import base64

    data = resp.get("audio_wav_base64")
    if not data:
        return None
    fd, name = tempfile.mkstemp(prefix="ma-voice-", suffix=".wav")
    with open(fd, "wb") as f:
        f.write(base64.b64decode(data))
    return name


def write_exports(card) -> tuple[str, str, str]:
    """The card as ARLEM JSON, HTML and Markdown files in a fresh temporary folder (for the downloads)."""
    folder = Path(tempfile.mkdtemp(prefix="ma-card-"))
    base = card_slug(card)
    files = {base + FORMATS[f].suffix: render_card(card, f) for f in DOWNLOADS}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tuple(str(folder / n) for n in files)
