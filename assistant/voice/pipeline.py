"""One voice request, end to end: decode, check for speech, transcribe, act on the intent (move
through the session's step card, draft a card, or answer), shorten to speakable text, speak it.

    out = handle_voice(wav_bytes, "q.wav", "audio/wav", None, None, retriever, None, settings)   # needs the voice models and a library
    out["transcript"], out["spoken_answer"][:40]   # needs the voice models and a library
    # -> ('What torque for the filter housing cover on the HP-3?', 'Filter housing cover torque: 25 newton m')
"""
from __future__ import annotations

import base64
import contextlib
import logging
import re
import threading
import time

from ..errors import AssistantError, UnclearSpeech, UnsupportedLanguage
from ..models import REGISTRY
from . import speak as sp
from .intent import LAST, Intent, parse
from .sessions import Session, SessionStore
from .settings import VoiceSettings

log = logging.getLogger("assistant.voice")
_LANGS = {"en": "en", "english": "en", "zh": "zh", "cmn": "zh", "chinese": "zh", "mandarin": "zh"}


def handle_voice(audio: bytes, filename: str, content_type: str | None, session_id: str | None, language: str | None,
                 retriever, llm, settings, *, voice_settings: VoiceSettings | None = None,
                 sessions: SessionStore | None = None, lock=None) -> dict:
    """The response JSON for one recording (see docs/voice.md), or a VoiceError naming what is wrong.
    `lock` (e.g. a server's library read lock) is held only while the library is read, not during
    decoding, recognition and speech synthesis (about 90% of the time)."""
    from .asr import get_model, recognise
    from .audio import decode
    from .vad import find_speech
    from .vocab import hotwords, zh_vocab

    vs = voice_settings or REGISTRY.get(("voice", "settings"), VoiceSettings)
    # not `sessions or ...`: an empty SessionStore is falsy (it has a length)
    store = sessions if sessions is not None else _shared_sessions(vs)
    lang = normalize_language(language)
    timer = _Timer()
    with timer("decode"):
        clip = decode(audio, filename or "audio", vs.max_bytes, vs.max_seconds)
    with timer("vad"):
        speech = find_speech(clip, vs.min_speech_s)
    with timer("asr_load"):
        model = get_model(settings.cache_dir, vs)
    sid = session_id[:200] if session_id else None
    live = store.peek(sid)
    in_card = live is not None and live.card is not None
    with timer("asr"):
        library = getattr(retriever, "library", None)
        heard = recognise(speech.samples, model, vs, lang, hotwords(library, vs.hotwords), zh_vocab(library, vs.zh_prompt),
                          settings.cache_dir, prefer=live.language if in_card else None)
    # a short command ("next step", "back", "下一步") is checked against the command grammar before
    # the confidence gate: Whisper is least sure of the two-word commands a technician uses most
    if heard.doubt and not (in_card and parse(heard.text).navigation):
        raise UnclearSpeech(heard.doubt)
    if heard.doubt:
        log.info("accepted the command %r despite low recognition confidence (%.2f): a card session is active",
                 heard.text, heard.avg_logprob)
    session = store.get(sid)
    with session.lock, (lock if lock is not None else contextlib.nullcontext()):
        out = respond(heard.text, heard.language, session, retriever, llm, vs, timer)
    with timer("tts"):
        out.update(_speech_audio(out["spoken_answer"], heard.language, vs, settings.cache_dir, timer))
    out["seconds"] = round(clip.seconds, 2)
    out["format"] = clip.format
    out["timings_ms"] = timer.ms()
    return out


def normalize_language(language: str | None) -> str | None:
    """'en-US' -> 'en', 'zh-Hans' -> 'zh', None or 'auto' -> None (detect); anything else is UnsupportedLanguage."""
    if not language or language.strip().lower() in ("auto", ""):
        return None
    key = re.split(r"[-_]", language.strip().lower())[0]
    if key not in _LANGS:
        raise UnsupportedLanguage(f"unsupported language {language!r:.20}: use en, zh or leave it out to detect")
    return _LANGS[key]


def respond(transcript: str, lang: str, session: Session, retriever, llm, vs: VoiceSettings, timer=None) -> dict:
    """Everything after speech recognition: the response JSON without audio (also usable on typed text)."""
    timer = timer or _Timer()
    intent = parse(transcript)
    base = {"transcript": transcript, "language": lang, "session_id": session.id, "intent": intent.kind}
    if intent.navigation:
        out = _navigate(intent, session, lang, vs)
    elif intent.kind == "card":
        out = _card(intent, transcript, session, lang, retriever, llm, vs, timer)
    else:
        out = _answer(transcript, lang, retriever, llm, vs, timer, session=session)
    session.expired = False
    return {**base, **out}


def _answer(question: str, lang: str, retriever, llm, vs: VoiceSettings, timer, prefix: str = "", session=None) -> dict:
    from ..answer import answer_question
    from ..conversation import boosted

    turn = session.follow_up(question) if session is not None else None  # a follow-up, answered as it stands alone

    timed = _timed(retriever)
    with timer("answer"):
        a = answer_question(turn.standalone if turn else question, boosted(timed, turn), llm=llm)
    if session is not None:
        session.remember(question, a)
    timer.move("answer", "retrieval", timed.spent())
    # the printed page number where the manual has one: what the technician turns to
    srcs = ([(h.chunk.doc, h.chunk.page_label or h.chunk.page) for h in a.sources] if a.refused
            else [(c.doc, c.page_label or c.page) for c in a.citations])
    limit = vs.max_spoken_chars - (len(prefix) + 1 if prefix else 0)
    spoken = sp.answer_speech(a.answer, srcs, lang, limit, refused=a.refused, warnings=[w.text for w in a.warnings])
    j = a.to_json()
    return {"spoken_answer": sp.join([prefix, spoken], lang), "answer": a.answer, "citations": j["citations"],
            "refused": a.refused, "warnings": j["warnings"], "mode": a.mode,
            **({"standalone_question": turn.standalone} if turn and turn.rewritten else {})}


def _card(intent: Intent, transcript: str, session: Session, lang: str, retriever, llm, vs: VoiceSettings, timer) -> dict:
    timed = _timed(retriever)
    try:
        with timer("card"):
            card = _drafter(timed, llm).draft(intent.task)
    except AssistantError as exc:  # NoProcedureFound (or a card that failed its checks): answer instead
        log.info("no card for %r (%s); answering instead", intent.task, exc)
        timer.move("card", "retrieval", timed.spent())
        out = _answer(transcript, lang, retriever, llm, vs, timer, prefix=sp.msg(lang, "no_procedure"))
        out["intent"] = "question"
        return out
    timer.move("card", "retrieval", timed.spent())
    session.card, session.step, session.language = card, 0, lang
    out = _step_out(card, 0, lang, vs, intro=True)
    out["card"] = card.to_json()
    out["answer"] = f"{card.title} ({len(card.steps)} steps). Step 1: {card.steps[0].instruction}"
    return out


def _navigate(intent: Intent, session: Session, lang: str, vs: VoiceSettings) -> dict:
    card = session.card
    if card is None:
        text = sp.msg(lang, "expired" if session.expired else "no_card")
        return {"spoken_answer": text, "answer": text, "citations": [], "refused": False, "warnings": []}
    i, total, note = session.step, len(card.steps), ""
    if intent.kind == "next":
        note, i = (sp.msg(lang, "last"), i) if i >= total - 1 else ("", i + 1)
    elif intent.kind == "previous":
        note, i = (sp.msg(lang, "first"), i) if i <= 0 else ("", i - 1)
    elif intent.kind == "goto":
        n = total if intent.step == LAST else intent.step
        note, i = (sp.msg(lang, "range", total=total), i) if not 1 <= n <= total else ("", n - 1)
    elif intent.kind in ("yes", "no"):
        note, i = _answer_step(card.steps[i], intent.kind == "yes", i, total, lang)
    session.step = i
    out = _step_out(card, i, lang, vs, prefix=note)
    out["answer"] = sp.join([note, f"Step {i + 1} of {total}: {card.steps[i].instruction}"], lang)
    return out


def _answer_step(step, yes: bool, i: int, total: int, lang: str) -> tuple[str, int]:
    """(what to say first, the step to go to) when the technician answers a decision step "yes" or "no":
    the step's branch for that answer jumps to its card step, or says what to do; a step without
    branches takes "yes" as done (the next step) and "no" as "say it again"."""
    branch = next((b for b in step.branches if _affirms(b.condition) == yes), None)
    if branch is None:
        if not yes:
            return "", i
        return (sp.msg(lang, "last"), i) if i >= total - 1 else ("", i + 1)
    if branch.goto is not None:
        return "", branch.goto - 1
    return f"{branch.condition}: {branch.action}.", i


def _affirms(condition: str) -> bool | None:
    """True for a yes branch ("If yes", "If so", "如果是"), False for a no branch ("If no", "If not",
    "Otherwise", "否则"), None for a condition of its own ("If damaged")."""
    c = condition.lower()
    if re.search(r"\b(?:no|not)\b|otherwise|否|不是", c):
        return False
    if re.search(r"\b(?:yes|so|ok|okay)\b|^如果?是$", c):
        return True
    return None


def _step_out(card, i: int, lang: str, vs: VoiceSettings, intro: bool = False, prefix: str = "") -> dict:
    step = card.steps[i]
    return {"spoken_answer": sp.step_speech(card, i, lang, vs.max_spoken_chars, intro=intro, prefix=prefix),
            "citations": [c.model_dump(mode="json") for c in step.citations], "refused": False,
            "warnings": [w.model_dump(mode="json") for w in step.warnings],
            "step": step.model_dump(mode="json"), "steps_total": len(card.steps), "card_title": card.title}


def _speech_audio(text: str, lang: str, vs: VoiceSettings, cache_dir=None, timer=None) -> dict:
    if vs.tts == "off":
        return {"audio_wav_base64": None, "tts": "off"}
    from .tts import engine_name, speak

    # "first_audio": from the request's start to the first sentence's audio, what a streaming client would play
    first = (lambda: timer.mark("first_audio")) if timer is not None else None
    try:
        wav = speak(text, lang, vs.tts, vs.tts_timeout_s, cache_dir=cache_dir, zh_voice=vs.tts_zh_voice, on_first_audio=first)
    except Exception as exc:  # the answer stands without its audio; say why instead of failing the request
        log.warning("text to speech failed: %s", exc)
        return {"audio_wav_base64": None, "tts": "failed", "tts_error": str(exc)[:200]}
    return {"audio_wav_base64": base64.b64encode(wav).decode("ascii"), "tts": engine_name(lang, vs.tts, vs.tts_zh_voice)}


# -- process-wide objects, held by REGISTRY: the default session store, timed views with their drafters


def _shared_sessions(vs: VoiceSettings) -> SessionStore:
    """The session store of callers that bring none (sized by the settings of the first such call)."""
    return REGISTRY.get(("voice", "sessions"), lambda: SessionStore(vs.session_ttl_s, vs.max_sessions))


def _timed(retriever) -> "_Timed":
    """The process-wide timed view of a retriever (card drafters keep it between requests)."""
    view = REGISTRY.get(("voice", "timed-views"), _TimedViews).get(retriever)
    view.reset()
    return view


def _drafter(timed: "_Timed", llm):
    """One CardDrafter per (retriever, llm): it keeps parsed documents between requests."""
    from ..cards import CardDrafter

    with timed.drafters_lock:
        entry = timed.drafters.get(id(llm))
        if entry is None or entry[0] is not llm:
            timed.drafters[id(llm)] = (llm, CardDrafter(timed.inner.library, timed, llm=llm))
        return timed.drafters[id(llm)][1]


class _TimedViews:
    """The timed views of the last few retrievers, by identity; at most `limit` (then it starts over)."""

    def __init__(self, limit: int = 8):
        self.limit = limit
        self._views: dict[int, _Timed] = {}
        self._lock = threading.Lock()

    def get(self, retriever) -> "_Timed":
        with self._lock:
            view = self._views.get(id(retriever))
            if view is None or view.inner is not retriever:
                if len(self._views) >= self.limit:
                    self._views.clear()
                view = self._views[id(retriever)] = _Timed(retriever)
            return view


class _Timed:
    """A retriever that counts, per thread, the time its searches take (the bench reports retrieval
    apart from answering and card drafting)."""

    def __init__(self, inner):
        self.inner = inner
        self.drafters: dict[int, tuple] = {}  # id(llm) -> (llm, CardDrafter), under drafters_lock
        self.drafters_lock = threading.Lock()
        self._local = threading.local()

    def search(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.inner.search(*args, **kwargs)
        finally:
            self._local.spent = self.spent() + time.perf_counter() - t0

    def reset(self) -> None:
        self._local.spent = 0.0

    def spent(self) -> float:
        return getattr(self._local, "spent", 0.0)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class _Timer:
    def __init__(self):
        self.t: dict[str, float] = {}
        self.t0 = time.perf_counter()

    def __call__(self, stage: str):
        timer = self

        class _Span:
            def __enter__(self):
                self.s = time.perf_counter()

            def __exit__(self, *exc):
                timer.t[stage] = timer.t.get(stage, 0.0) + time.perf_counter() - self.s

        return _Span()

    def mark(self, stage: str) -> None:
        """Record `stage` as the time from the start to now (a moment, not a span)."""
        self.t[stage] = time.perf_counter() - self.t0

    def move(self, src: str, dst: str, seconds: float) -> None:
        """Count `seconds` of stage `src` as `dst` instead (retrieval inside answering)."""
        self.t[src] = self.t.get(src, 0.0) - seconds
        self.t[dst] = self.t.get(dst, 0.0) + seconds

    def ms(self) -> dict:
        out = {k: round(v * 1000, 1) for k, v in self.t.items()}
        out["total"] = round((time.perf_counter() - self.t0) * 1000, 1)
        return out
