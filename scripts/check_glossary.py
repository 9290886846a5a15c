#!/usr/bin/env python3
"""Validate the bilingual maintenance glossary (assistant/data/glossary_en_zh.tsv) and print its entry count.

Format: one entry per line, ``english<TAB>chinese1|chinese2|...``, UTF-8, no header, no comments.

Checks
  * the file is valid UTF-8 (no BOM) and every line has exactly two tab-separated columns;
  * the English key is lowercase ASCII: letters and digits, words joined by single spaces or hyphens
    (e.g. ``bearing``, ``root cause``, ``o-ring``, ``1x``), with no leading/trailing white space;
  * every Chinese term holds 1-8 CJK characters, optionally mixed with ASCII letters/digits
    (``O形圈``, ``SF6气体``, ``LF炉``), and nothing else (no spaces, punctuation or sentences);
  * no empty term, no term repeated within an entry, at most 4 terms per entry;
  * no duplicate English key.

Usage:  python scripts/check_glossary.py [PATH]      # exit status 1 when a check fails
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "assistant" / "data" / "glossary_en_zh.tsv"

KEY_RE = re.compile(r"[a-z0-9]+(?:[ -][a-z0-9]+)*")
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
TERM_RE = re.compile(rf"[{CJK}A-Za-z0-9]+")
CJK_RE = re.compile(rf"[{CJK}]")
MAX_CJK, MAX_TERMS = 8, 4


def check(path: Path) -> tuple[int, list[str]]:
    """(number of entries, list of error messages) for the glossary at `path`."""
    errors: list[str] = []
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append("file starts with a UTF-8 BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return 0, [f"not valid UTF-8: {exc}"]
    if "\r" in text:
        errors.append("file contains carriage returns (use LF line endings)")
    seen: dict[str, int] = {}
    count = 0
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            if n != text.count("\n") + 1:  # only the final newline may leave an empty line
                errors.append(f"line {n}: empty line")
            continue
        count += 1
        cols = line.split("\t")
        if len(cols) != 2:
            errors.append(f"line {n}: expected 2 tab-separated columns, got {len(cols)}: {line!r}")
            continue
        key, zh = cols
        if not key.isascii() or not KEY_RE.fullmatch(key):
            errors.append(f"line {n}: key must be lowercase ASCII words joined by ' ' or '-': {key!r}")
        if key in seen:
            errors.append(f"line {n}: duplicate key {key!r} (first on line {seen[key]})")
        else:
            seen[key] = n
        terms = zh.split("|")
        if len(terms) > MAX_TERMS:
            errors.append(f"line {n}: {len(terms)} terms for {key!r} (at most {MAX_TERMS})")
        if len(set(terms)) != len(terms):
            errors.append(f"line {n}: repeated term in {zh!r}")
        for term in terms:
            if not term:
                errors.append(f"line {n}: empty term in {zh!r}")
                continue
            n_cjk = len(CJK_RE.findall(term))
            if not TERM_RE.fullmatch(term) or not 1 <= n_cjk <= MAX_CJK:
                errors.append(
                    f"line {n}: term {term!r} must be 1-{MAX_CJK} CJK characters plus optional ASCII letters/digits"
                )
    return count, errors


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    count, errors = check(path)
    for err in errors:
        print(f"{path}: {err}", file=sys.stderr)
    print(f"{path}: {count} entries, {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
