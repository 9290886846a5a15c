"""The web UI end to end: a real server on loopback and Debian's Chromium driven by Playwright. Ask a
question and see a cited answer, open a citation (passage and marked PDF page), rate the answer,
make a step card and download it, upload and remove a document, Chinese labels, the login page.
A screenshot of each lands in test-artifacts/."""
from __future__ import annotations

import json
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
    from assistant.api.service import Service
    from assistant.api.settings import ServerSettings

    lib = tmp_path_factory.mktemp("ui") / "library"
    shutil.copytree(sample_index, lib)
    server = ServerSettings(api_keys="", rate_limit_per_minute=0, feedback_db=lib.parent / "feedback.sqlite")
    return Service(settings.model_copy(update={"index_dir": lib}), server, embedder=embedder)


def _server(service, **fields):
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.settings import ServerSettings

    server = ServerSettings(**({"api_keys": "", "rate_limit_per_minute": 0, "feedback_db": service.feedback.path} | fields))
    return BackgroundServer(create_app(service.settings, server, service=service))


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


def test_ask_see_cited_answer_open_citation_and_rate(browser, url, service, artifacts):
    page = _open(browser, url)
    try:
        _ask(page, "What torque for the filter housing cover on the HP-3?")
        answer = page.locator("#chat .ma-answer").last
        assert "25 N·m" in answer.inner_text()
        assert page.locator("#chat .ma-sources .ma-chip").count() >= 1
        chips = page.locator("#cite-chips label")
        assert "hp3_quick_reference.md" in chips.first.inner_text()
        page.screenshot(path=str(artifacts / "ui-ask.png"), full_page=True)

        chips.first.click()
        page.wait_for_selector("#passage .ma-passage mark", timeout=30_000)
        assert "25 N·m" in page.locator("#passage mark").inner_text()
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


def test_upload_list_and_remove_a_document(browser, url, artifacts, tmp_path):
    doc = tmp_path / "k7_compressor_service.md"
    doc.write_text("# Compressor K-7 service\n\n## Drive belt\n\nCheck the K-7 drive belt tension every 250 operating hours.\n\n"
                   "WARNING: Lock out the K-7 before opening the belt guard.\n", encoding="utf-8")
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

        page.locator("#delete-doc input").click()
        page.get_by_role("option", name="k7_compressor_service.md").click()
        page.click("#delete-btn")
        page.wait_for_function("() => !document.querySelector('#documents table').innerText.includes('k7_compressor_service.md')",
                               timeout=60_000)
    finally:
        page.close()


def test_ask_by_voice(browser, url, artifacts, tmp_path):
    import importlib.util
    import subprocess

    if importlib.util.find_spec("assistant.voice") is None or importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("the voice pipeline is not installed: pip install -e '.[voice]'")
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng makes the test recording: apt-get install -y espeak-ng")
    wav = tmp_path / "question.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav),
                    "What torque for the filter housing cover on the H P 3?"], check=True, timeout=60)
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
            page.screenshot(path=str(artifacts / "ui-login.png"), full_page=True)
            page.locator("input[type=text]").fill("technician")
            page.locator("input[type=password]").fill(KEY)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#question textarea", timeout=60_000)
        finally:
            page.close()
