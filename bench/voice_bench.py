"""Voice, English and Chinese side by side: the round trip of a spoken question through POST /v1/voice's
pipeline (decode, speech check, Whisper, retrieval, answer, speakable text, TTS) in extractive mode,
and how well Chinese speech is recognised (character error rate per engine, voice and noise level).

    python bench/voice_bench.py [--runs 10] [--model base|tiny.en] [--language auto|en|zh]
                                [--format wav|ogg|webm|mp3|flac] [--tts auto|espeak|piper|kokoro|off]
                                [--scenarios question,card,next] [--index DIR] [--zh-runs 10]
                                [--zh-voices jm_kumo,jf_alpha,espeak] [--zh-conditions clean,10,5]
                                [--zh-engines plain,default] [--zh-model DIR] [--zh-limit N] [--no-cer]

Round trip: English is a ~3 s question said by the bundled Piper voice; Chinese cycles through the
test set's questions said by the Kokoro voice. Models are loaded by a warm-up request that is not
counted; each run gets a new session. "first_audio" is end of speech to the first sentence's audio
(what a streaming client starts playing), "total" the whole request with all the audio.

Chinese recognition: the spoken test set is bench/data/zh-speech/utterances.jsonl (maintenance
questions, mixed Chinese with part codes, navigation commands), said by each voice (Kokoro speakers;
espeak-ng's Mandarin where installed) into <cache_dir>/bench/zh-speech (made once, not committed),
then with plant noise (pink broadband plus 50 Hz hum and harmonics) at 10 and 5 dB SNR. Each clip
goes through the product's speech check and recogniser. Engines: 'plain' is Whisper told the
language is Chinese and nothing else (what `language=zh` did before); 'default' is the product's
route (Whisper detects the language; the Chinese prompt with the library's terms; correction by
sound, zhfix.py); 'local' is the --zh-model directory (a CTranslate2 Whisper or sherpa-onnx model).
Reported per engine, voice and condition: CER on the questions (and mixed), whether part codes
came through intact, command intents understood, and the share refused as unclear. An utterance's
errors count up to its length (a transcript that loops is wholly wrong, not five times wrong).

Prints the tables and one JSON line. Goals (issue 20): CER <= 10 % clean and <= 20 % at 5 dB on the
questions; round trip (first audio) p50 <= 2.5 s; the English question's p50 total was <= 3 s.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, SAMPLES, Timer, median, percentile, report  # noqa: E402

QUESTION = "What is the torque for the filter housing cover on the HP-3?"
SCENARIOS = {"question": QUESTION, "card": "How do I replace the return line filter element?", "next": "Next step."}
STAGES = ("decode", "vad", "asr", "retrieval", "answer", "card", "tts", "first_audio", "total")
ZH_SET = ROOT / "bench" / "data" / "zh-speech" / "utterances.jsonl"
ZH_CARD = "如何更换回油滤芯？"
CODE = re.compile(r"[A-Z]{1,5}-?\d+(?:-\d+)*")


def speech(text: str, fmt: str, d: Path) -> bytes:
    """The bundled Piper voice saying `text`, encoded to `fmt` with PyAV (tests/speech.py: no system programs)."""
    from tests.speech import Speech

    return Speech(d).bytes(text, fmt)


def open_assistant(index: Path | None, work: Path, voice_settings, llm: str = "none"):
    """An assistant over `index`, or over the bundled samples indexed now, answering with `llm` ('none':
    extractive); its library, retrieval models and language model loaded before timing."""
    from assistant.app import Assistant
    from assistant.settings import Settings

    app = Assistant(Settings(llm=llm, index_dir=index or work / "library"), voice_settings=voice_settings)
    if index is None:
        app.load_embedders()
        app.index([SAMPLES], progress=False, workers=1)
    app.retriever  # noqa: B018
    app.llm  # noqa: B018
    return app


def utterances() -> list[dict]:
    return [json.loads(line) for line in ZH_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- character error rate


def cer_text(text: str) -> str:
    """What is compared: characters without punctuation, spaces or hyphens; Latin in capitals;
    numbers in Chinese reading (a recogniser may write 第12步 or 第十二步; both are right)."""
    from assistant.voice.zhnorm import number

    t = re.sub(r"\d+(?:\.\d+)?", lambda m: number(m.group(0)), text.upper())
    return re.sub(r"[\s\-_，。？！、,.?!：:；;“”\"'（）()《》·]", "", t)


def edits(ref: str, hyp: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i]
        for j, b in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1]


def code_intact(ref: str, hyp: str) -> bool:
    """Every part code of `ref` (HP-3, E-211, HF-220-10) is in `hyp`, hyphens aside."""
    flat = hyp.upper().replace("-", "").replace(" ", "")
    return all(c.replace("-", "") in flat for c in CODE.findall(ref))


def recognition(app, args, vs) -> tuple[list[tuple], dict]:
    """CER rows and results for every engine x voice x condition (see the module doc)."""
    import numpy as np

    from assistant.errors import VoiceError
    from assistant.voice.asr import get_model, recognise
    from assistant.voice.audio import Clip
    from assistant.voice.intent import parse
    from assistant.voice.vad import find_speech
    from assistant.voice.vocab import ZhVocab, zh_vocab
    from tests.speech import factory_noise, mix, zh_say

    cache = app.settings.cache_dir
    store = cache / "bench" / "zh-speech"
    items = utterances()[: args.zh_limit or None]
    voices = [v for v in args.zh_voices.split(",") if v and (v != "espeak" or shutil.which("espeak-ng"))]
    conditions = [c.strip() for c in args.zh_conditions.split(",") if c.strip()]
    engines = [e.strip() for e in args.zh_engines.split(",") if e.strip()]
    if args.zh_model:
        engines.append("local")
    model = get_model(cache, vs)
    library = getattr(app.retriever, "library", None)
    product = zh_vocab(library, vs.zh_prompt)
    setups = {"plain": (vs.model_copy(update={"zh_prompt": ""}), ZhVocab("", ()), "zh"),
              "default": (vs, product, None),
              "local": (vs.model_copy(update={"zh_model": args.zh_model or "whisper"}), product, None)}
    rows, results = [], {}
    for engine in engines:
        evs, vocab, lang = setups[engine]
        for voice in voices:
            clean = {u["id"]: zh_say(u["text"], voice, cache, store) for u in items}
            for cond in conditions:
                stat = {"errors": 0, "chars": 0, "mixed_errors": 0, "mixed_chars": 0, "codes": 0, "codes_ok": 0,
                        "commands": 0, "commands_ok": 0, "refused": 0, "n": 0, "zh_detected": 0, "asr_s": []}
                examples = []
                for k, u in enumerate(items):
                    x = clean[u["id"]]
                    if cond != "clean":
                        x = mix(np.concatenate([np.zeros(4000, np.float32), x, np.zeros(4000, np.float32)]),
                                factory_noise(len(x) / 16000 + 1, seed=100 + k), float(cond))
                    hyp, doubt, detected = "", "", ""
                    with Timer() as t:
                        try:
                            speech_clip = find_speech(Clip(x, "wav"), evs.min_speech_s)
                            heard = recognise(speech_clip.samples, model, evs, lang, "", vocab, cache)
                            hyp, doubt, detected = heard.text, heard.doubt, heard.language
                        except VoiceError as exc:  # no speech found, or nothing recognised: all wrong
                            doubt = str(exc)
                    stat["asr_s"].append(t.seconds)
                    stat["n"] += 1
                    stat["refused"] += bool(doubt)
                    stat["zh_detected"] += detected == "zh"
                    ref_c, hyp_c = cer_text(u["text"]), cer_text(hyp)
                    e = min(edits(ref_c, hyp_c), len(ref_c))  # a looping transcript counts as wholly wrong, not 5x
                    if args.zh_dump:
                        with open(args.zh_dump, "a", encoding="utf-8") as f:
                            f.write(json.dumps({"engine": engine, "voice": voice, "condition": cond, "id": u["id"],
                                                "ref": u["text"], "hyp": hyp, "errors": e, "chars": len(ref_c),
                                                "doubt": doubt, "language": detected}, ensure_ascii=False) + "\n")
                    if u["kind"] == "command":
                        want = parse(u["text"])
                        got = parse(hyp) if hyp else None
                        stat["commands"] += 1
                        stat["commands_ok"] += got is not None and got.kind == want.kind and got.step == want.step
                    else:
                        stat["errors"] += e
                        stat["chars"] += len(ref_c)
                        if u["kind"] == "mixed":
                            stat["mixed_errors"] += e
                            stat["mixed_chars"] += len(ref_c)
                            stat["codes"] += 1
                            stat["codes_ok"] += code_intact(u["text"], hyp)
                    if len(examples) < 6:
                        examples.append(f"{u['text']} -> {hyp}")
                cer = stat["errors"] / max(stat["chars"], 1)
                res = {"cer": round(cer, 3), "cer_mixed": round(stat["mixed_errors"] / max(stat["mixed_chars"], 1), 3),
                       "codes_intact": f"{stat['codes_ok']}/{stat['codes']}",
                       "commands_understood": f"{stat['commands_ok']}/{stat['commands']}",
                       "refused_unclear": round(stat["refused"] / max(stat["n"], 1), 3),
                       "zh_detected": round(stat["zh_detected"] / max(stat["n"], 1), 3),
                       "asr_p50_ms": round(median(stat["asr_s"]) * 1000), "examples": examples}
                results[f"{engine}/{voice}/{cond}"] = res
                rows.append((engine, voice, cond if cond == "clean" else f"{cond} dB", f"{cer:.1%}", f"{res['cer_mixed']:.1%}",
                             res["codes_intact"], res["commands_understood"], f"{res['refused_unclear']:.0%}",
                             res["asr_p50_ms"]))
                print(f"  {engine} {voice} {cond}: CER {cer:.1%}", file=sys.stderr, flush=True)
    return rows, {"utterances": len(items), "voices": voices, "conditions": conditions, "engines": engines,
                  "zh_prompt": product.prompt, "cells": results}


def round_trip(app, clips: list[bytes], fmt: str, runs: int, language, card_clip: bytes | None = None,
               session_card: bool = False) -> tuple[dict, dict]:
    """Per-stage timings of `runs` requests cycling through `clips` (p50, p95) and the last response."""
    timings, last = [], None
    for i in range(runs):
        sid = app.voice(card_clip, "c", None, None, language)["session_id"] if session_card else None
        last = app.voice(clips[i % len(clips)], f"q.{fmt}", None, sid, language)
        timings.append(last["timings_ms"])
    stats = {s: (median([t.get(s, 0.0) for t in timings]), percentile([t.get(s, 0.0) for t in timings], 95)) for s in STAGES}
    return stats, last


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--model", default="base", help="'base', 'tiny.en' or a CTranslate2 Whisper directory")
    ap.add_argument("--language", default="auto", help="'auto' (Whisper detects en/zh), or the language a headset sends")
    ap.add_argument("--format", default="ogg", choices=["wav", "ogg", "webm", "mp3", "flac", "m4a"])
    ap.add_argument("--tts", default="auto", choices=["auto", "espeak", "piper", "kokoro", "off"])
    ap.add_argument("--scenarios", default="question", help="comma list of: " + ", ".join(SCENARIOS))
    ap.add_argument("--index", type=Path, help="an indexed library (default: the bundled samples, indexed now)")
    ap.add_argument("--llm", default="none", help="answer backend: 'none' (extractive, default) or 'local' (the bundled model)")
    ap.add_argument("--zh-runs", type=int, default=10, help="Chinese round-trip requests (0: none)")
    ap.add_argument("--zh-voices", default="jm_kumo,jf_alpha,espeak", help="voices of the spoken test set")
    ap.add_argument("--zh-conditions", default="clean,10,5", help="'clean' and SNRs in dB")
    ap.add_argument("--zh-engines", default="plain,default", help="plain (Whisper, language zh), default (the product)")
    ap.add_argument("--zh-model", default="", help="also measure a local Chinese model directory (see VoiceSettings.zh_model)")
    ap.add_argument("--zh-limit", type=int, default=0, help="only the first N utterances (0: all)")
    ap.add_argument("--no-cer", action="store_true", help="skip the Chinese recognition table")
    ap.add_argument("--zh-dump", default="", help="append every Chinese transcript to this JSON-lines file")
    args = ap.parse_args(argv)

    from assistant.voice import VoiceSettings
    from tests.speech import encode, zh_say

    vs = VoiceSettings(whisper_model=args.model, tts=args.tts)
    language = None if args.language == "auto" else args.language
    work = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    try:
        with Timer() as t_lib:
            app = open_assistant(args.index, work, vs, args.llm)
        cache = app.settings.cache_dir
        names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
        clips = {n: speech(SCENARIOS[n], args.format, work) for n in names}
        card_clip = speech(SCENARIOS["card"], args.format, work)
        questions = [u["text"] for u in utterances() if u["kind"] == "question"][:10]
        store = cache / "bench" / "zh-speech"
        zh_clips = [encode(zh_say(q, vs.tts_zh_voice, cache, store), 16000, args.format) for q in questions]
        zh_card = encode(zh_say(ZH_CARD, vs.tts_zh_voice, cache, store), 16000, args.format)
        with Timer() as t_warm:  # loads Whisper, the VAD, the TTS voices; drafts the cards once
            app.voice(card_clip, "warm", None, None, language)
            if args.zh_runs:
                app.voice(zh_card, "warm", None, None, language)
        rows, result = [], {"bench": "voice", "runs": args.runs, "zh_runs": args.zh_runs, "model": args.model,
                            "language": args.language, "format": args.format, "tts": args.tts, "llm": args.llm,
                            "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
                            "platform": platform.platform(), "library_s": round(t_lib.seconds, 2),
                            "warmup_s": round(t_warm.seconds, 2), "scenarios": {}}
        plan = [("en", n, [clips[n]], args.runs) for n in names if args.runs]
        if args.zh_runs:
            plan.append(("zh", "question", zh_clips, args.zh_runs))
        for lang, name, cl, runs in plan:
            stats, last = round_trip(app, cl, args.format, runs, language, card_clip, session_card=name == "next")
            for s in STAGES:
                rows.append((lang, name, s, f"{stats[s][0]:.0f}", f"{stats[s][1]:.0f}"))
            result["scenarios"][f"{lang}/{name}"] = {
                "transcript": last["transcript"], "spoken_answer": last["spoken_answer"][:120],
                "tts_engine": last.get("tts"), "p50_ms": {s: round(v[0], 1) for s, v in stats.items()},
                "p95_ms": {s: round(v[1], 1) for s, v in stats.items()}}
        for lang in ("en", "zh"):
            q = result["scenarios"].get(f"{lang}/question")
            if q:
                result[f"{lang}_first_audio_p50_s"] = round(q["p50_ms"]["first_audio"] / 1000, 3)
                result[f"{lang}_first_audio_p95_s"] = round(q["p95_ms"]["first_audio"] / 1000, 3)
                result[f"{lang}_round_trip_p50_s"] = round(q["p50_ms"]["total"] / 1000, 3)
        if "zh_first_audio_p50_s" in result:
            result["zh_goal_round_trip_met"] = result["zh_first_audio_p50_s"] <= 2.5
        if not args.no_cer:
            cer_rows, result["zh_recognition"] = recognition(app, args, vs)
            header = ("engine", "voice", "noise", "CER q", "CER mixed", "codes ok", "commands ok", "refused", "asr p50 ms")
            widths = [max(len(str(x)) for x in col) for col in zip(header, *cer_rows)]
            print(f"\nChinese recognition: {result['zh_recognition']['utterances']} utterances of {ZH_SET.name}, "
                  "CER on questions and mixed (commands: intents understood)")
            for r in (header, *cer_rows):
                print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
            cells = result["zh_recognition"]["cells"]
            best = {c: min((v["cer"] for k, v in cells.items() if k.startswith("default/") and k.endswith("/" + c)),
                           default=None) for c in ("clean", "5")}
            if best["clean"] is not None and best["5"] is not None:
                result["zh_goal_cer_met"] = best["clean"] <= 0.10 and best["5"] <= 0.20
        title = (f"Voice round trip, {args.runs} en / {args.zh_runs} zh runs, Whisper {args.model}, language "
                 f"{args.language}, {args.format}, TTS {args.tts}, {os.cpu_count()} cores (load {result['load_avg_1m']})")
        report(title, rows, ("lang", "scenario", "stage", "p50 ms", "p95 ms"), result)
        app.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
