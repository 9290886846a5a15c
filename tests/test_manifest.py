"""manifest.json as a frozen `Manifest`: the bytes on disk are those the dict-based code wrote (a
library built before opens and is written back unchanged), and a corrupt or foreign manifest is
refused with a message that names the bad field."""
from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from assistant.errors import LibraryError
from assistant.index.lexical import LEXICAL_FORMAT, chunk_tokens
from assistant.index.library import Library
from assistant.index.manifest import FORMAT_VERSION, Manifest
from tests.conftest import FIXTURES

# written by `assistant index` before Manifest existed (the dict-based code), English and Chinese documents
OLD = (FIXTURES / "manifest_v1.json").read_text(encoding="utf-8")
OPTIONAL = ("multilingual", "multilingual_model", "multilingual_format", "multilingual_dim", "max_tokens",
            "embedding_quantization", "created")


def test_a_manifest_written_before_round_trips_byte_for_byte():
    m = Manifest.from_json(json.loads(OLD))
    assert json.dumps(m.to_json(), indent=2) == OLD
    assert (m.dim, m.quantization, m.multilingual_mode, m.cache_generation) == (384, "int8", "auto", 2)
    assert m.caches.sentences == "vectors-mls-2.faiss" and m.caches.chunks == 15


def test_keys_an_older_version_left_out_stay_out_and_newer_keys_are_kept():
    old = {k: v for k, v in json.loads(OLD).items() if k not in OPTIONAL}
    newer = old | {"reranker": {"name": "x", "weight": 0.3}}
    m = Manifest.from_json(newer)
    assert m.to_json() == newer and list(m.to_json()) == list(newer)
    assert (m.quantization, m.multilingual_mode, m.multilingual_dim, m.max_tokens) == ("none", "auto", None, None)
    assert m.extra == {"reranker": {"name": "x", "weight": 0.3}}


def test_the_manifest_is_frozen():
    m = Manifest.from_json(json.loads(OLD))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.dim = 768
    assert m.replace(dim=768).dim == 768 and m.dim == 384


@pytest.mark.parametrize("field, value, words", [
    ("dim", "384", "'dim' must be an integer, not '384'"),
    ("dim", True, "'dim' must be an integer"),
    ("normalized", "yes", "'normalized' must be true or false"),
    ("embedding_model", 5, "'embedding_model' must be a string, not 5"),
    ("created", "today", "'created' must be a number"),
    ("multilingual_dim", 3.5, "'multilingual_dim' must be an integer"),
    ("caches", [1, 2], "'caches' must be an object"),
    ("caches", {"generation": "2", "vectors": "v", "lexical": "l", "vector_index": "flat", "chunks": 1},
     "'caches.generation' must be an integer"),
    ("caches", {"generation": 2, "lexical": "l", "vector_index": "flat", "chunks": 1}, "'caches.vectors' is missing"),
    ("embedding_model", None, "'embedding_model' is missing"),
])
def test_a_field_of_the_wrong_type_is_named(field, value, words):
    data = json.loads(OLD) | {field: value}
    with pytest.raises(LibraryError, match="manifest.json is corrupt") as err:
        Manifest.from_json(data, "lib")
    assert words in str(err.value) and str(err.value).startswith("lib: ")


@pytest.mark.parametrize("data, words", [
    ([1, 2, 3], "not a maintenance-assistant library"),
    ({"format": "chroma", "dim": 384}, "not a maintenance-assistant library"),
    (json.loads(OLD) | {"format_version": FORMAT_VERSION + 1}, "newer version"),
])
def test_a_foreign_or_newer_manifest_is_refused(data, words):
    with pytest.raises(LibraryError, match=words):
        Manifest.from_json(data)


def test_a_corrupt_manifest_on_disk_names_the_library_and_the_field(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(json.loads(OLD) | {"dim": "big"}))
    with pytest.raises(LibraryError, match=f"{tmp_path}: manifest.json is corrupt: 'dim' must be an integer"):
        Library.open(tmp_path, None)


def test_a_new_library_writes_the_keys_the_dict_based_code_wrote(tmp_path, settings):
    lib = Library.create(tmp_path / "lib", settings, "minilm", lambda: (384, 256, "int8"))
    lib.close()
    written = json.loads((tmp_path / "lib" / "manifest.json").read_text())
    # one key more: the tokenizer its stored tokens are made with (absent: the one before)
    assert [k for k in written if k != "lexical_format"] == list(json.loads(OLD))
    assert written["lexical_format"] == LEXICAL_FORMAT
    assert written["caches"] == {} and written["generation"] == 0 and written["multilingual_dim"] == 384


def test_a_library_from_an_older_version_opens_searches_and_reports_its_manifest(sample_index, settings, tmp_path):
    """Optional keys removed and a newer key added: it opens, its caches load, and `info --json`
    shows the file's manifest as it is."""
    lib_dir = tmp_path / "lib"
    shutil.copytree(sample_index, lib_dir)
    m = json.loads((lib_dir / "manifest.json").read_text())
    old = {k: v for k, v in m.items() if k not in ("multilingual_dim", "max_tokens", "created")} | {"future": [1]}
    (lib_dir / "manifest.json").write_text(json.dumps(old, indent=2))
    lib = Library.open(lib_dir, settings)
    try:
        assert lib.manifest.to_json() == old and lib.multilingual_dim == 384
        lib._build_snapshot = lambda: pytest.fail("the caches named in the manifest were not used")
        snap = lib.snapshot()
        assert snap.generation == m["caches"]["generation"] and snap.sentences is not None
        assert lib.stats()["vector_index"] == m["caches"]["vector_index"]
    finally:
        lib.close()


def test_a_library_tokenized_by_another_stemmer_is_searched_with_fresh_tokens_and_stored_again(sample_index, settings, embedder, tmp_path):
    """The stemmer changed (lexical format 2, Snowball: "assemble" and "assembly" meet): a library indexed
    before holds tokens and a BM25 cache made by the old one, which the questions' new tokens would miss.
    Opened, it is searched with tokens made afresh from its texts; the next `assistant index` (nothing
    changed) stores them, writes the cache again and records the format; no chunk is lost or changed."""
    from assistant.index.build import index_paths
    from tests.conftest import SAMPLES

    lib_dir = tmp_path / "lib"
    shutil.copytree(sample_index, lib_dir)
    lib = Library.open(lib_dir, settings)
    rows = dict(lib.store.chunks_in_order())
    lib.store.set_tokens({r: " ".join("old" + t for t in chunk_tokens(c).split()) for r, c in rows.items()})
    lib.write_caches()  # a BM25 cache of the old tokens, as the older version left it
    lib.close()
    m = json.loads((lib_dir / "manifest.json").read_text())
    del m["lexical_format"]
    (lib_dir / "manifest.json").write_text(json.dumps(m, indent=2))

    question = "Which hydraulic oil does the HP-3 use?"
    lib = Library.open(lib_dir, settings)
    try:
        assert not lib.lexical_current
        found = lib.snapshot().lexical.search(question, 3)[1].tolist()
        assert len(found) == 3 and all(r in rows for r in found)  # the old tokens match none of the question's
    finally:
        lib.close()
    report = index_paths([SAMPLES], settings, index_dir=lib_dir, progress=False, embedder=embedder, workers=1)
    assert not report.failed and not report.indexed and not report.removed
    lib = Library.open(lib_dir, settings)
    try:
        assert lib.lexical_current and json.loads((lib_dir / "manifest.json").read_text())["lexical_format"] == LEXICAL_FORMAT
        now = dict(lib.store.chunks_in_order())
        assert {r: (c.id, c.text) for r, c in now.items()} == {r: (c.id, c.text) for r, c in rows.items()}
        ids, stored = lib.store.tokens()
        assert stored == [chunk_tokens(now[int(r)]) for r in ids]
        lib._build_snapshot = lambda: pytest.fail("the cache written by index was not used")
        assert lib.snapshot().lexical.search(question, 3)[1].tolist() == found
    finally:
        lib.close()
