"""The house rules of the layout, checked on the source: every face goes through assistant.app, faces do
not import each other, the library imports no face, and each shared text rule is defined once."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FACES = {"cli": ROOT / "assistant" / "cli", "api": ROOT / "assistant" / "api", "ui": ROOT / "ui",
         "langchain": ROOT / "assistant" / "integrations", "bench": ROOT / "bench"}
# what only assistant/app.py (and the library code it calls) may call
BUILDERS = {"Retriever", "get_llm", "load_llm", "get_embedder", "get_channel", "answer_question", "stream_answer",
            "index_paths", "handle_voice", "CardDrafter", "draft_card"}


def _py(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    """The absolute module names a file imports (relative imports resolved)."""
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return out


def _calls(path: Path) -> set[str]:
    """Names called as functions (`f(...)`, `module.f(...)`); `app.draft_card(...)`, the Assistant's own
    method, is a call of the attribute and is not counted unless the name is no Assistant method."""
    from assistant.app import Assistant

    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                names.add(f.id)
            elif isinstance(f, ast.Attribute) and not hasattr(Assistant, f.attr):
                names.add(f.attr)
    return names


@pytest.mark.parametrize("face", sorted(FACES))
def test_no_face_builds_a_retriever_or_loads_a_model(face):
    found = {str(p.relative_to(ROOT)): sorted(_calls(p) & BUILDERS) for p in _py(FACES[face])}
    assert not {k: v for k, v in found.items() if v}, found


def test_faces_import_nothing_from_each_other():
    own = {"cli": "assistant.cli", "api": "assistant.api", "ui": "ui", "langchain": "assistant.integrations"}
    # the command line starts the server through its one entry point (serve, bind_socket); the API mounts
    # the UI through ui.mount
    allowed = {("cli", "assistant.api"), ("cli", "assistant.api.serve"), ("cli", "assistant.api.bind_socket"),
               ("api", "ui"), ("api", "ui.mount")}
    bad = []
    for face in own:
        for p in _py(FACES[face]):
            for mod in _imports(p):
                for other, prefix in own.items():
                    if other != face and (mod == prefix or mod.startswith(prefix + ".")) and (face, mod) not in allowed:
                        bad.append((str(p.relative_to(ROOT)), mod))
    assert not bad, bad


def test_the_ui_imports_only_assistant_app():
    mods = {m for p in _py(FACES["ui"]) for m in _imports(p) if m == "assistant" or m.startswith("assistant.")}
    assert mods and all(m == "assistant.app" or m.startswith("assistant.app.") for m in mods), mods


def test_the_library_imports_no_face():
    faces = ("assistant.cli", "assistant.api", "assistant.integrations", "ui")
    bad = []
    for p in _py(ROOT / "assistant"):
        rel = p.relative_to(ROOT / "assistant")
        if rel.parts[0] in ("cli", "api", "integrations") or rel.name == "__main__.py":
            continue
        bad += [(str(rel), m) for m in _imports(p) if any(m == f or m.startswith(f + ".") for f in faces)]
    assert not bad, bad


def test_shared_rules_are_defined_once():
    """The signal words, the number pattern, sentence splitting, planted-instruction patterns and span
    finding are assigned or defined in assistant/textrules.py only."""
    rules = {"SIGNAL_WORDS", "NUMBER", "NUMBER_UNIT", "sentence_spans", "INJECTION_RE", "find_spans", "quote_pattern"}
    where: dict[str, list[str]] = {}
    for p in _py(ROOT / "assistant") + _py(ROOT / "ui"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            for n in set(names) & rules:
                where.setdefault(n, []).append(str(p.relative_to(ROOT)))
    assert where.keys() == rules and all(v == ["assistant/textrules.py"] for v in where.values()), where


def test_card_formats_are_one_list():
    from assistant.api.routes import CARD_FORMATS as api_formats
    from assistant.app import CARD_FORMATS
    from assistant.cards.formats import NAMES
    from assistant.cli import build_parser

    card = build_parser()._subparsers._group_actions[0].choices["card"]
    cli_formats = next(a.choices for a in card._actions if a.dest == "format")
    assert list(cli_formats) == list(NAMES) == list(api_formats) == list(CARD_FORMATS) and "s1000d" in NAMES
