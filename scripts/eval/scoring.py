"""Shared by the Python evaluation scripts: reads a parquet split and scores hypotheses exactly as
`steermoe evaluate` does (ErrorRates.normalize in Sources/SteerMoE/Evaluation/ErrorRates.swift,
corpus-level WER/CER), then writes metrics.json + predictions.jsonl in the same layout."""
import glob
import io
import json
import os
import time

import pyarrow.parquet as pq


def normalize(text):
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


def error_counts(reference, hypothesis):
    """(word edits, reference words, character edits, reference characters) of one line, normalised
    as `steermoe evaluate` does; summed over lines they give its corpus-level WER and CER."""
    r, h = normalize(reference), normalize(hypothesis)
    rc, hc = r.replace(" ", ""), h.replace(" ", "")
    return edits(r.split(), h.split()), len(r.split()), edits(list(rc), list(hc)), len(rc)


def load_rows(split, limit):
    """The first `limit` rows (all when None) of a split's parquet shards, in shard order."""
    rows = []
    for f in sorted(glob.glob(os.path.join(split, "*.parquet"))):
        shard = pq.read_table(f, columns=["audio", "text"]).to_pylist()
        for index, row in enumerate(shard):
            row["source"], row["row"] = f, index  # as `steermoe evaluate` names a clip
        rows += shard
    return rows[:limit] if limit else rows


def decode_audio(row):
    """(float32 samples, sample rate) of a row's audio struct."""
    # Imported here: the text-only tools (paired_bootstrap, error_types) run in the plain bootstrap
    # venv, which has pyarrow but not the reference stack's soundfile and soxr.
    import soundfile
    return soundfile.read(io.BytesIO(row["audio"]["bytes"]), dtype="float32")


def decode_audio_16k(row):
    """A row's audio as 16 kHz mono float32 samples (channels averaged, soxr resampling)."""
    import soxr
    audio, rate = decode_audio(row)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    if rate != 16000:
        audio = soxr.resample(audio, rate, 16000)
    return audio


def trimmed_frames(samples):
    """Log-mel frames of a trimmed clip (a frame per started 160-sample hop), rounded up to even:
    Whisper's conv stride halves it (what `audio_padding: trim` feeds the encoder)."""
    frames = (samples + 159) // 160
    return frames + frames % 2


def evaluate(rows, transcribe, out=None):
    """Runs `transcribe(row) -> text` over rows, prints the summary line `steermoe evaluate` prints,
    writes OUT/metrics.json and OUT/predictions.jsonl, and returns (metrics, predictions)."""
    we = wn = ce = cn = 0
    preds = []
    t0 = time.time()
    for row in rows:
        hyp = transcribe(row)
        w, n, c, m = error_counts(row["text"], hyp)
        we, wn, ce, cn = we + w, wn + n, ce + c, cn + m
        preds.append({"reference": row["text"], "hypothesis": hyp, "source": row.get("source"), "row": row.get("row")})
    result = {"wer": we / max(wn, 1), "cer": ce / max(cn, 1), "utterances": len(rows), "words": wn,
              "seconds": time.time() - t0}
    print(f"WER {result['wer']*100:.2f}%  CER {result['cer']*100:.2f}%  ({len(rows)} utterances, {wn} words, {result['seconds']:.1f} s)")
    if out:
        os.makedirs(out, exist_ok=True)
        json.dump(result, open(os.path.join(out, "metrics.json"), "w"), indent=1)
        with open(os.path.join(out, "predictions.jsonl"), "w") as f:
            for p in preds:
                f.write(json.dumps(p) + "\n")
    return result, preds
