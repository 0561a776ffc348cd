"""Mean Whisper log-mel per band of the real game clips, the synthetic clips, and the synthetic clips
through the game's channel (RMS level drawn in -15...-10 dBFS, 11,025 Hz, 8-bit linear PCM; what
`channel_simulation` in configs/*mixed-channel* does in training).

Why: the frozen encoder sees the difference between the 11 kHz 8-bit game recordings and the 16 kHz
float TTS speech; this measures how much of it the simulated channel removes. Uses the reference venv
(transformers' WhisperFeatureExtractor, python-soxr).

    .venv/bin/python scripts/corpus/channel_spectra.py [CLIPS_PER_SPLIT]
"""
import glob, io, sys
import numpy as np, pyarrow.parquet as pq, soundfile as sf, soxr
from transformers import WhisperFeatureExtractor

N = int(sys.argv[1]) if len(sys.argv) > 1 else 60
SPLITS = {"real (sky/train)": "data/corpus/sky/train", "piper": "data/corpus-synth/piper/train",
          "flite": "data/corpus-synth/flite/train"}
fe = WhisperFeatureExtractor(feature_size=80)


def clips(folder, n):
    out = []
    for f in sorted(glob.glob(folder + "/**/*.parquet", recursive=True)):
        for row in pq.read_table(f, columns=["audio"]).to_pylist():
            a, sr = sf.read(io.BytesIO(row["audio"]["bytes"]), dtype="float32")
            assert sr == 16000, (f, sr)
            out.append(a)
            if len(out) == n:
                return out
    return out


rng = np.random.default_rng(0)


def channel(a):
    level = rng.uniform(-15, -10)
    a = a * (10 ** (level / 20) / max(float(np.sqrt(np.mean(a.astype(np.float64) ** 2))), 1e-12))
    x = soxr.resample(a.astype(np.float32), 16000, 11025)
    x = np.clip(np.round(x * 128) / 128, -1, 127 / 128).astype(np.float32)
    y = soxr.resample(x, 11025, 16000)
    return y[: len(a)] if len(y) >= len(a) else np.pad(y, (0, len(a) - len(y)))


def mean_logmel(waves):
    # Whisper's normalised log-mel over each clip's own frames (no 30 s padding), averaged over frames.
    rows = []
    for a in waves:
        f = fe(a, sampling_rate=16000, return_tensors="np", padding="do_not_pad").input_features[0]
        rows.append(f.mean(axis=1))
    return np.mean(rows, axis=0)


# Filter centres: 0-39 up to 1.6 kHz, 40-59 1.7-3.6 kHz, 60-70 3.7-5.4 kHz, 71-79 5.7-7.7 kHz (above the
# game's 5,512 Hz Nyquist).
bands = {"mel 0-39": slice(0, 40), "mel 40-59": slice(40, 60), "mel 60-70": slice(60, 71), "mel 71-79": slice(71, 80)}
print(f"mean normalised Whisper log-mel per band, {N} train clips per split")
print("| clips | " + " | ".join(bands) + " |")
print("|---|" + "---|" * len(bands))
for name, folder in SPLITS.items():
    waves = clips(folder, N)
    variants = [(name, waves)] if name.startswith("real") else [(name, waves), (name + " through the channel", [channel(a) for a in waves])]
    for label, ws in variants:
        m = mean_logmel(ws)
        print(f"| {label} | " + " | ".join(f"{m[s].mean():+.3f}" for s in bands.values()) + " |")
