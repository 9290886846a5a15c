"""UI labels in English and Chinese (gradio's I18n). The language is the one chosen with the header's
switch (the `ma_lang` cookie), else the browser's."""
from __future__ import annotations

EN = {
    "ma_title": "Maintenance assistant",
    "ma_subtitle": "Answers from your manuals with the page behind every line, or a plain “not in the manuals”.",
    "ma_tab_ask": "Ask", "ma_tab_card": "Step card", "ma_tab_library": "Library",
    "ma_chat": "Conversation", "ma_question": "Your question",
    "ma_question_ph": "e.g. What torque for the filter housing cover on the HP-3?",
    "ma_send": "Ask", "ma_chips": "Sources: click one to open the passage and its page",
    "ma_source_hint": "Click a source under the answer to see the quoted passage and the manual page here.",
    "ma_page": "Manual page", "ma_voice": "Ask by voice", "ma_mic": "Record or upload a question", "ma_reply": "Spoken answer",
    "ma_task": "Task", "ma_task_ph": "e.g. Replace the return-line filter element on the HP-3",
    "ma_make_card": "Make step card", "ma_dl_arlem": "ARLEM JSON", "ma_dl_html": "HTML", "ma_dl_md": "Markdown",
    "ma_upload": "Add documents (PDF, DOCX, HTML, Markdown, text)", "ma_upload_btn": "Add to library",
    "ma_documents": "Documents", "ma_delete_doc": "Document to remove", "ma_delete_btn": "Remove", "ma_refresh": "Refresh",
    "ma_index_errors": "Indexing errors",
    "ma_lang": "Language", "ma_examples": "Try a question from your manuals",
}
ZH = {
    "ma_title": "维修知识助手",
    "ma_subtitle": "基于手册回答，每一句都注明出处页码；手册里没有的，直接告诉你。",
    "ma_tab_ask": "问答", "ma_tab_card": "步骤卡", "ma_tab_library": "资料库",
    "ma_chat": "对话", "ma_question": "你的问题",
    "ma_question_ph": "例如：HP-3 滤壳盖的拧紧力矩是多少？",
    "ma_send": "提问", "ma_chips": "出处：点击查看原文段落和手册页面",
    "ma_source_hint": "点击回答下方的出处，在这里查看引用的段落和手册页面。",
    "ma_page": "手册页面", "ma_voice": "语音提问", "ma_mic": "录音或上传问题", "ma_reply": "语音回答",
    "ma_task": "任务", "ma_task_ph": "例如：更换 HP-3 回油滤芯",
    "ma_make_card": "生成步骤卡", "ma_dl_arlem": "ARLEM JSON", "ma_dl_html": "HTML", "ma_dl_md": "Markdown",
    "ma_upload": "添加文档（PDF、DOCX、HTML、Markdown、文本）", "ma_upload_btn": "加入资料库",
    "ma_documents": "文档", "ma_delete_doc": "要删除的文档", "ma_delete_btn": "删除", "ma_refresh": "刷新",
    "ma_index_errors": "索引错误",
    "ma_lang": "语言", "ma_examples": "试试这些来自手册的问题",
}


PREFIX = "ma_"


def i18n():
    import gradio as gr

    return gr.I18n(en=EN, zh=ZH, **{"zh-CN": ZH, "zh-TW": ZH})


def t(key: str):
    """A translatable label for a component."""
    from gradio.i18n import I18nData

    return I18nData(PREFIX + key)  # prefixed: gradio's own translations use keys like "errors"


COOKIE = "ma_lang"


def lang_from_headers(cookie: str, accept_language: str) -> str:
    """'zh' or 'en': the `ma_lang` cookie when set, else the browser's first language."""
    from http.cookies import CookieError, SimpleCookie

    try:
        jar = SimpleCookie(cookie or "")
    except CookieError:
        jar = SimpleCookie()
    chosen = jar[COOKIE].value if COOKIE in jar else ""
    if chosen in ("en", "zh"):
        return chosen
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def lang_of(request) -> str:
    """'zh' or 'en' for the HTML the handlers write: the switch's choice, else the browser's language."""
    try:
        headers = request.headers if request is not None else {}
        return lang_from_headers(headers.get("cookie", ""), headers.get("accept-language", ""))
    except AttributeError:
        return "en"
