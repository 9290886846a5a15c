"""`assistant info`: a library's manifest and documents."""
from __future__ import annotations

from .common import emit_json, open_assistant


def run(args) -> int:
    lib = open_assistant(args, require_documents=False).library
    docs = [d.to_json() for d in lib.store.documents()]
    st = lib.stats()
    if args.json:
        emit_json(st | {"manifest": lib.manifest.to_json(), "documents": docs})
        return 0
    print(f"{st['index']}: {st['documents']} documents, {st['chunks']} chunks, model {st['embedding_model']} "
          f"({st['dim']}-d), index {st['vector_index']}")
    for d in docs:
        print(f"  {d['name']}  [{d['collection']}] {d['format']} {d['pages']} p., {d['chunks']} chunks")
    return 0
