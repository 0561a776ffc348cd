"""Python side of scripts/bench/loader: the standard Hugging Face input pipeline for Whisper-style
training on the same parquet shards. `load_dataset("parquet")` + `cast_column("audio",
Audio(sampling_rate=16000))` (torchcodec decodes the FLAC bytes and resamples), then
`WhisperFeatureExtractor` per sample (log-mel padded to 30 s), served by a torch DataLoader with
`--workers` worker processes, each limited to one intra-op thread; the default collate stacks
a batch. Prints one JSON line with the time of each epoch."""
import argparse
import glob
import json
import os
import resource
import time

import torch
from datasets import Audio, load_dataset
from transformers import WhisperFeatureExtractor
import torchcodec.decoders  # noqa: F401  loaded once here, so forked workers inherit it

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--workers", type=int, default=2)
p.add_argument("--batch", type=int, default=8)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--cache", default=None, help="datasets cache folder (Arrow copies of the shards)")
a = p.parse_args()
torch.set_num_threads(a.threads)

files = sorted(glob.glob(os.path.join(a.data, "*.parquet")))
ds = load_dataset("parquet", data_files=files, split="train", cache_dir=a.cache)
ds = ds.cast_column("audio", Audio(sampling_rate=16000))
fe = WhisperFeatureExtractor(feature_size=80)


class Featurized(torch.utils.data.Dataset):
    def __len__(self):
        return len(ds)

    def __getitem__(self, i):
        audio = ds[i]["audio"]
        features = fe(audio["array"], sampling_rate=audio["sampling_rate"], return_tensors="np")["input_features"]
        return torch.from_numpy(features[0])


def limit_threads(_):
    torch.set_num_threads(a.threads)


loader = torch.utils.data.DataLoader(Featurized(), batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                     worker_init_fn=limit_threads, generator=torch.Generator().manual_seed(0))


def cpu_seconds():
    """User + system time of this process and its reaped children (the workers, joined at the
    end of each epoch)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


times, cpu = [], []
samples = 0
for epoch in range(a.epochs):
    t0, c0 = time.perf_counter(), cpu_seconds()
    samples = 0
    for batch in loader:
        assert batch.shape[1:] == (80, 3000), batch.shape
        samples += batch.shape[0]
    times.append(time.perf_counter() - t0)
    cpu.append(cpu_seconds() - c0)
print(json.dumps({"bench": "loader", "samples": samples, "epoch_seconds": times, "seconds": times[-1],
                  "cpu_seconds": cpu[-1]}))
