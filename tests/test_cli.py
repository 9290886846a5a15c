"""The command line contract a new user meets first: the default library, exit codes and their
messages, `serve` on a port that is taken, an index run that indexes nothing, README files in folders."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from assistant.cli import build_parser, main
from assistant.index.build import discover, index_paths

from .conftest import ROOT, SAMPLES


def run_cli(*args, cwd=ROOT, env_extra=None):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    env.pop("ASSISTANT_INDEX_DIR", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("command", ["index", "search", "ask", "card", "eval", "serve", "info"])
def test_index_is_optional_for_every_command(command):
    argv = {"index": ["index", "docs/"], "eval": ["eval", "retrieval"]}.get(command, [command])
    args = build_parser().parse_args(argv)  # no "the following arguments are required: --index"
    assert args.index is None
    assert "ASSISTANT_INDEX_DIR" in build_parser()._subparsers._group_actions[0].choices[command].format_help()


def test_info_alone_uses_the_default_library_and_says_when_there_is_none(tmp_path):
    res = run_cli("info", cwd=tmp_path)  # indexes/default under an empty folder
    assert res.returncode == 1
    assert "usage:" not in res.stderr and "required" not in res.stderr
    assert "indexes/default is not a library yet" in res.stderr and "assistant index" in res.stderr
    lib = tmp_path / "elsewhere"
    res = run_cli("info", cwd=tmp_path, env_extra={"ASSISTANT_INDEX_DIR": str(lib)})
    assert res.returncode == 1 and f"{lib} is not a library yet" in res.stderr


def test_info_and_search_use_assistant_index_dir(sample_index, tmp_path):
    res = run_cli("info", "--json", cwd=tmp_path, env_extra={"ASSISTANT_INDEX_DIR": str(sample_index)})
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout.strip().splitlines()[-1])
    assert info["documents"] and {d["name"] for d in info["documents"]} >= {"hp3_pump_manual.pdf"}


def test_usage_errors_exit_2_with_usage(sample_index):
    res = run_cli("search", "--index", sample_index)  # neither QUERY nor --queries
    assert res.returncode == 2
    assert "usage: assistant search" in res.stderr and "give either a QUERY or --queries" in res.stderr
    res = run_cli("search", "oil", "--queries", sample_index / "q.jsonl", "--index", sample_index)
    assert res.returncode == 2


def test_usage_error_from_a_command_module_exits_2(capsys):
    """Commands that stop with SystemExit("assistant x: error: ...") are usage errors too."""
    with pytest.raises(SystemExit) as exc:
        main(["ask", "--index", "nowhere"])  # neither QUESTION nor --questions
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: assistant ask" in err and "give either a QUESTION" in err


@pytest.mark.parametrize("argv, usage, message", [
    (["card", "--index", "nowhere"], "usage: assistant card", "give either a TASK or --tasks"),
    (["card", "--tasks", "t.jsonl", "--format", "html", "--index", "nowhere"], "usage: assistant card",
     "batch output (--tasks) is JSON lines"),
    (["eval", "answers", "--index", "nowhere"], "usage: assistant eval", "--questions FILE.jsonl is required"),
])
def test_usage_errors_of_card_and_eval_exit_2(capsys, argv, usage, message):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert usage in err and message in err and err.count("error:") == 1, err


@pytest.mark.parametrize("argv, env, message", [
    (["search", "oil", "--unit-tokens", "-5"], {}, "--unit-tokens (or ASSISTANT_UNIT_TOKENS): Input should be greater than or equal to 0, not -5"),
    (["search", "oil"], {"ASSISTANT_UNIT_TOKENS": "-2"}, "ASSISTANT_UNIT_TOKENS: Input should be greater than or equal to 0, not '-2'"),
    (["ask", "oil"], {"ASSISTANT_EMBED_BATCH_SIZE": "0"}, "ASSISTANT_EMBED_BATCH_SIZE: Input should be greater than or equal to 1"),
    (["search", "oil", "-k", "0"], {}, "argument -k: at least 1, not 0"),
])
def test_a_setting_out_of_range_is_a_usage_error_naming_it(capsys, monkeypatch, tmp_path, argv, env, message):
    """An option or an ASSISTANT_* variable out of its range stops with the usage and what is wrong,
    before any library is opened or model loaded (no traceback)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--index", str(tmp_path / "nowhere")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"usage: assistant {argv[0]}" in err and message in err and "Traceback" not in err, err


def test_help_documents_exit_codes_and_readme_rule():
    def flat(p):
        return " ".join(p.format_help().split())

    top = flat(build_parser())
    assert "5 serve/demo: the address cannot be bound" in top and "2 usage error" in top
    sub = build_parser()._subparsers._group_actions[0].choices
    assert "5: the address cannot be bound" in flat(sub["serve"]) and "--port" in flat(sub["serve"])
    assert "README files" in flat(sub["index"])
    assert "score is in 0..1" in flat(sub["search"])


@pytest.fixture
def taken_port():
    """A loopback port another socket is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        yield taken.getsockname()[1]


def test_serve_on_a_port_in_use_fails_before_announcing_itself(tmp_path, taken_port):
    port = taken_port
    res = run_cli("serve", "--index", tmp_path / "lib", "--port", port, "--llm", "none")
    assert res.returncode == 5, res.stderr
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr  # one clear line, nothing announced, no uvicorn start-up
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0] and "--port" in lines[0]
    assert "serving" not in res.stderr and "startup" not in res.stderr.lower()


def test_demo_on_a_port_in_use_says_so_before_indexing(tmp_path, taken_port):
    port = taken_port
    res = run_cli("demo", "--index", tmp_path / "demo", "--port", port, "--llm", "none", cwd=tmp_path)
    assert res.returncode == 5, res.stderr
    assert f"127.0.0.1:{port}" in res.stderr and "in use" in res.stderr and "--port" in res.stderr
    assert "indexing" not in res.stderr and "loading" not in res.stderr  # said before minutes of work
    assert not (tmp_path / "demo").exists()


def test_bind_socket_binds_a_free_port_and_names_a_taken_one():
    from assistant.api import AddressUnavailable, bind_socket

    sock = bind_socket("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        sock.listen(1)
        with pytest.raises(AddressUnavailable, match=rf"127\.0\.0\.1:{port}: the port is already in use.*--port"):
            bind_socket("127.0.0.1", port)
    finally:
        sock.close()
    with pytest.raises(AddressUnavailable, match="unknown host"):
        bind_socket("no-such-host.invalid", 7860)


def test_index_of_nothing_leaves_no_library(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    lib = tmp_path / "libs" / "new"
    res = run_cli("index", bad, "--index", lib, "--quiet")
    assert res.returncode == 1
    assert "nothing was indexed: every file failed" in res.stderr and "no library was created" in res.stderr
    assert not lib.exists() and not (tmp_path / "libs").exists()

    empty_folder = tmp_path / "notes"
    empty_folder.mkdir()
    (empty_folder / "photo.jpg").write_bytes(b"jpeg")
    (empty_folder / "README.md").write_text("# About this folder\n", encoding="utf-8")
    res = run_cli("index", empty_folder, "--index", lib, "--quiet", "--json")
    assert res.returncode == 1 and "no supported file found" in res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["indexed"] == []
    assert not lib.exists()


def test_failed_run_into_an_existing_folder_removes_only_what_it_made(tmp_path, settings, embedder):
    """A server's library folder may hold its audit log before the first document arrives."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "audit.sqlite").write_bytes(b"")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01" * 100)
    report = index_paths([bad], settings, index_dir=lib, progress=False, embedder=embedder, workers=1)
    assert report.failed and not report.indexed
    assert sorted(p.name for p in lib.iterdir()) == ["audit.sqlite"]


def test_ask_and_search_on_an_empty_or_missing_library_say_so(tmp_path, settings):
    from assistant.index.library import Library

    missing = tmp_path / "missing"
    for cmd in (["search", "oil"], ["ask", "What oil?", "--llm", "none"]):
        res = run_cli(*cmd, "--index", missing)
        assert res.returncode == 1 and "is not a library yet" in res.stderr, res.stderr
        assert "do not cover this question" not in res.stdout
    empty = tmp_path / "empty"
    Library.create(empty, settings, "minilm", lambda: (384, 256, "int8")).close()  # a library without documents
    for cmd in (["search", "oil"], ["ask", "What oil?", "--llm", "none"]):
        res = run_cli(*cmd, "--index", empty)
        assert res.returncode == 1, res.stdout
        assert f"the library {empty} is empty" in res.stderr and "assistant index" in res.stderr
        assert "do not cover this question" not in res.stdout
    res = run_cli("info", "--index", empty)
    assert res.returncode == 0 and "0 documents" in res.stdout


def test_readme_files_in_folders_are_skipped_unless_asked(tmp_path):
    files, _, _ = discover([SAMPLES])
    names = {f.name for f in files}
    assert "README.md" not in names and "hp3_pump_manual.pdf" in names and len(names) == 6
    folder = tmp_path / "manuals"
    (folder / "sub").mkdir(parents=True)
    for name in ("README.md", "readme.txt", "sub/ReadMe.MD", "pump.md"):
        (folder / name).write_text("# Pump\n\nText.\n", encoding="utf-8")
    assert [f.name for f in discover([folder])[0]] == ["pump.md"]
    assert {f.name for f in discover([folder], include_readme=True)[0]} == {"README.md", "readme.txt", "sub/ReadMe.MD", "pump.md"}
    assert [f.name for f in discover([folder / "README.md"])[0]] == ["README.md"]  # named as a file: indexed


def test_sample_library_holds_six_manuals(sample_library):
    assert sorted(d.name for d in sample_library.store.documents()) == [
        "conveyor_gearbox_oil_change.docx", "hp3_filter_procedure_zh.pdf", "hp3_pump_manual.pdf",
        "hp3_quick_reference.md", "proceedings_bearing_monitoring.pdf", "substation_breaker_inspection.html"]


def test_search_json_is_clean_with_scores_in_0_1(sample_index):
    res = run_cli("search", "Replacing the return-line filter element", "--index", sample_index, "-k", "10", "--json")
    assert res.returncode == 0, res.stderr
    hits = json.loads(res.stdout.strip().splitlines()[-1])["hits"]
    assert hits
    for h in hits:
        assert 0.0 <= h["score"] <= 1.0
        assert "\r" not in h["text"] and "\n" not in h["text"] and "  " not in h["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    res = run_cli("search", "Replacing the return-line filter element", "--index", sample_index, "-k", "3")
    assert res.returncode == 0 and "score " in res.stdout


def test_search_loads_its_models_before_the_timed_search(sample_index):
    """`search --json` reports "ms" for the search alone: the multilingual model (the sample library
    has Chinese passages) is loaded by load_models(), not inside the first search."""
    code = ("import sys\n"
            "from assistant.settings import Settings\nfrom assistant.index.library import Library\n"
            "from assistant.retrieve import Retriever\nfrom assistant.status import show_status_on_stderr, status\n"
            "show_status_on_stderr()\nr = Retriever(Library.open(sys.argv[1], Settings(llm='none'))).load_models()\n"
            "status('-- search --')\nprint(len(r.search('滤壳的拧紧力矩是多少？', 3)))\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code, str(sample_index)], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr
    before, after = res.stderr.split("-- search --", 1)
    assert "loading the multilingual model" in before and "loading the embedding model" in before
    assert "loading" not in after and res.stdout.strip() == "3"


def test_sources_show_a_word_pdfium_hyphenated_at_a_line_break_whole_and_degree_signs_read(capsys):
    """pdfium marks a word hyphenated at a line break with U+FFFE ("temper\ufffe\r\nature"), and the PDF
    reader marks a degree sign set as a raised "0" with a hair space ("60\u200a0F"); a quote keeps the
    page's characters (verification and the page highlight find it there), but a technician reads
    "temperature" and "60°F" in the sources, the printed card and the web chat's passage."""
    from types import SimpleNamespace

    from assistant.cards.model import StepCard
    from assistant.cards.render import to_html
    from assistant.cli.common import print_answer
    from assistant.types import Citation
    from ui.render import _gist, _plain

    quote = "Do not attempt any repair unless temper\ufffe\r\nature is between 60\u200a0F and 85 oF."
    c = Citation(chunk_id="c1", doc="tm.pdf", page=92, quote=quote, page_label="4-5")
    print_answer(SimpleNamespace(answer="Repair between 60°F and 85°F.", citations=[c], warnings=[], note="", language="en"))
    out = capsys.readouterr().out
    assert 'p. 4-5 (PDF page 92): "Do not attempt any repair unless temperature is between 60°F and 85°F."' in out, out
    assert "\ufffe" not in _plain(quote) and "temperature is between 60°F and 85°F" in _plain(quote)
    assert "temperature" in _gist("temper\ufffe\r\nature limits", 40)
    card = StepCard.model_validate({"title": "Repair", "task": "Repair", "language": "en", "steps": [
        {"number": 1, "instruction": "Repair between 60°F and 85°F.", "citations": [c.model_dump()]}]})
    html_card = to_html(card)
    assert "unless temperature is between 60°F and 85°F" in html_card and "\ufffe" not in html_card
