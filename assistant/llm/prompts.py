"""Prompt templates: versioned text files in the top-level `prompts/` folder, installed as the package
`assistant.prompts`. A template starts with `# version: N` and comment lines, then a `[system]` and a
`[user]` section. Placeholders are `{{name}}`; rendering is strict: a placeholder without a value, or
a value without a placeholder, is an error (a typo must not silently drop the passages).

>>> t = load_prompt("answer", "en")
>>> t.version
2
>>> t.render(passages="<passage id=\\"1\\">...</passage>", question="Torque?")[1]["role"]
'user'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import PromptError

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    system: str
    user: str

    @property
    def variables(self) -> set[str]:
        return set(_VAR.findall(self.system)) | set(_VAR.findall(self.user))

    def render(self, **values: str) -> list[dict]:
        """Chat messages with every placeholder filled."""
        missing = self.variables - values.keys()
        unknown = values.keys() - self.variables
        if missing or unknown:
            raise PromptError(f"prompt '{self.name}' v{self.version}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        # one pass over the template, so a value that itself contains "{{x}}" (a document quoting a
        # template) is inserted as text, never expanded
        fill = lambda s: _VAR.sub(lambda m: str(values[m.group(1)]), s)  # noqa: E731
        return [{"role": "system", "content": fill(self.system)}, {"role": "user", "content": fill(self.user)}]


def parse(name: str, text: str) -> PromptTemplate:
    m = re.match(r"#\s*version:\s*(\d+)\s*\n", text)
    if not m:
        raise PromptError(f"prompt '{name}' must start with '# version: N'")
    parts = _SECTION.split(text[m.end():])
    sections = dict(zip(parts[1::2], parts[2::2]))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"prompt '{name}' needs a [system] and a [user] section")
    return PromptTemplate(name, int(m.group(1)), sections["system"].strip(), sections["user"].strip())


def _read(filename: str) -> str:
    try:
        from importlib.resources import files

        res = files("assistant.prompts").joinpath(filename)
        if res.is_file():
            return res.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass  # a source checkout that is not installed: prompts/ sits beside the package
    path = Path(__file__).resolve().parents[2] / "prompts" / filename
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"prompt file {filename} not found in assistant.prompts or {path.parent}") from exc


@lru_cache(maxsize=32)
def load_prompt(name: str, language: str = "en") -> PromptTemplate:
    """The template `prompts/{name}_{language}.txt`, falling back to English."""
    lang = "zh" if language.lower().startswith("zh") else "en"
    try:
        text = _read(f"{name}_{lang}.txt")
    except PromptError:
        if lang == "en":
            raise
        text = _read(f"{name}_en.txt")
    return parse(f"{name}_{lang}", text)
