"""manifest.json, a library's header, as a frozen value: what built the library (embedding model,
dimension, quantisation, the multilingual model) and which cache files hold its current generation.

The JSON on disk is the contract: `Manifest.from_json(m).to_json() == m` for every manifest this
version writes, a key that an older version left out stays out, and keys written by a newer version
are kept as they are. A field of the wrong type is refused with a message naming it.

>>> m = Manifest.from_json({"format": FORMAT, "format_version": 1, "embedding_model": "e", "dim": 384,
...                         "normalized": True, "metric": "inner_product", "generation": 0, "caches": {}})
>>> m.dim, m.quantization, m.multilingual_mode, m.cache_generation
(384, 'none', 'auto', None)
>>> Manifest.from_json({**m.to_json(), "dim": "384"})
Traceback (most recent call last):
...
assistant.errors.LibraryError: this directory: manifest.json is corrupt: 'dim' must be an integer, not '384'; \
index the documents into a new directory with assistant index
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field

from ..errors import LibraryError

FORMAT = "maintenance-assistant-library"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Caches:
    """The cache files of one store generation (see library.py); `None` where the library has none."""

    generation: int
    vectors: str
    lexical: str
    vector_index: str
    chunks: int
    multilingual: str | None = None
    multilingual_index: str | None = None
    sentences: str | None = None
    sentences_index: str | None = None

    def to_json(self) -> dict:
        # written in full, nulls included, in the order the library has always written them
        keys = ("generation", "vectors", "lexical", "multilingual", "vector_index", "multilingual_index",
                "sentences", "sentences_index", "chunks")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class Manifest:
    """A library's manifest. Optional fields are `None` where the file does not have them (a library
    built by an older version); the properties give their effective values."""

    format: str
    format_version: int
    embedding_model: str
    dim: int
    multilingual: str | None = None  # "auto", "all" or "off": which chunks get e5 vectors
    multilingual_model: str | None = None
    multilingual_format: int | None = None  # 1: passage vectors only; 2: passages and sentences
    multilingual_dim: int | None = None
    max_tokens: int | None = None
    lexical_format: int | None = None  # the stemmer the stored tokens were made with (lexical.LEXICAL_FORMAT); absent: 1
    embedding_quantization: str | None = None  # "int8" or "none"
    normalized: bool = True
    metric: str = "inner_product"
    created: float | None = None
    generation: int = 0
    caches: Caches | None = None
    extra: dict = field(default_factory=dict, hash=False)  # keys from a newer version, written back unchanged

    @property
    def quantization(self) -> str:
        return self.embedding_quantization or "none"

    @property
    def multilingual_mode(self) -> str:
        return self.multilingual or "auto"

    @property
    def cache_generation(self) -> int | None:
        return self.caches.generation if self.caches else None

    def replace(self, **changes) -> Manifest:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_json(cls, data, where: str = "this directory") -> Manifest:
        """A manifest from its parsed JSON, or LibraryError saying what is wrong (not a library, a newer
        format, a missing or mistyped field). `where` names the library in the messages."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise LibraryError(f"{where} is not a maintenance-assistant library")
        version = data.get("format_version", 0)
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise LibraryError(f"{where} was written by a newer version (format {version}); "
                               "upgrade maintenance-assistant")
        known = {f.name for f in dataclasses.fields(cls)} - {"extra", "caches"}
        values = _typed(cls, {k: v for k, v in data.items() if k in known}, where)
        caches = data.get("caches")
        if caches:
            if not isinstance(caches, dict):
                raise _corrupt(where, "caches", "an object", caches)
            values["caches"] = Caches(**_typed(Caches, caches, where, "caches."))
        extra = {k: v for k, v in data.items() if k not in known and k != "caches"}
        return cls(**values, extra=extra)

    def to_json(self) -> dict:
        """The manifest as written to disk: fields in their order, absent ones left out, then `extra`."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "caches":
                out["caches"] = value.to_json() if value else {}
            elif f.name != "extra" and value is not None:
                out[f.name] = value
        return out | self.extra


_REBUILD = "index the documents into a new directory with assistant index"
_KINDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _typed(cls, data: dict, where: str, prefix: str = "") -> dict:
    """`data` checked against the field types of `cls`: every required field present, every value of
    its type (a null is an absent optional field). Unknown keys are dropped."""
    hints = typing.get_type_hints(cls)
    out = {}
    for f in dataclasses.fields(cls):
        if f.name not in hints or f.name in ("extra", "caches"):
            continue
        value = data.get(f.name)
        if value is None:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                raise LibraryError(f"{where}: manifest.json is corrupt: '{prefix}{f.name}' is missing; {_REBUILD}")
            continue
        kinds = [t for t in _options(hints[f.name]) if t is not type(None)]
        if not any(_is(value, t) for t in kinds):
            raise _corrupt(where, prefix + f.name, _KINDS.get(kinds[0], kinds[0].__name__), value)
        out[f.name] = value
    return out


def _options(hint) -> tuple:
    return typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)


def _is(value, kind) -> bool:
    if isinstance(value, bool):  # JSON true is not an integer
        return kind is bool
    return isinstance(value, (int, float) if kind is float else kind)


def _corrupt(where: str, name: str, kind: str, value) -> LibraryError:
    return LibraryError(f"{where}: manifest.json is corrupt: '{name}' must be {kind}, not {value!r:.40}; {_REBUILD}")
