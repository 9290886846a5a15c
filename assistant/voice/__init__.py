"""Hands-free voice queries from a headset: a recording in; the transcript, a cited answer or the
session's step card, a short spoken answer and its audio out. Everything runs offline: PyAV
decodes, Silero VAD (in faster-whisper) rejects silence and noise, the bundled Whisper base
transcribes (Chinese with its own prompt and a correction by sound), Piper (English) or Kokoro
(Chinese) speaks, espeak-ng where neither is installed. The HTTP API serves it as POST /v1/voice
(docs/voice.md).

    from assistant.voice import handle_voice, VoiceError
    out = handle_voice(open("q.wav", "rb").read(), "q.wav", "audio/wav", None, None, retriever, None, settings)
    out["spoken_answer"]   # 'Filter housing cover torque: 25 newton metres. Source: page 2 of the HP3 pump manual.'

Stages, one module each: audio (sniff, decode, limits), vad (silence and noise), asr (Whisper
assembly and recognition, Chinese routing), vocab (words to expect), zhfix (Chinese corrected by
sound), intent (navigation, card or question), sessions, speak (speakable text), zhnorm (Chinese
numbers, units and codes as said), tts, kokoro (the Chinese voice), pipeline (the request).
"""
from ..errors import VoiceError
from .pipeline import handle_voice, normalize_language, respond
from .sessions import SessionStore
from .settings import VoiceSettings

__all__ = ["SessionStore", "VoiceError", "VoiceSettings", "handle_voice", "normalize_language", "respond"]
