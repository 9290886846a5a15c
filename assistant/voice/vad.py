"""Is anyone speaking? Whisper makes words up from silence and noise ("Thank you.", "you"), so a
recording must show speech before it reaches the recogniser: a level check for silence, then the
Silero voice-activity model that ships inside the faster-whisper wheel for noise, hum and clicks.

    speech = find_speech(clip)          # needs the Silero model and a recording
    round(speech.seconds, 1)            # the clip cut to its speech, with a little padding  # needs the Silero model and a recording
    # -> 2.9
"""
from __future__ import annotations

import numpy as np

from .audio import RATE, Clip
from ..errors import NoSpeech

SILENT_PEAK = 10 ** (-50 / 20)  # -50 dBFS: nothing a microphone picks up from a voice
SILENT_RMS = 10 ** (-60 / 20)
QUIET_PEAK = 0.1  # below this, quiet speech is raised to TARGET_PEAK before the VAD and Whisper hear it
TARGET_PEAK = 0.5
PAD_S = 0.2


def find_speech(clip: Clip, min_speech_s: float = 0.25) -> Clip:
    """The clip cut to its speech (level-normalised if quiet), or NoSpeech when it is silent or
    holds only noise."""
    x = clip.samples
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    if peak < SILENT_PEAK or rms < SILENT_RMS:
        raise NoSpeech(f"the recording is silent (peak {_db(peak)} dBFS): check the microphone and speak again")
    if peak < QUIET_PEAK:
        x = x * (TARGET_PEAK / peak)
    spans = speech_spans(x)
    speech = sum(e - s for s, e in spans) / RATE
    if speech < min_speech_s:
        raise NoSpeech("no speech detected, only noise: speak closer to the microphone and try again")
    start = max(0, spans[0][0] - int(PAD_S * RATE))
    end = min(len(x), spans[-1][1] + int(PAD_S * RATE))
    return Clip(np.ascontiguousarray(x[start:end], dtype=np.float32), clip.format)


def speech_spans(x: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample offsets of speech, by Silero VAD (onnxruntime, ~10 ms per second of audio)."""
    from ..errors import require

    vad = require("faster_whisper.vad", "voice")
    VadOptions, get_speech_timestamps = vad.VadOptions, vad.get_speech_timestamps
    opts = VadOptions(threshold=0.5, min_speech_duration_ms=150, min_silence_duration_ms=300, speech_pad_ms=60)
    return [(t["start"], t["end"]) for t in get_speech_timestamps(x, opts, sampling_rate=RATE)]


def _db(v: float) -> str:
    return "-inf" if v <= 0 else f"{20 * np.log10(v):.0f}"
