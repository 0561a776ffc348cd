"""Python side of scripts/bench/logmel: transformers' WhisperFeatureExtractor on the same clips."""
import argparse
import json
import math
import time

import numpy as np
import torch
from transformers import WhisperFeatureExtractor

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=10)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)

def clips(count):
    out = []
    for i in range(count):
        n = 16000 * (4 + (i * 7) % 20)
        t = np.arange(n)
        out.append((0.3 * np.sin(t * 0.05 * (i + 1)) + 0.01 * (((t * 7919) % 101) - 50) / 50).astype(np.float32))
    return out

fe = WhisperFeatureExtractor(feature_size=80)
batch = clips(8)
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    f = fe(batch, sampling_rate=16000, return_tensors="np")["input_features"]
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"bench": "logmel", "median_ms": times[len(times) // 2], "frames": int(f.shape[0] * f.shape[2])}))
