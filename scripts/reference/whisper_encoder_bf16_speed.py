"""Is bf16 worth it for inference on this CPU? Times transformers' Whisper encoder (same libtorch
build as ours) on a batch of 30 s windows in float32, under bf16 autocast, and with bf16 weights,
one thread, alternating; prints the times and the outputs' relative error against float32.
Run: .venv/bin/python scripts/reference/whisper_encoder_bf16_speed.py [models/whisper-base]
(scripts/bootstrap --reference). Result and decision: docs/results.md "bf16 on the CPU"."""
import copy
import sys
import time

import torch
from transformers import WhisperModel

torch.set_num_threads(1)
folder = sys.argv[1] if len(sys.argv) > 1 else "models/whisper-base"
fp32 = WhisperModel.from_pretrained(folder).encoder.float().eval()
bf16 = copy.deepcopy(fp32).bfloat16().eval()  # the same weights, read from disk once
x = torch.randn(8, fp32.config.num_mel_bins, 3000, generator=torch.Generator().manual_seed(0))


def timed(f):
    start = time.perf_counter()
    y = f()
    return time.perf_counter() - start, y.float()


with torch.no_grad():
    for _ in range(2):
        t32, a = timed(lambda: fp32(x).last_hidden_state)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            tac, b = timed(lambda: fp32(x).last_hidden_state)
        tbw, c = timed(lambda: bf16(x.bfloat16()).last_hidden_state)
        rel = lambda y: ((a - y).norm() / a.norm()).item()
        print(f"float32 {t32:.2f} s | bf16 autocast {tac:.2f} s (rel. error {rel(b):.4f}) | "
              f"bf16 weights {tbw:.2f} s (rel. error {rel(c):.4f})")
