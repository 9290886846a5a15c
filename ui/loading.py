"""What the web page shows before gradio's script has loaded, and the language the person chose.

gradio's page is an empty <gradio-app> element until its JavaScript (a few MB) has loaded and asked
for the app's configuration: on a slow plant network that is seconds of a blank page. `LoadingPage`
(ASGI middleware on the page's own URL only) writes a static notice into that HTML, in the person's
language, which the app removes once it has rendered.

The English/中文 switch in the header stores the choice in the `ma_lang` cookie and reloads: a small
script here makes gradio's label lookup (which reads navigator.language) see that choice, and the
handlers read the same cookie for the HTML they write (i18n.lang_of).
"""
from __future__ import annotations

import html

from .i18n import COOKIE, lang_from_headers

NOTICE = {"en": ("Maintenance assistant", "Loading the maintenance assistant…", "This page needs JavaScript."),
          "zh": ("维修知识助手", "正在加载维修知识助手…", "此页面需要启用 JavaScript。")}

# runs before gradio's module script (classic scripts run while the page is parsed; modules after)
_SCRIPT = """<script>(function () {
  var m = document.cookie.match(/(?:^|;\\s*)%(cookie)s=(en|zh)\\b/);
  if (m) {
    var l = m[1] === "zh" ? "zh-CN" : "en-US";
    try {
      Object.defineProperty(navigator, "language", {get: function () { return l; }, configurable: true});
      Object.defineProperty(navigator, "languages", {get: function () { return [l]; }, configurable: true});
    } catch (e) {}
  }
  function done() {
    if (document.querySelector("gradio-app .gradio-container")) {
      var d = document.getElementById("ma-loading");
      if (d) d.remove();
      return true;
    }
    return false;
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (done()) return;
    var o = new MutationObserver(function () { if (done()) o.disconnect(); });
    o.observe(document.body, {childList: true, subtree: true});
  });
})();</script>"""


def notice_html(lang: str) -> str:
    title, text, noscript = NOTICE["zh" if lang == "zh" else "en"]
    return (f'<div id="ma-loading" role="status" aria-live="polite" style="font-family: system-ui, sans-serif; '
            f'color: #1f2937; text-align: center; padding: 18vh 24px 0">'
            f'<div style="font-size: 26px; font-weight: 700; margin-bottom: 10px">{html.escape(title)}</div>'
            f'<div class="ma-loading-text" style="font-size: 17px">{html.escape(text)}</div>'
            f'<noscript><div style="margin-top: 12px; color: #a01616">{html.escape(noscript)}</div></noscript></div>')


def inject(page: bytes, lang: str) -> bytes:
    """gradio's page with the language script at the end of <head> and the notice first in <body>."""
    text = page.decode("utf-8")
    script = _SCRIPT % {"cookie": COOKIE}
    head_end = text.find("</head>")
    if head_end >= 0:
        text = text[:head_end] + script + text[head_end:]
    body = text.find("<body")
    body_end = text.find(">", body) if body >= 0 else -1
    if body_end >= 0:
        text = text[: body_end + 1] + notice_html(lang) + text[body_end + 1:]
    return text.encode("utf-8")


class LoadingPage:
    """ASGI middleware: GET `path` answered with HTML gets the loading notice (see the module doc)."""

    def __init__(self, app, path: str = "/"):
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        lang = lang_from_headers(headers.get("cookie", ""), headers.get("accept-language", ""))
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_page(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            out_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            kinds = {k.lower(): v for k, v in start.get("headers", [])}
            if (start["status"] == 200 and kinds.get(b"content-type", b"").startswith(b"text/html")
                    and b"content-encoding" not in kinds):
                body = inject(body, lang)
            out_headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": out_headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_page)
