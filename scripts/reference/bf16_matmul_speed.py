"""Is bf16 faster than float32 for matrix products on this CPU? Times torch.matmul (the libtorch of
our pinned wheel) in both dtypes on three shapes from SmolLM2 SteerMoE training (a batch's LLM
tokens × an MLP layer, the same × the vocabulary, Whisper base's encoder frames × its MLP), one
thread, alternating dtypes, median of 5; prints GFLOP/s and the bf16 / float32 time ratio, and
whether /proc/cpuinfo lists AMX (amx_bf16) and AVX512-BF16. Where bf16 is not faster here, bf16
autocast training is not either (the trainer logs a note when the CPU lacks AMX).
Run: .venv/bin/python scripts/reference/bf16_matmul_speed.py (scripts/bootstrap --reference).
Result: docs/results.md "bf16 on the CPU"."""
import statistics
import time

import torch

torch.set_num_threads(1)
try:
    flags = next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split(":", 1)[1].split()
except (OSError, StopIteration):
    flags = []
print(f"cpu: amx_bf16 {'amx_bf16' in flags}, avx512_bf16 {'avx512_bf16' in flags}, "
      f"torch capability {torch.backends.cpu.get_cpu_capability()}")
gen = torch.Generator().manual_seed(0)
for m, k, n, what in [(800, 576, 1536, "LLM tokens x MLP"), (800, 576, 49152, "LLM tokens x vocabulary"),
                      (3000, 512, 2048, "encoder frames x MLP")]:
    a, b = torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen)
    pairs = {torch.float32: (a, b), torch.bfloat16: (a.bfloat16(), b.bfloat16())}
    times = {dt: [] for dt in pairs}
    for x, y in pairs.values():
        x @ y  # warm-up (oneDNN builds its kernels)
    for _ in range(5):
        for dt, (x, y) in pairs.items():
            t = time.perf_counter()
            x @ y
            times[dt].append(time.perf_counter() - t)
    med = {dt: statistics.median(v) for dt, v in times.items()}
    gflops = {dt: 2 * m * k * n / s / 1e9 for dt, s in med.items()}
    print(f"{what} ({m}x{k} @ {k}x{n}): float32 {med[torch.float32] * 1e3:.1f} ms ({gflops[torch.float32]:.0f} GFLOP/s), "
          f"bf16 {med[torch.bfloat16] * 1e3:.1f} ms ({gflops[torch.bfloat16]:.0f} GFLOP/s), "
          f"bf16/float32 time {med[torch.bfloat16] / med[torch.float32]:.2f}")
