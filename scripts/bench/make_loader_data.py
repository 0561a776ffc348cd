#!/usr/bin/env python3
"""Writes the test data of scripts/bench/loader: `clips` synthetic utterances of 3-15 s at
22.05 kHz and 44.1 kHz (so both sides must resample to 16 kHz), FLAC-encoded, in parquet shards
laid out like the hub's LibriSpeech files: columns file, audio struct<bytes, path>, text,
speaker_id, chapter_id, id, the "huggingface" features metadata, `rows_per_group` rows per row
group, named train-0000i-of-0000n.parquet. Deterministic (seeded); does nothing when the folder
already holds data made with the same arguments (a stamp file records them)."""
import argparse
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import soundfile as sf

WORDS = ("the a of and to in he was that it his her with as had for you not be but at on said all "
         "they one there were which him this from so me by or an my have what when no would into "
         "could them upon out some like then now little well great man old more time only about").split()


def clip(rng, seconds, rate):
    """Speech-like signal: a voiced harmonic series with gliding pitch under a syllable-rate
    envelope, plus breath noise, so FLAC works about as hard as on real speech."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    pitch = 110 + 60 * rng.random() + 25 * np.sin(2 * np.pi * (0.3 + rng.random()) * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 9))
    envelope = np.clip(np.sin(2 * np.pi * (3 + 2 * rng.random()) * t + rng.random() * 6), 0, None) ** 2
    signal = 0.25 * voiced * envelope + 0.02 * rng.standard_normal(n)
    return (signal / max(1e-3, np.abs(signal).max()) * 0.8).astype(np.float32)


def features_metadata():
    value = lambda dtype: {"dtype": dtype, "_type": "Value"}
    features = {"file": value("string"), "audio": {"_type": "Audio"}, "text": value("string"),
                "speaker_id": value("int64"), "chapter_id": value("int64"), "id": value("string")}
    return json.dumps({"info": {"features": features}})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--clips", type=int, default=240)
    p.add_argument("--shards", type=int, default=3)
    p.add_argument("--rows-per-group", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    out = Path(a.out)
    stamp = out / "stamp.json"
    settings = {"clips": a.clips, "shards": a.shards, "rows_per_group": a.rows_per_group, "seed": a.seed, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == settings:
        return
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()

    rng = np.random.default_rng(a.seed)
    schema = pa.schema([("file", pa.string()),
                        ("audio", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
                        ("text", pa.string()), ("speaker_id", pa.int64()), ("chapter_id", pa.int64()),
                        ("id", pa.string())],
                       metadata={"huggingface": features_metadata()})
    per_shard = -(-a.clips // a.shards)
    total_seconds = 0.0
    for shard in range(a.shards):
        rows = {name: [] for name in schema.names}
        for i in range(shard * per_shard, min(a.clips, (shard + 1) * per_shard)):
            rate = 22050 if i % 2 == 0 else 44100
            seconds = 3 + 12 * rng.random()
            total_seconds += seconds
            buffer = io.BytesIO()
            sf.write(buffer, clip(rng, seconds, rate), rate, format="FLAC", subtype="PCM_16")
            speaker, chapter = 100 + i % 7, 1000 + i % 13
            name = f"{speaker}-{chapter}-{i:04d}.flac"
            rows["file"].append(name)
            rows["audio"].append({"bytes": buffer.getvalue(), "path": name})
            rows["text"].append(" ".join(rng.choice(WORDS, size=int(2.5 * seconds))).upper())
            rows["speaker_id"].append(speaker)
            rows["chapter_id"].append(chapter)
            rows["id"].append(name[:-5])
        table = pa.Table.from_pydict(rows, schema=schema)
        pq.write_table(table, out / f"train-{shard:05d}-of-{a.shards:05d}.parquet", row_group_size=a.rows_per_group)
    stamp.write_text(json.dumps(settings))
    print(f"[bench] wrote {a.clips} clips ({total_seconds / 60:.1f} min of audio) in {a.shards} shards to {out}")


if __name__ == "__main__":
    main()
