"""PyTorch/transformers side of scripts/bench/decode: greedy `generate` on the bench model.

Same prompt, thread count and token count as Sources/steermoe-bench/DecodeBench.swift; prints one
JSON line: median milliseconds per generate call, tokens/s, and a checksum of the tokens.
"""
import argparse
import json
import time

import torch
from transformers import AutoModelForCausalLM, GenerationConfig
from transformers.utils import logging

logging.disable_progress_bar()  # keep the bench log readable

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batches", default="1", help="comma-separated batch sizes, e.g. 4,1")
p.add_argument("--prompt", type=int, default=32)
p.add_argument("--new-tokens", type=int, default=64)
p.add_argument("--steps", type=int, default=3)
p.add_argument("--warmup", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_num_interop_threads(1)

model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32).eval()  # sdpa attention
vocab = model.config.vocab_size
cfg = GenerationConfig(do_sample=False, max_new_tokens=a.new_tokens, min_new_tokens=a.new_tokens,
                       eos_token_id=None, pad_token_id=0, temperature=None, top_p=None, top_k=None)
result = {"bench": "decode"}
for batch in [int(b) for b in a.batches.split(",")]:
    # The prompt formula is shared with DecodeBench.swift.
    ids = torch.tensor([[(r * 131 + i * 7919 + 13) % (vocab - 100) + 100 for i in range(a.prompt)] for r in range(batch)])
    mask = torch.ones_like(ids)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        out = model.generate(input_ids=ids, attention_mask=mask, generation_config=cfg)
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    new = out[:, a.prompt:]
    assert new.shape[1] == a.new_tokens, new.shape
    times.sort()
    median = times[len(times) // 2]
    result.update({f"median_ms_b{batch}": median, f"tokens_per_s_b{batch}": batch * a.new_tokens / median * 1e3,
                   f"checksum_b{batch}": sum((i + 1) * t for i, t in enumerate(new.flatten().tolist())) % 1000003,
                   f"first_tokens_b{batch}": new[0, :8].tolist()})
print(json.dumps(result))
