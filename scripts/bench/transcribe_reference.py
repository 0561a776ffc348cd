"""PyTorch/transformers side of scripts/bench/transcribe: SteerMoE inference on the train-step bench models.

`--prepare`: writes the adapter both sides load (this reference's freshly initialised trainable
parameters, seed 2) to --adapter, if not already there. Default: times, per beam count, one call
of scripts/reference/steermoe_reference.py's audio embeddings (steering encoder, projection) plus
transformers `generate` after [audio, prompt] (inputs_embeds, sdpa) for the two 8 s clips, with the
same prompt, thread count and token count as Sources/steermoe-bench/TranscribeBench.swift; prints
one JSON line: median milliseconds per call and a checksum of the tokens per beam count.
"""
import argparse
import json
import os
import sys
import time

import torch
from safetensors.torch import load_file, save_file
from transformers import GenerationConfig, Qwen2ForCausalLM, WhisperForConditionalGeneration
from transformers.utils import logging

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from steermoe_reference import SteerMoEConfig, SteerMoEModel  # noqa: E402

logging.disable_progress_bar()

p = argparse.ArgumentParser()
p.add_argument("--dir", default=".bench/train-step")
p.add_argument("--adapter", default=".bench/transcribe/adapter.safetensors")
p.add_argument("--prepare", action="store_true")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--beams", default="1", help="comma-separated beam counts, e.g. 1,4")
p.add_argument("--new-tokens", type=int, default=32)
p.add_argument("--steps", type=int, default=3)
p.add_argument("--warmup", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_num_interop_threads(1)

whisper = WhisperForConditionalGeneration.from_pretrained(os.path.join(a.dir, "whisper"), attn_implementation="sdpa").model.encoder
llm = Qwen2ForCausalLM.from_pretrained(os.path.join(a.dir, "llm"), attn_implementation="sdpa")
whisper.eval(); llm.eval()
if a.prepare:
    if not os.path.exists(a.adapter):
        torch.manual_seed(2)
        model = SteerMoEModel(whisper, llm, SteerMoEConfig(num_experts=8))
        os.makedirs(os.path.dirname(a.adapter) or ".", exist_ok=True)
        save_file({k: v.detach().contiguous() for k, v in model.trainable_parameters().items()}, a.adapter)
    sys.exit(0)

model = SteerMoEModel(whisper, llm, SteerMoEConfig(num_experts=8)).eval()
weights = load_file(a.adapter)
params = model.trainable_parameters()
assert set(weights) == set(params), (sorted(weights), sorted(params))
with torch.no_grad():
    for k, v in weights.items():
        params[k].copy_(v)
features = load_file(os.path.join(a.dir, "batch.safetensors"))["features"]
prompt = torch.arange(100, 112)  # the train-step batch's prompt, shared with TranscribeBench.swift


def transcribe(cfg: GenerationConfig) -> torch.Tensor:
    audio = model.audio_embeddings(features)
    b = audio.shape[0]
    embeds = torch.cat([audio, llm.get_input_embeddings()(prompt).expand(b, -1, -1)], dim=1)
    mask = torch.ones(embeds.shape[:2], dtype=torch.int64)
    return llm.generate(inputs_embeds=embeds, attention_mask=mask, generation_config=cfg)


result = {"bench": "transcribe"}
with torch.no_grad():
    for k in [int(x) for x in a.beams.split(",")]:
        cfg = GenerationConfig(do_sample=False, num_beams=k, max_new_tokens=a.new_tokens, min_new_tokens=a.new_tokens,
                               eos_token_id=None, pad_token_id=0, temperature=None, top_p=None, top_k=None)
        times = []
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            new = transcribe(cfg)
            if i >= a.warmup:
                times.append((time.perf_counter() - t0) * 1e3)
        assert new.shape[1] == a.new_tokens, new.shape  # inputs_embeds only: generate returns the new tokens
        times.sort()
        flat = new.flatten().tolist()
        result.update({f"median_ms_k{k}": times[len(times) // 2],
                       f"checksum_k{k}": sum((i + 1) * t for i, t in enumerate(flat)) % 1000003,
                       f"first_tokens_k{k}": flat[:8]})
print(json.dumps(result))
