"""Voice round trip: a ~3 s spoken question (the bundled Piper voice) through POST /v1/voice's pipeline (decode,
speech check, Whisper, retrieval, answer, speakable text, TTS), in extractive mode. Models are
loaded by a warm-up request that is not counted; each run gets a new session.

    python bench/voice_bench.py [--runs 10] [--model base|tiny.en] [--language auto|en]
                                [--format wav|ogg|webm|mp3|flac] [--tts auto|espeak|piper|off]
                                [--scenarios question,card,next] [--index DIR]

Prints a table of per-stage p50/p90 (ms) for each scenario and one JSON line. The goal is a p50
round trip of at most 3 s for the question on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import SAMPLES, Timer, median, percentile, report  # noqa: E402

QUESTION = "What is the torque for the filter housing cover on the HP-3?"
SCENARIOS = {"question": QUESTION, "card": "How do I replace the return line filter element?", "next": "Next step."}
STAGES = ("decode", "vad", "asr", "retrieval", "answer", "card", "tts", "total")


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--model", default="base", help="'base', 'tiny.en' or a CTranslate2 Whisper directory")
    ap.add_argument("--language", default="auto", help="'auto' (Whisper detects en/zh) or 'en' (what a headset may send)")
    ap.add_argument("--format", default="ogg", choices=["wav", "ogg", "webm", "mp3", "flac", "m4a"])
    ap.add_argument("--tts", default="auto", choices=["auto", "espeak", "piper", "off"])
    ap.add_argument("--scenarios", default="question", help="comma list of: " + ", ".join(SCENARIOS))
    ap.add_argument("--index", type=Path, help="an indexed library (default: the bundled samples, indexed now)")
    ap.add_argument("--llm", default="none", help="answer backend: 'none' (extractive, default) or 'local' (the bundled model)")
    args = ap.parse_args(argv)

    from assistant.voice import VoiceSettings

    vs = VoiceSettings(whisper_model=args.model, tts=args.tts)
    language = None if args.language == "auto" else args.language
    work = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    try:
        with Timer() as t_lib:
            app = open_assistant(args.index, work, vs, args.llm)
        names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
        clips = {n: speech(SCENARIOS[n], args.format, work) for n in names}
        card_clip = speech(SCENARIOS["card"], args.format, work)
        with Timer() as t_warm:  # loads Whisper, the VAD, the TTS voice; drafts the card once
            app.voice(card_clip, "warm", None, None, language)
        rows, result = [], {"bench": "voice", "runs": args.runs, "model": args.model, "language": args.language,
                            "format": args.format, "tts": args.tts, "llm": args.llm, "cpu_count": os.cpu_count(),
                            "load_avg_1m": round(os.getloadavg()[0], 2), "platform": platform.platform(),
                            "library_s": round(t_lib.seconds, 2), "warmup_s": round(t_warm.seconds, 2), "scenarios": {}}
        for name in names:
            timings, last = [], None
            for _ in range(args.runs):
                sid = None  # no session id: a new session
                if name == "next":  # navigation needs an active card in the session
                    sid = app.voice(card_clip, "c", None, None, language)["session_id"]
                last = app.voice(clips[name], f"q.{args.format}", None, sid, language)
                timings.append(last["timings_ms"])
            seconds = last["seconds"]
            stats = {s: (median([t.get(s, 0.0) for t in timings]), percentile([t.get(s, 0.0) for t in timings], 90)) for s in STAGES}
            for s in STAGES:
                rows.append((name, s, f"{stats[s][0]:.0f}", f"{stats[s][1]:.0f}"))
            result["scenarios"][name] = {"audio_s": seconds, "transcript": last["transcript"], "spoken_chars": len(last["spoken_answer"]),
                                         "tts_engine": last.get("tts"), "p50_ms": {s: round(v[0], 1) for s, v in stats.items()},
                                         "p90_total_ms": round(stats["total"][1], 1)}
        q = result["scenarios"].get("question")
        if q:
            result["round_trip_p50_s"] = round(q["p50_ms"]["total"] / 1000, 3)
            result["goal_met"] = q["p50_ms"]["total"] <= 3000
        title = (f"Voice round trip, {args.runs} runs, Whisper {args.model}, language {args.language}, {args.format}, "
                 f"TTS {args.tts}, {os.cpu_count()} cores (load {result['load_avg_1m']})")
        report(title, rows, ("scenario", "stage", "p50 ms", "p90 ms"), result)
        app.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
