"""The web chat UI: build_ui(assistant) returns the gr.Blocks over an assistant.app.Assistant; assistant.api mounts it at / of the
FastAPI app (launching is the server's job, never a share link).

A header with the open library and its size, and an English/中文 switch; then three tabs: Ask
(three example questions made from the library's own headings, a click asks one; streamed, cited
answers; source chips open the passage and the marked PDF page; thumbs up/down; a microphone through
the voice pipeline), Step card (numbered steps, warnings in red boxes before their step, tools and
parts up front, ARLEM/HTML/Markdown downloads) and Library (upload with progress, list, remove,
indexing errors). Labels follow the switch, else the browser's language (en, zh). Until gradio's
script has loaded, the page shows a static loading notice (loading.py).
"""
from __future__ import annotations

import uuid

from assistant.app import EXTENSIONS

from .handlers import N_EXAMPLES, Handlers
from .i18n import COOKIE, t

# the switch stores the choice and reloads: gradio reads its labels' language once, at start-up
_LANG_NOW = "() => ((navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en')"
_LANG_SET = ("(v) => { if (v === 'en' || v === 'zh') { document.cookie = '%s=' + v + '; path=/; max-age=31536000; SameSite=Lax';"
             " window.location.reload(); } return []; }" % COOKIE)


def build_ui(service):
    import gradio as gr

    h = Handlers(service)
    with gr.Blocks(title="Maintenance assistant · 维修知识助手", analytics_enabled=False) as blocks:
        with gr.Row(elem_id="ma-header", equal_height=False):
            with gr.Column(scale=5, min_width=320):
                gr.Markdown(t("title"), elem_id="ma-title", elem_classes=["ma-h1"])
                gr.Markdown(t("subtitle"), elem_id="ma-subtitle")
                library = gr.HTML(elem_id="ma-library")
            with gr.Column(scale=1, min_width=170):
                lang = gr.Radio(choices=[("English", "en"), ("中文", "zh")], value=None, label=t("lang"), elem_id="ma-lang",
                                interactive=True)
        with gr.Tabs():
            with gr.Tab(t("tab_ask"), id="ask", elem_id="tab-ask"):
                examples = _ask_tab(gr, h)
            with gr.Tab(t("tab_card"), id="card", elem_id="tab-card"):
                _card_tab(gr, h)
            with gr.Tab(t("tab_library"), id="library", elem_id="tab-library") as library_tab:
                view, changed = _library_tab(gr, h, blocks)
            library_tab.select(h.library_view, None, view)
        overview = [library, *examples]
        blocks.load(h.overview, None, overview)
        for event in changed:  # an upload or a removal changes the library's size and its example questions
            event.then(h.overview, None, overview)
        blocks.load(None, None, [lang], js=_LANG_NOW)
        lang.input(None, [lang], None, js=_LANG_SET)
    return blocks


def _ask_tab(gr, h: Handlers) -> list:
    """The Ask tab; returns the example questions' group and buttons (filled in by h.overview)."""
    records, cites = gr.State({}), gr.State([])
    session = gr.State(lambda: uuid.uuid4().hex)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(label=t("chat"), elem_id="chat", height=560, buttons=["copy"],
                              feedback_options=("Like", "Dislike"), placeholder=None, autoscroll=True)
            chips = gr.Radio(choices=[], label=t("chips"), elem_id="cite-chips", visible=False, interactive=True)
            with gr.Column(elem_id="ma-examples", visible=False) as example_box:
                gr.Markdown(t("examples"), elem_classes=["ma-examples-label"])
                with gr.Row(equal_height=True):
                    buttons = [gr.Button("", elem_id=f"example-{i}", elem_classes=["ma-example"], size="sm", variant="secondary",
                                         visible=False) for i in range(N_EXAMPLES)]
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
    for b in buttons:  # a click asks the question the button shows
        b.click(h.ask, [b, chat, records], outs)
    chips.select(h.open_citation, [cites], [passage, page])
    chat.like(h.like, [records], None)
    voice_out = [chat, chips, cites, records, voice_status, reply]
    mic.stop_recording(h.voice, [mic, chat, records, session], voice_out)
    mic.upload(h.voice, [mic, chat, records, session], voice_out)
    return [example_box, *buttons]


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
    added = add.click(h.upload, [files], [status, *view, files])
    removed = remove.click(h.delete, [which], [status, *view])
    refreshed = refresh.click(h.library_view, None, view)
    blocks.load(h.library_view, None, view)
    return view, [added, removed, refreshed]
