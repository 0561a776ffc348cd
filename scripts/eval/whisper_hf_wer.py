#!/usr/bin/env python3
"""transformers' WhisperForConditionalGeneration.generate (greedy, English, no timestamps) on a
converted folder, over the first N rows of a parquet split, scored as `steermoe evaluate` scores:
the reference for `steermoe evaluate --whisper-decoder` on the same weights. Optionally lists the
hypotheses that differ from another run's predictions.jsonl (same rows, same order).

    .venv/bin/python scripts/eval/whisper_hf_wer.py data/corpus/sky/test --limit 120 \
        --model models/whisper-base --out runs/whisper-base-hf --compare runs/whisper-base-swift-decoder/predictions.jsonl
"""
import argparse
import glob
import io
import json
import os
import time

import pyarrow.parquet as pq
import soundfile
import torch
import transformers
from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperTokenizerFast



def normalize(text):  # ErrorRates.normalize in Sources/SteerMoE/Evaluation/ErrorRates.swift (as whisper_ct2_wer.py)
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

rows = []
for f in sorted(glob.glob(os.path.join(a.split, "*.parquet"))):
    rows += pq.read_table(f, columns=["audio", "text"]).to_pylist()
rows = rows[: a.limit] if a.limit else rows
fe = WhisperFeatureExtractor.from_pretrained(a.model)
tok = WhisperTokenizerFast.from_pretrained(a.model)
model = WhisperForConditionalGeneration.from_pretrained(a.model, attn_implementation="sdpa").eval()
we = wn = ce = cn = 0
preds = []
t0 = time.time()
for row in rows:
    audio, sr = soundfile.read(io.BytesIO(row["audio"]["bytes"]), dtype="float32")
    assert sr == 16000, "resample first"
    feats = fe(audio, sampling_rate=sr, return_tensors="pt").input_features
    with torch.no_grad():
        ids = model.generate(feats, language="en", task="transcribe", max_new_tokens=a.max_new_tokens)
    hyp = tok.decode(ids[0], skip_special_tokens=True).strip()
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
if a.compare:
    other = [json.loads(line) for line in open(a.compare)]
    assert [o["reference"] for o in other[: len(preds)]] == [p_["reference"] for p_ in preds], "different rows"
    differ = [(i, p_["hypothesis"], o["hypothesis"]) for i, (p_, o) in enumerate(zip(preds, other)) if p_["hypothesis"] != o["hypothesis"]]
    print(f"identical hypotheses: {len(preds) - len(differ)} / {len(preds)}")
    for i, ours, theirs in differ:
        print(f"  row {i}: transformers {ours!r} | other {theirs!r}")
