"""Words for Whisper to expect: a short maintenance sentence plus the equipment codes the library's
titles and headings use most ("HP-3", "CB-12"). Given to faster-whisper as `hotwords`, they turn
"talk for the filter housing" into "torque for the filter housing" and "HP3" into "HP-3".

>>> phrase(["HP-3"], "Maintenance questions about torque, filter elements, lockout and bearings.")
'Maintenance questions about the HP-3: torque, filter elements, lockout and bearings.'
"""
from __future__ import annotations

import collections
import json
import re
import threading

CODE = re.compile(r"\b[A-Z]{1,5}-\d{1,4}[A-Z]?\b")
MAX_CODES = 4
_cache: dict[tuple, str] = {}
_lock = threading.Lock()


def hotwords(library, base: str) -> str:
    """`base` with the library's most frequent equipment codes worked in; cached per library generation."""
    if not base or library is None:
        return base
    try:
        key = (id(library), library.store.generation(), base)
    except Exception:  # a library without a store (tests, adapters): the base phrase alone
        return base
    with _lock:
        if key not in _cache:
            if len(_cache) > 16:
                _cache.clear()
            _cache[key] = phrase(codes(library), base)
        return _cache[key]


def codes(library, rows: int = 5000) -> list[str]:
    db = library.store.db
    counts: collections.Counter[str] = collections.Counter()
    for (title,) in db.execute("SELECT title FROM documents"):
        counts.update(set(CODE.findall(title or "")))
    for (section,) in db.execute("SELECT section FROM chunks LIMIT ?", (rows,)):
        counts.update(set(CODE.findall(" ".join(json.loads(section or "[]")))))
    return [c for c, n in counts.most_common(MAX_CODES) if n >= 2]


def phrase(codes: list[str], base: str) -> str:
    if not codes:
        return base
    names = " and ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)
    m = re.match(r"(.*?\babout) (.*)$", base)
    if not m:
        return f"{base} Equipment: {names}."
    return f"{m.group(1)} the {names}: {m.group(2)}"
