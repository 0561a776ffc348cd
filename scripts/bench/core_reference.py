"""PyTorch side of scripts/bench/core: the same MLP step as Sources/steermoe-bench/CoreBench.swift."""
import argparse
import json
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=50)
p.add_argument("--warmup", type=int, default=5)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_num_interop_threads(1)
g = torch.Generator().manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 10))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)  # PyTorch's default implementation on CPU
x = torch.randn(64, 784, generator=g)
y = torch.randint(0, 10, (64,), generator=g)
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    loss.item()
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"bench": "core", "median_ms": times[len(times) // 2], "steps": len(times)}))
