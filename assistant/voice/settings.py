"""Settings of the voice endpoint, apart from the library's. Every field has an ASSISTANT_VOICE_
variable, e.g. ASSISTANT_VOICE_WHISPER_MODEL=tiny.en or ASSISTANT_VOICE_MAX_SECONDS=30.

>>> VoiceSettings(max_mb=5).max_bytes
5242880
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Whisper is told to expect these words (faster-whisper "hotwords", with the library's equipment
# codes worked in: see vocab.py). A sentence, not a list: a comma list made Whisper answer in lists
# ("work, torque, filter, housing"). Kept short: they are prompt tokens on every request.
DEFAULT_HOTWORDS = "Maintenance questions about torque, filter elements, lockout and bearings."
# Whisper's prompt for Mandarin (its "initial prompt": text it takes as what was said before). A
# simplified-Chinese sentence in the domain steers base away from traditional characters, English
# guesses and made-up words; the library's own Chinese terms and codes are added (vocab.py).
DEFAULT_ZH_PROMPT = "以下是设备维护的问题和指令，例如：滤芯、拧紧力矩、液压站、挂牌上锁、下一步。"


class VoiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_VOICE_", extra="ignore", frozen=True)

    whisper_model: str = Field(
        "base", description="'base' (bundled multilingual Whisper base), 'tiny.en' (bundled, English only, faster), "
                            "or a local CTranslate2 Whisper directory.")
    compute_type: str = Field("int8", description="CTranslate2 compute type on CPU.")
    threads: int = Field(2, ge=1, le=64, description="CPU threads for speech recognition.")
    beam_size: int = Field(1, ge=1, le=10, description="1 (greedy) is fastest; 5 is what Whisper's paper used.")
    hotwords: str = Field(DEFAULT_HOTWORDS, max_length=500, description="A sentence of words Whisper should expect "
                          "(jargon); the library's equipment codes are added. Empty turns it off.")
    zh_model: str = Field(
        "whisper", description="Chinese speech: 'whisper' (the whisper_model, with the Chinese prompt and the "
                               "correction by sound against the library's terms), a local CTranslate2 Whisper directory "
                               "(e.g. a larger Whisper you converted), or a local sherpa-onnx SenseVoice or Paraformer "
                               "directory (model.onnx or model.int8.onnx, and tokens.txt; needs sherpa-onnx).")
    zh_prompt: str = Field(DEFAULT_ZH_PROMPT, max_length=500, description="Whisper's prompt for Chinese speech; the "
                           "library's Chinese terms are added. Empty turns it off.")
    zh_beam_size: int = Field(1, ge=1, le=10, description="Beam size for Chinese speech with Whisper.")
    min_avg_logprob: float = Field(-1.1, le=0, description="Whisper's average log-probability below which a transcript "
                                   "is refused as unclear, except a step-card command inside a card session.")
    max_seconds: float = Field(60.0, gt=0, le=600, description="Longest recording accepted (longer: refused as too long).")
    max_mb: float = Field(10.0, gt=0, le=200, description="Largest recording accepted in MB (larger: refused as too large).")
    min_speech_s: float = Field(0.25, ge=0, description="Less detected speech than this is refused as no speech.")
    session_ttl_s: float = Field(1800.0, gt=0, description="A session (its active step card) expires after this much idle time.")
    max_sessions: int = Field(1000, ge=1, description="Past this many sessions the least recently used is dropped.")
    max_spoken_chars: int = Field(280, ge=40, le=1000, description="Longest spoken answer.")
    tts: Literal["auto", "piper", "kokoro", "espeak", "off"] = Field(
        "auto", description="'auto': the bundled neural voices (Piper for English, Kokoro for Chinese) when installed, "
                            "espeak-ng otherwise. 'piper' or 'kokoro' insist on that voice for its language.")
    tts_zh_voice: str = Field("jm_kumo", description="The Kokoro speaker for Chinese: jm_kumo, jf_alpha, jf_gongitsune, "
                              "jf_nezumi or jf_tebukuro (the styles the packages ship).")
    tts_timeout_s: float = Field(20.0, gt=0)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)
