"""The web UI end to end: a real server on loopback and Debian's Chromium driven by Playwright. Ask a
question and see a cited answer, open a citation (passage and marked PDF page), rate the answer,
make a step card and download it, upload and remove a document, Chinese labels, the login page; the
loading notice before the app's script runs, the open library and its size in the header, three
example questions made from the library's documents (a click asks one), the English/中文 switch.
A screenshot of each lands in test-artifacts/."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
KEY = "ui-test-key-7f3a"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright  # the [test] extra; its own browser download is not used

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def service(sample_index, settings, embedder, tmp_path_factory):
    from assistant.api import assistant_for
    from assistant.api.settings import ServerSettings

    lib = tmp_path_factory.mktemp("ui") / "library"
    shutil.copytree(sample_index, lib)
    server = ServerSettings(api_keys="", rate_limit_per_minute=0, feedback_db=lib.parent / "feedback.sqlite")
    return assistant_for(settings.model_copy(update={"index_dir": lib}), server, embedder=embedder)


def _server(service, **fields):
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.settings import ServerSettings

    server = ServerSettings(**({"api_keys": "", "rate_limit_per_minute": 0, "feedback_db": service.feedback.path} | fields))
    return BackgroundServer(create_app(service.settings, server, assistant=service))


@pytest.fixture(scope="module")
def url(service):
    with _server(service) as u:
        yield u


def _open(browser, url, locale="en-US"):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale=locale, accept_downloads=True)
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea", timeout=60_000)
    return page


def _ask(page, question):
    page.fill("#question textarea", question)
    page.click("#ask-btn")
    page.wait_for_selector("#chat .ma-answer, #chat .ma-refusal", timeout=120_000)
    page.wait_for_selector("#cite-chips label", timeout=30_000)


def _headings(service) -> dict[str, set[str]]:
    """Each document's section headings (numbering removed, lower case), read from the library itself."""
    out: dict[str, set[str]] = {}
    rows = service.library.store.db.execute("SELECT d.name, c.section FROM chunks c JOIN documents d ON d.id = c.doc_id").fetchall()
    for name, section in rows:
        for h in json.loads(section)[1:]:  # the first is the document's title
            h = re.sub(r"^\s*\d+(?:\.\d+)*\.?\s+", "", h).strip().lower()
            if len(h.split()) >= 2 or re.search(r"[\u4e00-\u9fff]", h):
                out.setdefault(name, set()).add(h)
    return out


def _examples(page) -> list[str]:
    page.wait_for_selector("#example-0", state="visible", timeout=30_000)
    return [page.locator(f"#example-{i}").inner_text().strip() for i in range(3) if page.locator(f"#example-{i}").is_visible()]


def test_page_shows_a_loading_notice_until_the_app_has_loaded(browser, url, artifacts):
    import urllib.request

    def first_html(lang):
        req = urllib.request.Request(url, headers={"Accept-Language": lang})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read().decode("utf-8")

    assert 'id="ma-loading"' in first_html("en-US") and "Loading the maintenance assistant…" in first_html("en-US")
    assert "正在加载维修知识助手…" in first_html("zh-CN,zh;q=0.9")
    # before any script has run (here: never), the notice is what a person sees, not a blank page
    ctx = browser.new_context(viewport={"width": 1000, "height": 500}, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="load")
        assert page.locator("#ma-loading").is_visible()
        assert "Loading the maintenance assistant…" in page.locator("#ma-loading").inner_text()
        page.screenshot(path=str(artifacts / "ui-loading.png"))
    finally:
        ctx.close()
    page = _open(browser, url)
    try:
        assert page.locator("#ma-loading").count() == 0  # the app replaced it
    finally:
        page.close()


def test_header_names_the_library_and_its_size(browser, url, service):
    docs = service.documents()
    n_docs, n_chunks, n_pages = len(docs), service.library.store.count_chunks(), sum(d["pages"] for d in docs)
    assert n_docs >= 5 and n_chunks > n_docs
    page = _open(browser, url)
    try:
        page.wait_for_selector("#ma-library .ma-library", timeout=30_000)
        line = page.locator("#ma-library").inner_text()
        assert service.root.name in line
        assert f"{n_docs} documents" in line and f"{n_chunks} passages" in line and f"{n_pages} pages" in line, line
    finally:
        page.close()


def test_three_example_questions_from_the_library_ask_when_clicked(browser, url, service, artifacts):
    headings = _headings(service)
    page = _open(browser, url)
    try:
        examples = _examples(page)
        assert len(examples) == 3 and len(set(examples)) == 3, examples
        sources = []
        for q in examples:  # each is made from a heading of one of the library's documents
            docs = [name for name, hs in headings.items() if any(h in q.lower() for h in hs)]
            assert docs, f"{q!r} matches no heading of the library's documents"
            sources.append(docs[0])
        assert len(set(sources)) == 3, sources  # three different documents
        page.screenshot(path=str(artifacts / "ui-examples.png"), full_page=True)

        page.click("#example-0")
        page.wait_for_selector("#chat .ma-answer", timeout=120_000)
        page.wait_for_selector("#cite-chips label", timeout=30_000)
        assert examples[0] in page.locator("#chat").inner_text()  # the question asked is the example's
        cited = " ".join(page.locator("#cite-chips label").all_inner_texts())
        assert sources[0] in cited, (examples[0], cited)  # answered from the document the question came from
        page.screenshot(path=str(artifacts / "ui-example-answer.png"), full_page=True)
    finally:
        page.close()


def test_language_switch_changes_the_labels(browser, url, artifacts):
    page = _open(browser, url)
    try:
        switch = page.locator("#ma-lang")
        assert switch.is_visible() and "English" in switch.inner_text() and "中文" in switch.inner_text()
        page.wait_for_function("() => document.querySelector('#ma-lang input[value=en]')?.checked", timeout=30_000)
        assert page.get_by_role("tab", name="Ask").is_visible()
        switch.locator("label", has_text="中文").click()
        page.wait_for_selector("#ma-library .ma-library", timeout=60_000)  # reloaded
        page.get_by_role("tab", name="问答").wait_for(timeout=60_000)
        assert "提问" in page.locator("#ask-btn").inner_text()
        assert page.locator("#ma-library").inner_text().startswith("资料库")
        assert re.search(r"[\u4e00-\u9fff]", _examples(page)[0])  # a Chinese manual's question comes first
        assert page.locator("#ma-lang input[value=zh]").is_checked()
        page.screenshot(path=str(artifacts / "ui-switch-zh.png"), full_page=True)
        page.locator("#ma-lang label", has_text="English").click()
        page.get_by_role("tab", name="Ask").wait_for(timeout=60_000)
        assert "Ask" in page.locator("#ask-btn").inner_text()
    finally:
        page.close()


def test_ask_see_cited_answer_open_citation_and_rate(browser, url, service, artifacts):
    page = _open(browser, url)
    try:
        _ask(page, "What torque for the filter housing cover on the HP-3?")
        answer = page.locator("#chat .ma-answer").last
        assert "25 N·m" in answer.inner_text()
        assert page.locator("#chat .ma-sources .ma-chip").count() >= 1
        chips = page.locator("#cite-chips label")
        # the maintenance manual's technical data table (its "Filter housing cover torque | 25 N·m" row)
        assert "hp3_pump_manual.pdf" in chips.first.inner_text()
        page.screenshot(path=str(artifacts / "ui-ask.png"), full_page=True)

        chips.first.click()
        page.wait_for_selector("#passage .ma-passage mark", timeout=30_000)
        assert "25 N·m" in page.locator("#passage").inner_text() and page.locator("#passage mark").count() >= 1
        # a PDF citation: the page image appears with the quote boxed on it
        pdf_chip = page.locator("#cite-chips label", has_text=".pdf")
        if not pdf_chip.count():
            _ask(page, "How do I replace the return-line filter element?")
            pdf_chip = page.locator("#cite-chips label", has_text=".pdf")
        pdf_chip.first.click()
        page.wait_for_selector("#page-image img", timeout=30_000)
        assert "The quote is marked on the page." in page.locator("#passage").inner_text()
        page.screenshot(path=str(artifacts / "ui-citation.png"), full_page=True)

        page.locator("#chat button[aria-label='Dislike']").last.click()
        page.wait_for_timeout(1500)
        rows = service.feedback.recent()
        assert rows and rows[0]["rating"] == "down" and rows[0]["origin"] == "ui" and rows[0]["sources"]
    finally:
        page.close()


def test_make_step_card_and_download_it(browser, url, artifacts, tmp_path):
    page = _open(browser, url)
    try:
        page.get_by_role("tab", name="Step card").click()
        page.fill("#task textarea", "Replace the return-line filter element on the HP-3")
        page.click("#card-btn")
        page.wait_for_selector("#card .ma-card", timeout=120_000)
        card = page.locator("#card .ma-card")
        steps = card.locator("ol.ma-steps > li")
        assert steps.count() >= 10
        assert [int(n) for n in card.locator(".ma-num").all_inner_texts()] == list(range(1, steps.count() + 1))
        # tools and parts come before the steps; each warning sits in a red box before its step
        html = card.inner_html()
        assert html.index("ma-tools") < html.index("ma-steps")
        first_warning = card.locator("ol.ma-steps .ma-warn").first
        assert "WARNING" in first_warning.inner_text()
        color = first_warning.evaluate("el => getComputedStyle(el).borderTopColor")
        assert color == "rgb(198, 40, 40)", color
        assert first_warning.evaluate("el => el.nextElementSibling.classList.contains('ma-step')")
        page.screenshot(path=str(artifacts / "ui-card.png"), full_page=True)

        with page.expect_download() as dl:
            page.click("#dl-arlem")
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(target)
        arlem = json.loads(target.read_text(encoding="utf-8"))
        assert set(arlem) == {"activity", "workplace"} and arlem["activity"]["actions"]
        assert page.locator("#dl-html").is_visible() and page.locator("#dl-md").is_visible()
    finally:
        page.close()


def test_upload_list_and_remove_a_document(browser, url, service, artifacts, tmp_path):
    before = len(service.documents())
    doc = tmp_path / "k7_compressor_service.md"
    doc.write_text("# Compressor K-7 service\n\n## Drive belt\n\nCheck the K-7 drive belt tension every 250 operating hours.\n\n"
                   "WARNING: Lock out the K-7 before opening the belt guard.\n\n## Replacing the drive belt\n\n"
                   "1. Remove the belt guard.\n2. Slacken the motor base and fit the new belt.\n", encoding="utf-8")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"this is not a PDF")
    page = _open(browser, url)
    try:
        page.get_by_role("tab", name="Library").click()
        page.wait_for_selector("#documents table", timeout=30_000)
        page.set_input_files("#upload input[type=file]", [str(doc), str(bad)])
        page.wait_for_selector("#upload .file-preview, #upload table", timeout=30_000)
        page.click("#upload-btn")
        page.wait_for_selector("#upload-status li", timeout=120_000)
        status = page.locator("#upload-status").inner_text()
        assert "k7_compressor_service.md" in status and "scan.pdf" in status
        assert page.locator("#upload-status .ok").count() == 1 and page.locator("#upload-status .bad").count() == 1
        assert "k7_compressor_service.md" in page.locator("#documents table").inner_text()
        assert "scan.pdf" in page.locator("#index-errors").inner_text()
        page.wait_for_timeout(800)  # let the file box settle before the screenshot
        page.screenshot(path=str(artifacts / "ui-upload.png"), full_page=True)
        # the header and the example questions follow the library
        page.wait_for_function("() => document.querySelector('#ma-library').innerText.includes('%d documents')" % (before + 1),
                               timeout=30_000)
        page.get_by_role("tab", name="Ask").click()
        assert "What are the steps for replacing the drive belt on the K-7?" in _examples(page)
        page.get_by_role("tab", name="Library").click()

        page.locator("#delete-doc input").click()
        page.get_by_role("option", name="k7_compressor_service.md").click()
        page.click("#delete-btn")
        page.wait_for_function("() => !document.querySelector('#documents table').innerText.includes('k7_compressor_service.md')",
                               timeout=60_000)
        page.wait_for_function("() => document.querySelector('#ma-library').innerText.includes('%d documents')" % before,
                               timeout=30_000)
        page.get_by_role("tab", name="Ask").click()
        assert not any("K-7" in q for q in _examples(page))
    finally:
        page.close()


def test_ask_by_voice(browser, url, artifacts, tmp_path):
    import importlib.util

    if importlib.util.find_spec("assistant.voice") is None or importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("the voice pipeline is not installed: pip install -e '.[voice]'")
    from tests.speech import Speech  # the bundled Piper voice says the question

    wav = Speech(tmp_path).path("What torque for the filter housing cover on the H P 3?", speed=1.1)
    page = _open(browser, url)
    try:
        page.locator("#voice").click()  # open the accordion
        page.locator("#mic button[aria-label='Upload file']").click()  # the recorder's file source (no microphone here)
        page.set_input_files("#mic input[type=file]", str(wav))
        page.wait_for_selector("#chat .ma-answer, #chat .ma-refusal, #voice-status .ma-refusal", timeout=180_000)
        assert not page.locator("#voice-status .ma-refusal").count(), page.locator("#voice-status").inner_text()
        assert "(voice)" in page.locator("#chat").inner_text() and "torque" in page.locator("#chat").inner_text().lower()
        page.wait_for_selector("#voice-reply audio, #voice-reply [data-testid='waveform-Spoken answer']", state="attached", timeout=30_000)
        assert "25 N·m" in page.locator("#chat .ma-answer").last.inner_text()
        page.screenshot(path=str(artifacts / "ui-voice.png"), full_page=True)
    finally:
        page.close()


def test_labels_in_chinese(browser, url, artifacts):
    from ui.i18n import EN, ZH

    assert EN.keys() == ZH.keys()
    page = _open(browser, url, locale="zh-CN")
    try:
        assert page.get_by_role("tab", name="问答").is_visible() and page.get_by_role("tab", name="资料库").is_visible()
        assert "提问" in page.locator("#ask-btn").inner_text()
        page.wait_for_function("() => document.querySelector('#ma-lang input[value=zh]')?.checked", timeout=30_000)
        _ask(page, "HP-3 回油滤芯的更换周期是多少？")
        assert "出处" in page.locator("#chat .ma-sources").last.inner_text()
        page.screenshot(path=str(artifacts / "ui-zh.png"), full_page=True)
    finally:
        page.close()


def test_login_when_api_keys_are_set(browser, service, artifacts):
    with _server(service, api_keys=KEY) as u:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        try:
            page.goto(u, wait_until="load")
            page.wait_for_selector("input[type=password]", timeout=60_000)
            assert page.locator("#ma-loading").count() == 0  # the login form replaced the loading notice
            assert "Sign in with an API key" in page.locator("body").inner_text()
            assert page.locator("#question textarea").count() == 0  # no app before signing in
            page.screenshot(path=str(artifacts / "ui-login.png"), full_page=True)
            # a wrong key is refused: the login form stays, with gradio's message, and the app does not open
            page.locator("input[type=text]").fill("technician")
            page.locator("input[type=password]").fill(KEY + "-wrong")
            page.get_by_role("button", name="Login").click()
            page.get_by_text("Incorrect Credentials").wait_for(timeout=30_000)
            assert page.locator("input[type=password]").is_visible() and page.locator("#question textarea").count() == 0
            # the right key opens the app, whose calls to the server are then signed in: the header shows the library
            page.locator("input[type=text]").fill("technician")  # the refusal cleared both fields
            page.locator("input[type=password]").fill(KEY)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#question textarea", timeout=60_000)
            assert page.locator("input[type=password]").count() == 0
            page.wait_for_selector("#ma-library .ma-library", timeout=30_000)
            line = page.locator("#ma-library").inner_text()
            assert service.root.name in line and f"{len(service.documents())} documents" in line, line
        finally:
            page.close()


def test_a_follow_up_in_the_chat_is_answered_in_its_conversation(browser, url, artifacts):
    """The second question ("And the drain plug torque?") only makes sense after the first: asked alone
    it finds the HP-3's reservoir drain plug (40 N·m); in the chat it is the CV-7 gearbox's (45 N·m)."""
    page = _open(browser, url)
    try:
        _ask(page, "How much oil goes into the CV-7 gearbox?")
        assert "conveyor_gearbox_oil_change.docx" in " ".join(page.locator("#cite-chips label").all_inner_texts())
        page.fill("#question textarea", "And the drain plug torque?")
        page.click("#ask-btn")
        page.wait_for_function("() => document.querySelectorAll('#chat .ma-answer, #chat .ma-refusal').length >= 2",
                               timeout=120_000)
        page.wait_for_selector("#chat .ma-standalone", timeout=30_000)
        answer = page.locator("#chat .ma-answer").last.inner_text()
        assert "45 N·m" in answer and "40 N·m" not in answer
        assert "What is the drain plug torque of the CV-7 gearbox?" in page.locator("#chat .ma-standalone").last.inner_text()
        page.wait_for_selector("#cite-chips label", timeout=30_000)
        assert "conveyor_gearbox_oil_change.docx" in page.locator("#cite-chips label").first.inner_text()
        page.screenshot(path=str(artifacts / "ui-follow-up.png"), full_page=True)
    finally:
        page.close()
