#!/usr/bin/env python3
"""Long recordings from a parquet split, to measure `steermoe transcribe` on audio longer than the
models' 30 s window (docs/results.md "Long recordings").

    build: consecutive rows (split order) are joined, with GAP seconds of silence between them, into
           16 kHz WAV files of at least SECONDS each (the last may be shorter), plus refs.jsonl
           ({"audio": PATH, "text": the joined transcripts, "rows": [first, end)}).
    score: WER/CER of `steermoe transcribe --json` output against refs.jsonl, normalised and
           counted exactly as `steermoe evaluate` (scoring.py), corpus level.

    .venv/bin/python scripts/eval/longform.py build data/corpus/sky/dev --out runs/longform/dev
    steermoe transcribe --json runs/longform/dev/*.wav > runs/longform/dev-30s.jsonl
    .venv/bin/python scripts/eval/longform.py score runs/longform/dev runs/longform/dev-30s.jsonl
Needs the venv of `scripts/bootstrap --reference` (soundfile, soxr).
"""
import argparse
import json
import os

import numpy as np
import soundfile

from scoring import decode_audio_16k, error_counts, load_rows


def build(a):
    rows = load_rows(a.split, a.limit)
    os.makedirs(a.out, exist_ok=True)
    gap = np.zeros(int(a.gap * 16000), dtype=np.float32)
    refs, parts, texts, first = [], [], [], 0

    def flush(end):
        path = os.path.join(a.out, f"long-{len(refs):03d}.wav")
        soundfile.write(path, np.concatenate(parts), 16000, subtype="PCM_16")
        refs.append({"audio": path, "text": " ".join(texts), "rows": [first, end]})

    for i, row in enumerate(rows):
        if parts:
            parts.append(gap)
        parts.append(np.asarray(decode_audio_16k(row), dtype=np.float32))
        texts.append(row["text"])
        if sum(len(p) for p in parts) >= a.seconds * 16000:
            flush(i + 1)
            parts, texts, first = [], [], i + 1
    if parts:
        flush(len(rows))
    with open(os.path.join(a.out, "refs.jsonl"), "w") as f:
        for r in refs:
            f.write(json.dumps(r) + "\n")
    total = sum(soundfile.info(r["audio"]).duration for r in refs)
    print(f"{len(refs)} recordings from {len(rows)} rows, {total / 60:.1f} min, {a.gap} s between rows -> {a.out}")


def score(a):
    refs = {}
    with open(os.path.join(a.dir, "refs.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            refs[os.path.basename(r["audio"])] = r["text"]
    we = wn = ce = cn = segments = 0
    seen = set()
    with open(a.predictions) as f:
        for line in f:
            p = json.loads(line)
            name = os.path.basename(p["audio"])
            seen.add(name)
            segments += len(p.get("segments", [None]))
            w, n, c, m = error_counts(refs[name], p["text"])
            we, wn, ce, cn = we + w, wn + n, ce + c, cn + m
    missing = set(refs) - seen
    if missing:
        raise SystemExit(f"{a.predictions}: no transcript for {len(missing)} recording(s), e.g. {sorted(missing)[0]}")
    print(f"WER {100 * we / wn:.2f}%  CER {100 * ce / cn:.2f}%  ({len(seen)} recordings, {segments} segments, {wn} words)")


p = argparse.ArgumentParser()
sub = p.add_subparsers(dest="command", required=True)
b = sub.add_parser("build")
b.add_argument("split")
b.add_argument("--out", required=True)
b.add_argument("--seconds", type=float, default=60.0)
b.add_argument("--gap", type=float, default=0.3)
b.add_argument("--limit", type=int, default=None)
s = sub.add_parser("score")
s.add_argument("dir")
s.add_argument("predictions")
a = p.parse_args()
build(a) if a.command == "build" else score(a)
