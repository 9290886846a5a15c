"""Read a recording: recognise its format from its bytes (not its name), decode it in-process with
PyAV (which faster-whisper already depends on) to 16 kHz mono float32, and refuse what is empty,
too large, too long, of another kind, or corrupt.

>>> import io, wave
>>> buf = io.BytesIO()
>>> with wave.open(buf, "wb") as w:   # three seconds of silence, 16-bit 16 kHz mono
...     w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(2 * 16000 * 3))
>>> clip = decode(buf.getvalue(), "question.wav")
>>> clip.format, round(clip.seconds, 1), clip.samples.dtype
('wav', 3.0, dtype('float32'))

The bytes go to the demuxer of the sniffed format through a memory buffer: no file name or URL
ever reaches FFmpeg, so no protocol (http, concat, subfile...) can be opened by a crafted upload.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np

from ..errors import (AudioTooLarge, AudioTooLong, AudioTooShort, EmptyAudio, UnreadableAudio, UnsupportedAudio,
                      VoiceError)

log = logging.getLogger("assistant.voice")
RATE = 16000  # what Whisper and the VAD want
MIN_SECONDS = 0.3
ACCEPTED = "WAV, OGG/Opus, WebM, MP3, FLAC, M4A/3GP or AAC"

# (label, PyAV demuxer). The demuxer is forced, so FFmpeg never guesses a format from content.
_DEMUXER = {"wav": "wav", "ogg": "ogg", "webm": "matroska", "flac": "flac", "mp3": "mp3", "m4a": "mov", "aac": "aac"}
_NOT_AUDIO = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
              (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or DOCX)"), (b"\x7fELF", "a program"),
              (b"<", "markup (HTML/XML)"), (b"{", "JSON"))


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray  # float32 in [-1, 1], mono, RATE Hz
    format: str

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE


def sniff(data: bytes) -> str | None:
    """The audio format the bytes start with, or None.

    >>> sniff(b"RIFF\\x24\\x00\\x00\\x00WAVEfmt "), sniff(b"fLaC\\x00"), sniff(b"\\x89PNG\\r\\n")
    ('wav', 'flac', None)
    """
    head = data[:16]
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1aE\xdf\xa3":  # EBML: WebM or Matroska
        return "webm"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":  # MP4 family: M4A, 3GP (Android's MediaRecorder default)
        return "m4a"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "aac" if head[1] & 0x06 == 0 else "mp3"  # layer bits 00: ADTS AAC; else an MPEG audio frame
    return None


def describe(data: bytes) -> str:
    """A few words on what unsupported bytes look like, for the error message."""
    for magic, what in _NOT_AUDIO:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF":
        return "a RIFF file that is not WAVE"
    try:
        data[:512].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "unrecognised bytes"


def decode(data: bytes, filename: str = "audio", max_bytes: int = 10 * 1024 * 1024, max_seconds: float = 60.0) -> Clip:
    """16 kHz mono samples of a recording, or a VoiceError: EmptyAudio, AudioTooLarge, AudioTooLong,
    UnsupportedAudio (not a format we decode), UnreadableAudio (corrupt) or AudioTooShort."""
    if not data:
        raise EmptyAudio("the audio upload is empty: record again")
    if len(data) > max_bytes:
        raise AudioTooLarge(f"the recording is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB")
    fmt = sniff(data)
    if fmt is None:
        raise UnsupportedAudio(f"unsupported audio format: {filename!s:.80} looks like {describe(data)}; send {ACCEPTED}")
    samples = _decode_av(data, fmt, max_seconds)
    clip = Clip(samples, fmt)
    if clip.seconds < MIN_SECONDS:
        if len(samples) == 0:
            raise UnreadableAudio(f"the {fmt} file holds no audio (truncated or corrupt)")
        raise AudioTooShort(f"the recording is too short ({clip.seconds:.2f} s): say the whole question")
    return clip


def _too_long(max_seconds: float) -> AudioTooLong:
    return AudioTooLong(f"the recording is longer than {max_seconds:g} s; ask one question at a time")


def _decode_av(data: bytes, fmt: str, max_seconds: float) -> np.ndarray:
    try:
        import av
    except ImportError as exc:
        from ..errors import MissingDependency

        raise MissingDependency("av", "voice") from exc
    limit = int(max_seconds * RATE) + RATE // 10  # 0.1 s of grace for encoder padding
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", format=_DEMUXER[fmt], metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UnreadableAudio(f"the {fmt} file has no audio track")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > limit:
                    raise _too_long(max_seconds)
            for out in resampler.resample(None):  # flush
                chunks.append(out.to_ndarray().reshape(-1))
    except VoiceError:
        raise
    except Exception as exc:  # any decoder failure on untrusted bytes is the upload's fault, never a 500
        log.info("audio decode failed (%s): %s", fmt, exc)
        if total:  # garbage after good audio: keep what decoded, as players do
            log.info("keeping %.2f s decoded before the error", total / RATE)
        else:
            raise UnreadableAudio(f"the {fmt} audio is corrupt or truncated and could not be decoded") from exc
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    if len(samples) > limit:
        raise _too_long(max_seconds)
    return samples.astype(np.float32) / 32768.0
