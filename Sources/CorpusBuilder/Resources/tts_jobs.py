"""The job loop the TTS helpers of `steermoe corpus build` share (piper_synth.py, kokoro_synth.py).

Each stdin line is a JSON job with at least "out" (a WAV path); `render(job)` returns the clip as
16-bit samples and their rate. Each clip is written as mono WAV to out + ".partial" and renamed to
out, so a killed build never leaves a half-written clip; "ok OUT" is printed per clip. The loop stops
when the build that started it has gone (its parent process changed).
"""
import json
import os
import sys
import wave


def serve(render) -> None:
    parent = os.getppid()
    for line in sys.stdin:
        if os.getppid() != parent:
            sys.exit("the corpus build that started this helper has gone; stopping")
        if not line.strip():
            continue
        job = json.loads(line)
        audio, rate = render(job)
        if len(audio) == 0:
            sys.exit(f"no audio for {job['out']}")
        partial = job["out"] + ".partial"
        with wave.open(partial, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(audio.tobytes())
        os.replace(partial, job["out"])
        print("ok", job["out"], flush=True)
