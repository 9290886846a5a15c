"""Hands-free voice queries from a headset: a recording in; the transcript, a cited answer or the
session's step card, a short spoken answer and its audio out. Everything runs offline: PyAV
decodes, Silero VAD (in faster-whisper) rejects silence and noise, the bundled Whisper base
transcribes, Piper or espeak-ng speaks. The HTTP API serves it as POST /v1/voice (docs/voice.md).

    from assistant.voice import handle_voice, VoiceError
    out = handle_voice(open("q.wav", "rb").read(), "q.wav", "audio/wav", None, None, retriever, None, settings)
    out["spoken_answer"]   # 'Filter housing cover torque: 25 newton metres. Source: page 1 of the HP3 quick reference.'

Stages, one module each: audio (sniff, decode, limits), vad (silence and noise), asr (Whisper
assembly and recognition), intent (navigation, card or question), sessions, speak (speakable
text), tts, pipeline (the request).
"""
from ..errors import VoiceError
from .pipeline import handle_voice, normalize_language, respond
from .sessions import SessionStore
from .settings import VoiceSettings

__all__ = ["SessionStore", "VoiceError", "VoiceSettings", "handle_voice", "normalize_language", "respond"]
