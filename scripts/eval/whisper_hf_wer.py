#!/usr/bin/env python3
"""transformers' WhisperForConditionalGeneration.generate (greedy, English, no timestamps) on a
converted folder, over the first N rows of a parquet split, scored as `steermoe evaluate` scores:
the reference for `steermoe evaluate --whisper-decoder` on the same weights. Optionally lists the
hypotheses that differ from another run's predictions.jsonl (same rows, same order).

    .venv/bin/python scripts/eval/whisper_hf_wer.py data/corpus/sky/test --limit 120 \
        --model models/whisper-base --out runs/whisper-base-hf --compare runs/whisper-base-swift-decoder/predictions.jsonl
"""
import argparse
import json

import torch
import transformers
from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperTokenizerFast

from scoring import decode_audio, evaluate, load_rows

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--limit", type=int, default=None)
p.add_argument("--model", default="models/whisper-base")
p.add_argument("--out", default=None)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--max-new-tokens", type=int, default=128)
p.add_argument("--compare", default=None, help="predictions.jsonl of another run")
a = p.parse_args()
torch.set_num_threads(a.threads)
transformers.logging.set_verbosity_error()  # one "max_new_tokens and max_length" warning per clip otherwise

rows = load_rows(a.split, a.limit)
fe = WhisperFeatureExtractor.from_pretrained(a.model)
tok = WhisperTokenizerFast.from_pretrained(a.model)
model = WhisperForConditionalGeneration.from_pretrained(a.model, attn_implementation="sdpa").eval()


def transcribe(row):
    audio, sr = decode_audio(row)
    assert sr == 16000, "resample first"
    feats = fe(audio, sampling_rate=sr, return_tensors="pt").input_features
    with torch.no_grad():
        ids = model.generate(feats, language="en", task="transcribe", max_new_tokens=a.max_new_tokens)
    return tok.decode(ids[0], skip_special_tokens=True).strip()


_, preds = evaluate(rows, transcribe, a.out)
if a.compare:
    other = [json.loads(line) for line in open(a.compare)]
    assert [o["reference"] for o in other[: len(preds)]] == [p_["reference"] for p_ in preds], "different rows"
    differ = [(i, p_["hypothesis"], o["hypothesis"]) for i, (p_, o) in enumerate(zip(preds, other)) if p_["hypothesis"] != o["hypothesis"]]
    print(f"identical hypotheses: {len(preds) - len(differ)} / {len(preds)}")
    for i, ours, theirs in differ:
        print(f"  row {i}: transformers {ours!r} | other {theirs!r}")
