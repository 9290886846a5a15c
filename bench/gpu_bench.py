"""The GPU path, on a CUDA machine (prints what it can and exits 2 without one):

1. Embedding: the raw fp16 forward rate of MiniLM-L6 (pre-tokenized input, padded to the real chunks'
   95th-percentile length, batch 1024) against `SentenceTransformer.encode()` and this project's
   pipelined encoder (`Embedder.encode_pipelined`: length buckets, threaded tokenization, pinned
   copies) on real chunks (the dev manual and samples, repeated). Goal: ours >= 50% of raw.
2. Local LLM decode, tokens/s per stream: plain `generate()` against a static KV cache with the
   compiled decode step (what `TransformersLLM` uses on CUDA), for the bundled Qwen2.5 0.5B and a
   7B Qwen2 shape with random weights (speed does not depend on the weights); the bound is the GPU's
   memory bandwidth / the bytes of weights read per token. Goal: >= 40% of the bound.

    python bench/gpu_bench.py [--chunks 50000] [--skip-llm] [--bandwidth-gbs 3350]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import SAMPLES, SHARED, report  # noqa: E402

os.environ["TOKENIZERS_PARALLELISM"] = "true"


def real_chunks(n: int) -> list[str]:
    """Chunk texts from the dev manual (when ../shared is there) and the bundled samples, repeated to n."""
    from assistant.index.chunk import chunk_doc
    from assistant.ingest import parse

    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".docx", ".md", ".html"))
    s10 = SHARED / "eval" / "emanual-s10" / "corpus"
    if s10.exists():
        files += sorted(s10.iterdir())
    texts = [c.embed_text for f in files for c in chunk_doc(parse(f), 240)]
    return (texts * (n // max(1, len(texts)) + 1))[:n]


def sync():
    import torch

    torch.cuda.synchronize()


def embedding(n_chunks: int) -> tuple[list[tuple], dict]:
    import numpy as np
    import torch

    from assistant.app import Assistant
    from assistant.settings import Settings

    # MiniLM alone (no e5 channel), fp16 on the GPU, batch 256: the embedder of this configuration
    emb = Assistant(Settings(device="cuda", embedding_model="minilm", embed_batch_size=256, embed_quantize="none",
                             multilingual="off", llm="none"), llm=None).load_embedders()
    texts = real_chunks(n_chunks)
    seq = int(np.percentile(emb.model.tokenize(texts[:2000])["attention_mask"].sum(1).numpy(), 95))
    rows, res = [], {}

    # raw forward: the transformer alone, fp16, pre-tokenized, batch 1024
    bert = emb.model[0].auto_model
    ids = torch.randint(1000, 20000, (1024, seq), device="cuda")
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        for _ in range(3):
            bert(input_ids=ids, attention_mask=mask)
        sync()
        t = time.perf_counter()
        reps = 20
        for _ in range(reps):
            bert(input_ids=ids, attention_mask=mask)
        sync()
        raw = reps * 1024 / (time.perf_counter() - t)
    rows.append(("raw fp16 forward", seq, f"{raw:,.0f}", "1.00"))
    res["raw_seq_per_s"] = round(raw)

    emb.model.encode(texts[:2048], batch_size=256)
    sync()
    t = time.perf_counter()
    emb.model.encode(texts, batch_size=256, convert_to_numpy=True, normalize_embeddings=True)
    sync()
    st = len(texts) / (time.perf_counter() - t)
    rows.append(("SentenceTransformer.encode", "real", f"{st:,.0f}", f"{st / raw:.2f}"))
    res["st_encode_chunks_per_s"] = round(st)

    emb.encode_pipelined(texts[:4096])
    sync()
    t = time.perf_counter()
    emb.encode_pipelined(texts, batch_size=512, workers=8)
    sync()
    ours = len(texts) / (time.perf_counter() - t)
    rows.append(("ours (encode_pipelined)", "real", f"{ours:,.0f}", f"{ours / raw:.2f}"))
    res["ours_chunks_per_s"] = round(ours)
    res["ours_vs_raw"] = round(ours / raw, 3)
    res["seq_len_p95"] = seq
    return rows, res


def decode_rate(model, tok, static: bool, new_tokens: int = 128) -> float:
    import torch

    prompt = tok("Explain how to replace the hydraulic filter element step by step.", return_tensors="pt").to("cuda")
    kw = {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens, "do_sample": False,
          "pad_token_id": tok.eos_token_id or 0}
    if static:
        kw["cache_implementation"] = "static"
    with torch.inference_mode():
        for _ in range(2):  # warm-up (and compilation for the static cache)
            model.generate(**prompt, **kw)
        sync()
        t = time.perf_counter()
        model.generate(**prompt, **kw)
        sync()
    return new_tokens / (time.perf_counter() - t)


def llm(bandwidth_gbs: float) -> tuple[list[tuple], dict]:
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    from assistant.app import Assistant
    from assistant.settings import Settings

    rows, res = [], {}
    # the bundled model as the assistant loads it on CUDA (bf16, or fp16 without bf16 support)
    local = Assistant(Settings(device="cuda", llm="local")).llm
    if local is None:
        sys.exit("gpu_bench: the bundled language model could not be loaded (see the warning above)")
    tok = local.tokenizer
    shapes = [("qwen2.5-0.5b (bundled)", lambda: local.model)]
    cfg7 = Qwen2Config(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, max_position_embeddings=4096)
    shapes.append(("qwen2-7b shape (random)", lambda: AutoModelForCausalLM.from_config(cfg7, dtype=torch.bfloat16)))
    for name, make in shapes:
        model = make().to("cuda").eval()
        nbytes = sum(p.numel() * p.element_size() for p in model.parameters())
        bound = bandwidth_gbs * 1e9 / nbytes
        plain = decode_rate(model, tok, static=False)
        static = decode_rate(model, tok, static=True)
        rows.append((name, f"{plain:.1f}", f"{static:.1f}", f"{bound:.0f}", f"{static / bound:.2f}"))
        res[name] = {"plain_tok_s": round(plain, 1), "static_compiled_tok_s": round(static, 1), "bound_tok_s": round(bound),
                     "fraction_of_bound": round(static / bound, 3)}
        del model
        local = None  # the bundled model's last reference, once measured
        torch.cuda.empty_cache()
    return rows, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=50_000)
    ap.add_argument("--skip-llm", action="store_true")
    ap.add_argument("--bandwidth-gbs", type=float, default=3350.0, help="GPU memory bandwidth (H100 SXM: 3350)")
    args = ap.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("gpu_bench: no CUDA GPU here; run it on a GPU machine", file=sys.stderr)
        sys.exit(2)
    result = {"bench": "gpu", "device": torch.cuda.get_device_name(0)}
    rows, res = embedding(args.chunks)
    result["embedding"] = res
    report("Embedding throughput (sequences or chunks per second)", rows, ("path", "tokens", "per s", "vs raw"), {})
    if not args.skip_llm:
        lrows, lres = llm(args.bandwidth_gbs)
        result["llm"] = lres
        report("Decode, tokens/s per stream", lrows, ("model", "generate()", "static+compile", "bound", "of bound"), {})
    print(__import__("json").dumps(result))


if __name__ == "__main__":
    main()
