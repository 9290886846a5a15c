"""Voice queries: speech made by the bundled Piper voice and encoded by PyAV (tests/speech.py: WAV,
OGG/Opus, WebM, MP3, FLAC and M4A, no system program), bad audio of every kind, intents in
English and Chinese, sessions, speakable text, text to speech, short navigation commands in many
voices, speeds and noise levels, and the HTTP endpoint on a real server. Tests that load Whisper
are marked slow.

Mandarin is spoken by the product's own Kokoro voice (tests/speech.py zh_say) and heard by Whisper
base with the Chinese prompt and the correction by sound (zhfix.py); the Chinese text normalisation,
intents and corrections are also tested from their text."""
from __future__ import annotations

import base64
import io
import threading
import wave

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="the [voice] extra is not installed")
pytest.importorskip("av")

from assistant.api.errors import status_for  # noqa: E402 - the HTTP status the API answers a refusal with
from assistant.voice import SessionStore, VoiceError, VoiceSettings, handle_voice, normalize_language, respond  # noqa: E402
from assistant.voice import speak as sp  # noqa: E402
from assistant.voice.audio import decode, sniff  # noqa: E402
from assistant.voice.intent import LAST, parse  # noqa: E402
from assistant.voice.sessions import Session  # noqa: E402
from assistant.voice.vad import find_speech  # noqa: E402
from tests.speech import FORMATS, Speech, encode, factory_noise, mix, noise, pad, silence, tone, wav_bytes, zh_say  # noqa: E402

QUESTION = "What is the torque for the filter housing cover?"
TASK = "How do I replace the return line filter element?"
# A voice setting whose model cannot load: a request that reaches speech recognition fails with
# ModelNotAvailable instead of a VoiceError, so these prove bad audio is refused *before* Whisper.
NO_ASR = VoiceSettings(whisper_model="/nonexistent/whisper", tts="off")


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> Speech:
    return Speech(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="session")
def bad_audio(speech) -> dict[str, tuple[bytes, str, int]]:
    """name -> (bytes, file name, expected status)."""
    q, rate = speech.samples(QUESTION)
    white = noise(3, level=0.17)  # sox's "whitenoise vol 0.3": uniform within +-0.3
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    rng = np.random.default_rng(7)
    garbage = rng.integers(0, 256, 20000, dtype=np.uint8).tobytes()
    ogg = speech.bytes(QUESTION, "ogg")
    wav = speech.bytes(QUESTION)
    long = pad(q, 0, 61 - len(q) / rate, rate)  # 61 s
    big = wav_bytes(pad(speech.samples(QUESTION, rate=48000)[0], 0, 27, 48000), 48000, channels=2, sampwidth=4)  # 30 s, 11 MB
    return {
        "empty": (b"", "q.wav", 400),
        "silent wav": (wav_bytes(silence(3), 16000), "silent.wav", 422),
        "silent ogg": (encode(silence(3), 16000, "ogg"), "silent.ogg", 422),
        "white noise": (wav_bytes(white, 16000), "noise.wav", 422),
        "white noise mp3": (encode(white, 16000, "mp3"), "noise.mp3", 422),
        "pink noise": (wav_bytes(noise(3, level=0.3, kind="pink"), 16000), "noise.wav", 422),
        "hum": (wav_bytes(tone(50, 3), 16000), "hum.wav", 422),
        "too short": (wav_bytes(tone(440, 0.1, level=1.0), 16000), "blip.wav", 422),
        "png named .wav": (png, "question.wav", 415),
        "garbage": (garbage, "question.webm", 415),
        "text": (b"next step please\n", "q.wav", 415),
        "too long (61 s)": (wav_bytes(long, rate), "long.wav", 413),
        "over 10 MB": (big, "big.wav", 413),
        "truncated ogg": (ogg[:200], "q.ogg", 422),
        "ogg header then garbage": (ogg[:60] + garbage, "q.ogg", 422),
        "mp3 tag then garbage": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + garbage, "q.mp3", 422),
        "flac magic only": (b"fLaC" + garbage[:500], "q.flac", 422),
        "wav header only": (wav[:44], "q.wav", 422),
        "wav header then random bytes": (wav[:44] + garbage, "q.wav", 422),  # decodes as noise
    }


# -- decoding and speech detection (no Whisper)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_decodes_every_format_from_bytes(speech, fmt):
    data = speech.bytes(QUESTION, fmt)
    assert sniff(data) == fmt
    clip = decode(data, f"q.{fmt}")
    assert clip.format == fmt and clip.samples.dtype == np.float32
    assert 2.0 < clip.seconds < 4.0  # Piper says the question in about 2.5 s
    assert 0.05 < float(np.abs(clip.samples).max()) <= 1.0
    assert find_speech(clip).seconds > 1.8


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
    assert status_for(err.value) == status, err.value.reason
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
    assert status_for(err.value) == 413
    with pytest.raises(VoiceError) as err:
        decode(data, "q.wav", max_bytes=1000)
    assert status_for(err.value) == 413


def test_speech_in_noise_quiet_speech_and_padding_pass(speech):
    q, rate = speech.samples(QUESTION)
    said = len(q) / rate
    noisy = mix(q, noise(4, rate, seed=3), snr_db=15)
    quiet = q * 0.02
    for name, x in (("noisy", noisy), ("quiet", quiet)):
        assert find_speech(decode(wav_bytes(x, rate))).seconds > 0.8 * said, name
    padded = decode(wav_bytes(pad(q, 2, 3, rate), rate))
    cut = find_speech(padded)
    assert padded.seconds > said + 4.9 and cut.seconds < said + 1.0  # the silence around the question is cut off


# -- intents


@pytest.mark.parametrize("text,kind,step", [
    ("Next step.", "next", None), ("next", "next", None), ("Okay, next step please.", "next", None), ("Step done.", "next", None),
    ("Repeat.", "repeat", None), ("Repeat that.", "repeat", None), ("Say that again.", "repeat", None),
    ("Previous step.", "previous", None), ("Go back.", "previous", None),
    ("Go to step three.", "goto", 3), ("Go to step 3.", "goto", 3), ("Jump to step twenty one.", "goto", 21),
    ("Go to step to.", "goto", 2), ("Show me the last step.", "goto", LAST), ("The third step.", "goto", 3),
    ("Out to step 3.", "goto", 3), ("Head out to step 3.", "goto", 3), ("Don't a step 5.", "goto", 5), ("Note the step 5.", "goto", 5), ("Step 5", "goto", 5),
    ("Go back to step two.", "goto", 2), ("Previous steps.", "previous", None), ("Next steps.", "next", None),
    ("What are the next steps after bleeding the pump?", "question", None), ("Step 3 is done, what now?", "question", None),
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
    assert status_for(err.value) == 400


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
    def run(store, check):
        errors = []

        def work():
            try:
                for _ in range(300):
                    s = store.get(None)
                    check(s, store.get(s.id))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert not errors, errors[0]

    def same(s, got):
        assert got is s

    roomy = SessionStore(ttl_s=60, max_sessions=2000)  # nothing is evicted: every id finds its own session
    run(roomy, same)
    assert len(roomy) == 1200

    def own_or_new(s, got):  # evicted by the other threads meanwhile: a new session, flagged, never another's
        assert got is s or (got.expired and got.id != s.id and got.card is None)

    tight = SessionStore(ttl_s=60, max_sessions=50)
    run(tight, own_or_new)
    assert len(tight) == 50


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
    """The product's fallback voice (and its only Chinese one) is the espeak-ng program, which the
    setup script installs; without it this fails instead of skipping."""
    from assistant.voice.tts import espeak_wav

    for text, lang in (("Step 1 of 6. Stop the unit.", "en"), ("第一步，共六步。关闭设备。", "zh")):
        wav = espeak_wav(text, lang)
        with wave.open(io.BytesIO(wav)) as w:
            assert w.getnframes() / w.getframerate() > 1.0  # the sizes in the header are right


def test_without_espeak_chinese_speech_says_what_to_install(monkeypatch, tmp_path):
    from assistant.errors import MissingDependency
    from assistant.models import ModelRegistry
    from assistant.voice import tts

    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on the PATH
    monkeypatch.setattr(tts, "REGISTRY", ModelRegistry())  # nothing remembered from, or for, other tests
    with pytest.raises(MissingDependency) as err:
        tts.speak("第一步，共六步。", "zh", "espeak")  # the fallback voice (Kokoro, when installed, needs no program)
    assert "espeak-ng" in str(err.value)


def test_piper_speaks_english():
    from assistant.voice.tts import engine_name, speak

    wav = speak("Step 1 of 6. Stop the unit at the operator panel.", "en")
    with wave.open(io.BytesIO(wav)) as w:
        assert 1.5 < w.getnframes() / w.getframerate() < 8
    # Chinese has its own neural voice now (issue 20): Kokoro, with espeak-ng as the fallback
    assert engine_name("en").startswith("piper") and engine_name("zh").startswith("kokoro:")
    assert engine_name("zh", "espeak").startswith("espeak-ng")


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


def _card_session(store: SessionStore, retriever, step: int = 2) -> Session:
    """A session whose active card (drafted from text, as a spoken task would) is at `step`."""
    s = store.get(None)
    assert respond(TASK, "en", s, retriever, None, VS)["intent"] == "card" and len(s.card.steps) >= 5
    s.step = step - 1
    return s


# (command as said, intent, step it leads to from step 2 of the card)
COMMANDS = [("Next step.", "next", 3), ("Next.", "next", 3), ("Repeat.", "repeat", 2), ("Back.", "previous", 1),
            ("Go back.", "previous", 1), ("Previous step.", "previous", 1), ("Go to step three.", "goto", 3),
            ("Go to step five.", "goto", 5)]
# how they are said: Piper's pace (length_scale) and liveliness (noise_scale), other voices made by
# resampling (pitch and tempo together), and white noise at 5 dB SNR
VOICES = {"plain": {}, "fast": {"speed": 0.75}, "slow": {"speed": 1.35}, "higher voice": {"pitch": 1.2},
          "deeper voice": {"pitch": 0.82}, "lively": {"noise": 0.9, "seed": 3},
          "lively, higher, fast": {"pitch": 1.1, "speed": 0.8, "noise": 0.667, "seed": 5}, "noisy (5 dB SNR)": {"snr_db": 5}}


@pytest.mark.slow
@pytest.mark.parametrize("how", list(VOICES))
def test_navigation_commands_are_recognised_in_many_voices(speech, retriever, settings, how):
    """Each short command moves the card as asked, whatever the voice, pace or noise (also on AVX2
    kernels: CI runs this with ATEN_CPU_CAPABILITY=avx2 CT2_FORCE_CPU_ISA=AVX2)."""
    store = SessionStore()
    s = _card_session(store, retriever)
    vs = VoiceSettings(tts="off")
    wrong = []
    for text, kind, number in COMMANDS:
        s.step = 1  # step 2
        try:
            out = handle_voice(speech.bytes(text, **VOICES[how]), "c.wav", None, s.id, None, retriever, None, settings,
                               voice_settings=vs, sessions=store)
        except VoiceError as exc:
            wrong.append(f"{text!r} refused: {exc.reason}")
            continue
        got = (out["intent"], out.get("step", {}).get("number"), out["session_id"], s.step + 1)
        if got != (kind, number, s.id, number):
            wrong.append(f"{text!r} heard as {out['transcript']!r}: {got[:2]}")
    assert not wrong, f"{how}: " + "; ".join(wrong)


@pytest.mark.slow
def test_a_doubtful_transcript_is_acted_on_only_as_a_command_in_a_card_session(speech, retriever, settings):
    """With a confidence floor no transcript reaches (every one is 'doubtful'), a command still moves
    an active card; the same command outside a card session, and a question inside one, are refused
    as unclear, as every doubtful transcript was before."""
    strict = VoiceSettings(tts="off", min_avg_logprob=0.0)
    store = SessionStore()
    s = _card_session(store, retriever)
    nxt = speech.bytes("Next step.")

    def ask(audio, sid):
        return handle_voice(audio, "c.wav", None, sid, "en", retriever, None, settings, voice_settings=strict, sessions=store)

    out = ask(nxt, s.id)
    assert (out["intent"], out["step"]["number"]) == ("next", 3) and s.step == 2
    for audio, sid in ((nxt, None), (nxt, "no-such-session"), (speech.bytes(QUESTION), s.id)):
        with pytest.raises(VoiceError) as err:
            ask(audio, sid)
        assert status_for(err.value) == 422 and "unclear" in err.value.reason
    assert s.step == 2  # the refused question left the card where it was
    free = store.get(None)  # a session without a card is not a card session
    with pytest.raises(VoiceError):
        ask(nxt, free.id)


@pytest.mark.slow
@pytest.mark.parametrize("text", ["Next step.", "Repeat.", "Go to step three."])
def test_unintelligible_speech_does_not_move_the_card(speech, retriever, settings, text):
    """Speech played backwards sounds like speech to the VAD but says nothing: whatever Whisper makes
    of it, the card must not move (refused as unclear, or taken as a question)."""
    store = SessionStore()
    s = _card_session(store, retriever)
    x, rate = speech.samples(text)
    try:
        out = handle_voice(wav_bytes(x[::-1].copy(), rate), "r.wav", None, s.id, None, retriever, None, settings,
                           voice_settings=VoiceSettings(tts="off"), sessions=store)
    except VoiceError as exc:
        assert status_for(exc) == 422
    else:
        assert not parse(out["transcript"]).navigation, out["transcript"]
    assert s.step == 1 and store.get(s.id) is s  # still on step 2 of the same card


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
    from assistant.app import Assistant
    from assistant.settings import Settings

    s = Settings(index_dir=sample_index, llm="none")
    app = create_app(s, assistant=Assistant(s, embedder=embedder, llm=None), ui=False)
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



# -- Chinese: text for the ear, commands and corrections by sound, the Kokoro voice, speech in and out


@pytest.mark.parametrize("text,said", [
    ("滤壳盖拧紧力矩为 25 N·m。", "滤壳盖拧紧力矩为二十五牛米。"),
    ("最高工作压力 210 bar，报警压差 3.5 bar", "最高工作压力二百一十巴，报警压差三点五巴"),
    ("预充压力 1.6 MPa", "预充压力一点六兆帕"),
    ("按 GB-12 检查", "按 G B 杠一二检查"),
    ("更换滤芯 HF-220-10", "更换滤芯 H F 杠二二零杠一零"),
    ("扭力扳手（5～60 N·m）", "扭力扳手（五到六十牛米）"),
    ("待油温降至 40 °C 以下，运行 500 h", "待油温降至四十摄氏度以下，运行五百小时"),
    ("O 形圈 98 × 4 mm", "O 形圈九十八乘四毫米"),
    ("第 3 步，共 12 步。", "第三步，共十二步。"),
    ("振动低于 2.8 mm/s，效率 95%", "振动低于二点八毫米每秒，效率百分之九十五"),
    ("2024-03-15 发布，共 1005 台，10000 小时", "二零二四年三月十五日发布，共一千零五台，一万小时"),
])
def test_chinese_numbers_units_and_codes_are_read_the_chinese_way(text, said):
    from assistant.voice.zhnorm import speakable

    assert speakable(text) == said


@pytest.mark.parametrize("heard,kind,step", [
    ("下一部", "next", None), ("下一部。", "next", None), ("好的，下一部", "next", None), ("重負", "repeat", None),
    ("上一部", "previous", None), ("第三部", "goto", 3), ("地三步", "goto", 3), ("跳到第五部", "goto", 5),
    ("最后一部", "goto", LAST), ("完成", "next", None), ("第十二部", "goto", 12),
    ("第三部分讲的是什么？", "question", None), ("下一部电影什么时候上映？", "question", None), ("拧紧力矩是多少", "question", None),
])
def test_chinese_commands_are_understood_by_their_sound(heard, kind, step):
    """What a recogniser writes for a command it half-heard (部 for 步, 負 for 复) still navigates;
    a longer sentence that merely contains such a word stays a question."""
    got = parse(heard)
    assert (got.kind, got.step) == (kind, step), got


def test_chinese_transcripts_are_corrected_toward_the_library_terms_by_sound(sample_library):
    from assistant.voice.vocab import zh_vocab
    from assistant.voice.zhfix import correct

    vocab = zh_vocab(sample_library, VoiceSettings().zh_prompt)
    assert {"滤芯", "滤壳盖", "拧紧力矩"} <= set(vocab.terms) and "HP-3" in vocab.prompt and "滤芯" in vocab.prompt
    assert correct("旅客盖的宁静力度是多少？", vocab.terms) == "滤壳盖的拧紧力矩是多少？"
    assert correct("用什么叶压油", vocab.terms) == "用什么液压油"
    for fine in ("工作压差是多少", "今天天气很好，我们去公园散步", "压力表显示多少"):  # nothing to correct
        assert correct(fine, vocab.terms) == fine


@pytest.mark.slow
def test_kokoro_is_assembled_once_and_checked(tmp_path):
    from assistant.index.model_cache import META
    from assistant.voice.kokoro import MODEL_SHA256, assemble

    files = assemble(tmp_path)
    assert files.model.stat().st_size > 80_000_000 and files.vocab.is_file() and files.voices.is_file()
    mtime = files.model.stat().st_mtime_ns
    assert assemble(tmp_path).model.stat().st_mtime_ns == mtime  # ready: not built again
    (files.model.parent / META).write_text("{}")  # an interrupted or tampered copy is rebuilt
    assemble(tmp_path)
    assert MODEL_SHA256 in (files.model.parent / META).read_text()


@pytest.mark.slow
def test_kokoro_speaks_chinese_numbers_and_codes(settings):
    """The neural Chinese voice: speech of a plausible length for the text, codes spelled (longer
    than the number alone), and Whisper hears the Chinese in it."""
    from assistant.voice.asr import get_model, recognise
    from assistant.voice.tts import engine_name, speak

    wav = speak("滤壳盖拧紧力矩为 25 N·m。", "zh", cache_dir=settings.cache_dir)
    with wave.open(io.BytesIO(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getframerate() == 24000 and 1.5 < seconds < 8
    code = speak("HF-220-10", "zh", cache_dir=settings.cache_dir)
    with wave.open(io.BytesIO(code)) as w:
        assert w.getnframes() / w.getframerate() > 1.5  # H F 杠 二 二 零 杠 一 零: nine things said
    assert engine_name("zh") == "kokoro:jm_kumo"
    heard = recognise(decode(wav).samples, get_model(settings.cache_dir, VoiceSettings()), VoiceSettings(), None)
    assert heard.language == "zh" and "力矩" in heard.text, heard.text


def test_a_chinese_model_directory_that_is_not_one_says_what_it_expects(tmp_path):
    from assistant.errors import ModelNotAvailable
    from assistant.voice.asr import zh_engine

    (tmp_path / "model.onnx").write_bytes(b"not a model")  # tokens.txt missing
    with pytest.raises(ModelNotAvailable) as err:
        zh_engine(tmp_path, VoiceSettings(zh_model=str(tmp_path)))
    assert "tokens.txt" in str(err.value) and "model.bin" in str(err.value)


@pytest.mark.slow
def test_chinese_speech_can_go_to_a_local_whisper_directory(settings):
    """zh_model names a local CTranslate2 Whisper directory: Chinese speech goes there (here the
    bundled base, assembled, standing in for a larger Whisper a user converted)."""
    from assistant.voice.asr import assemble_base, get_model, recognise

    local = assemble_base(settings.cache_dir / "whisper-base-ct2")
    vs = VoiceSettings(zh_model=str(local))
    x = zh_say("下一步", "jm_kumo", settings.cache_dir)
    heard = recognise(find_speech(decode(wav_bytes(x, 16000))).samples, get_model(settings.cache_dir, vs), vs, "zh",
                      cache_dir=settings.cache_dir)
    assert heard.language == "zh" and parse(heard.text).kind == "next", heard.text


# spoken Chinese commands, intent and step they lead to from step 2 of the card
ZH_COMMANDS = [("下一步", "next", 3), ("重复", "repeat", 2), ("上一步", "previous", 1), ("第三步", "goto", 3),
               ("完成", "next", 3)]


@pytest.mark.slow
@pytest.mark.parametrize("voice,snr", [("jm_kumo", None), ("jf_alpha", None), ("jm_kumo", 10)])
def test_spoken_chinese_commands_move_the_card(retriever, settings, voice, snr):
    """下一步, 重复, 上一步, 第三步, 完成 said by the Kokoro voice move the card as the English commands
    do, the language detected: at least three of the five in each voice and in plant noise at 10 dB
    (measured 3 to 5: Whisper base hears a short 重复 or 完成 as "车腹", "1层" or English, 上一步 as
    相一步). A command it does not get is refused ("please repeat") or taken as a question: the
    card never moves to a step that was not asked for."""
    store = SessionStore()
    s = store.get(None)  # a card drafted in Chinese, as a spoken 如何更换回油滤芯 would
    assert respond("如何更换回油滤芯？", "zh", s, retriever, None, VS)["intent"] == "card" and len(s.card.steps) >= 5
    wrong = []
    for k, (text, kind, number) in enumerate(ZH_COMMANDS):
        s.step = 1
        x = zh_say(text, voice, settings.cache_dir)
        if snr is not None:
            x = mix(pad(x, 0.3, 0.3, 16000), factory_noise(len(x) / 16000 + 0.6, seed=k), snr)
        try:
            out = handle_voice(wav_bytes(x, 16000), "c.wav", None, s.id, None, retriever, None, settings,
                               voice_settings=VoiceSettings(tts="off"), sessions=store)
        except VoiceError as exc:
            wrong.append(f"{text} refused: {exc.reason}")
            continue
        got = (out["language"], out["intent"], out.get("step", {}).get("number"))
        if got != ("zh", kind, number):
            wrong.append(f"{text} heard as {out['transcript']!r}: {got}")
            assert out["intent"] == "question" and s.step == 1, f"{text} moved the card: {wrong[-1]}"
    assert len(ZH_COMMANDS) - len(wrong) >= 3, "; ".join(wrong)


@pytest.mark.slow
def test_spoken_chinese_question_is_answered_and_spoken_in_chinese(retriever, settings):
    x = zh_say("滤壳盖的拧紧力矩是多少？", "jm_kumo", settings.cache_dir)
    out = handle_voice(wav_bytes(x, 16000), "q.wav", None, None, None, retriever, None, settings, sessions=SessionStore())
    assert out["language"] == "zh" and "拧紧力矩" in out["transcript"], out["transcript"]
    assert "25" in out["answer"] and out["citations"] and "来源" in out["spoken_answer"]
    assert out["tts"] == "kokoro:jm_kumo" and _wav_seconds(out["audio_wav_base64"]) > 2
    assert 0 < out["timings_ms"]["first_audio"] <= out["timings_ms"]["total"]


def test_a_step_that_opens_a_part_of_the_task_says_the_parts_title_first():
    """A card of two adjustments: the step that opens the second says its title before the instruction, so
    a technician with a headset hears that the seal pressure adjustment starts there."""
    from assistant.cards.model import Citation, Part, Step, StepCard

    cite = Citation(chunk_id="c1", doc="tm.pdf", page=51, quote="(2) Seal Pressure Adjustment.")
    part = Part(text="Seal Pressure Adjustment. To increase the seal pressure on the roller latch side of the door, "
                     "proceed as follows", source_number="(2)", citations=[cite])
    steps = [Step(number=1, instruction="Coat each new shim with conductive compound.", citations=[cite]),
             Step(number=2, instruction="Add a 0.032 inch shim between the keeper (9) and the shelter.", part=part, citations=[cite])]
    card = StepCard(title="3-18. Door Gaskets. c . Adjust.", task="adjust the door gaskets", language="en", steps=steps)
    assert "Seal Pressure" not in sp.step_speech(card, 0, "en")
    said = sp.step_speech(card, 1, "en")
    assert said.index("Seal Pressure Adjustment.") < said.index("Add a 0.032 inch shim"), said
