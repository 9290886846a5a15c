"""The web chat UI: build_ui(service) returns the gr.Blocks; assistant.api mounts it at / of the
FastAPI app (launching is the server's job, never a share link).

Three tabs: Ask (streamed, cited answers; source chips open the passage and the marked PDF page;
thumbs up/down; a microphone through the voice pipeline), Step card (numbered steps, warnings in
red boxes before their step, tools and parts up front, ARLEM/HTML/Markdown downloads) and Library
(upload with progress, list, remove, indexing errors). Labels follow the browser's language (en, zh).
"""
from __future__ import annotations

import uuid

from assistant.ingest import EXTENSIONS

from .handlers import Handlers
from .i18n import t


def build_ui(service):
    import gradio as gr

    h = Handlers(service)
    with gr.Blocks(title="Maintenance assistant · 维修知识助手", analytics_enabled=False) as blocks:
        with gr.Column(elem_id="ma-header"):
            gr.Markdown(t("title"), elem_id="ma-title", elem_classes=["ma-h1"])
            gr.Markdown(t("subtitle"), elem_id="ma-subtitle")
        with gr.Tabs():
            with gr.Tab(t("tab_ask"), id="ask", elem_id="tab-ask"):
                _ask_tab(gr, h)
            with gr.Tab(t("tab_card"), id="card", elem_id="tab-card"):
                _card_tab(gr, h)
            with gr.Tab(t("tab_library"), id="library", elem_id="tab-library") as library_tab:
                view = _library_tab(gr, h, blocks)
            library_tab.select(h.library_view, None, view)
    return blocks


def _ask_tab(gr, h: Handlers) -> None:
    records, cites = gr.State({}), gr.State([])
    session = gr.State(lambda: uuid.uuid4().hex)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(label=t("chat"), elem_id="chat", height=560, buttons=["copy"],
                              feedback_options=("Like", "Dislike"), placeholder=None, autoscroll=True)
            chips = gr.Radio(choices=[], label=t("chips"), elem_id="cite-chips", visible=False, interactive=True)
            with gr.Row(equal_height=True):
                question = gr.Textbox(label=t("question"), placeholder=t("question_ph"), elem_id="question", scale=5,
                                      lines=1, max_lines=4, autofocus=True, submit_btn=False)
                send = gr.Button(t("send"), variant="primary", elem_id="ask-btn", scale=1, min_width=90)
            with gr.Accordion(t("voice"), open=False, elem_id="voice"):
                mic = gr.Audio(sources=["microphone", "upload"], type="filepath", label=t("mic"), elem_id="mic")
                reply = gr.Audio(label=t("reply"), autoplay=True, visible=False, interactive=False, elem_id="voice-reply")
                voice_status = gr.HTML(elem_id="voice-status")
        with gr.Column(scale=2):
            gr.Markdown(t("source_hint"), elem_id="source-hint")
            passage = gr.HTML("", elem_id="passage")
            page = gr.Image(label=t("page"), type="pil", elem_id="page-image", visible=False, interactive=False,
                            height=640, buttons=["fullscreen", "download"])
    outs = [chat, question, chips, cites, records]
    send.click(h.ask, [question, chat, records], outs)
    question.submit(h.ask, [question, chat, records], outs)
    chips.select(h.open_citation, [cites], [passage, page])
    chat.like(h.like, [records], None)
    voice_out = [chat, chips, cites, records, voice_status, reply]
    mic.stop_recording(h.voice, [mic, chat, records, session], voice_out)
    mic.upload(h.voice, [mic, chat, records, session], voice_out)


def _card_tab(gr, h: Handlers) -> None:
    with gr.Row(equal_height=True):
        task = gr.Textbox(label=t("task"), placeholder=t("task_ph"), elem_id="task", scale=5, lines=1)
        make = gr.Button(t("make_card"), variant="primary", elem_id="card-btn", scale=1, min_width=140)
    with gr.Row():
        dl = [gr.DownloadButton(t(k), visible=False, elem_id=f"dl-{k[3:]}", size="sm", variant="secondary")
              for k in ("dl_arlem", "dl_html", "dl_md")]
    card = gr.HTML(elem_id="card")
    make.click(h.card, [task], [card, *dl])
    task.submit(h.card, [task], [card, *dl])


def _library_tab(gr, h: Handlers, blocks):
    kinds = sorted(EXTENSIONS)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            files = gr.File(label=t("upload"), file_count="multiple", file_types=kinds, elem_id="upload", height=160)
            add = gr.Button(t("upload_btn"), variant="primary", elem_id="upload-btn")
            status = gr.HTML(elem_id="upload-status")
        with gr.Column(scale=1):
            gr.Markdown(t("index_errors"), elem_classes=["ma-h3"])
            errors = gr.HTML(elem_id="index-errors")
    gr.Markdown(t("documents"), elem_classes=["ma-h3"])
    docs = gr.HTML(elem_id="documents")
    with gr.Row(equal_height=True):
        which = gr.Dropdown(label=t("delete_doc"), choices=[], elem_id="delete-doc", scale=4)
        remove = gr.Button(t("delete_btn"), variant="stop", elem_id="delete-btn", scale=1)
        refresh = gr.Button(t("refresh"), elem_id="refresh-btn", scale=1)
    view = [docs, which, errors]
    add.click(h.upload, [files], [status, *view, files])
    remove.click(h.delete, [which], [status, *view])
    refresh.click(h.library_view, None, view)
    blocks.load(h.library_view, None, view)
    return view
