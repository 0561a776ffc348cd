"""Python side of scripts/bench/train-step.

`--prepare DIR`: writes a random-weight Whisper (tiny-sized encoder) and a small Qwen2-shaped LLM
as HF folders plus one fixed batch (batch.safetensors) into DIR, if not already there.
Default: times the SteerMoE train step (forward, loss, backward, AdamW with the procedure's three
parameter groups) of scripts/reference/steermoe_reference.py on that batch, printing JSON.
"""
import argparse
import json
import os
import sys
import time

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from steermoe_reference import SteerMoEConfig, SteerMoEModel  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--dir", default=".bench/train-step")
p.add_argument("--prepare", action="store_true")
p.add_argument("--steps", type=int, default=8)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--ddp", action="store_true", help="under torchrun: DistributedDataParallel over Gloo, rank 0 reports")
a = p.parse_args()
torch.set_num_threads(a.threads)


def prepare(d):
    from transformers import Qwen2Config, Qwen2ForCausalLM, WhisperConfig, WhisperForConditionalGeneration
    if os.path.exists(os.path.join(d, "batch.safetensors")):
        return
    torch.manual_seed(0)
    wc = WhisperConfig(d_model=384, encoder_layers=4, decoder_layers=1, encoder_attention_heads=6, decoder_attention_heads=6,
                       encoder_ffn_dim=1536, decoder_ffn_dim=1536, num_mel_bins=80, vocab_size=1000, max_target_positions=64,
                       pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=3)
    WhisperForConditionalGeneration(wc).save_pretrained(os.path.join(d, "whisper"))
    qc = Qwen2Config(hidden_size=512, intermediate_size=1408, num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=2,
                     vocab_size=32000, tie_word_embeddings=True, max_position_embeddings=2048)
    Qwen2ForCausalLM(qc).save_pretrained(os.path.join(d, "llm"))
    g = torch.Generator().manual_seed(1)
    features = torch.randn(2, 80, 800, generator=g)  # two 8 s clips, trimmed (no 30 s padding)
    prompt = list(range(100, 112))
    rows = [prompt + torch.randint(200, 31000, (n,), generator=g).tolist() + [2] for n in (30, 22)]
    S = max(map(len, rows))
    ids = torch.full((2, S), 0, dtype=torch.int64); mask = torch.zeros(2, S, dtype=torch.int64)
    labels = torch.full((2, S), -100, dtype=torch.int64)
    for b, r in enumerate(rows):
        ids[b, :len(r)] = torch.tensor(r); mask[b, :len(r)] = 1; labels[b, len(prompt):len(r)] = torch.tensor(r[len(prompt):])
    save_file({"features": features, "ids": ids, "mask": mask, "labels": labels}, os.path.join(d, "batch.safetensors"))


if a.prepare:
    prepare(a.dir)
    sys.exit(0)

from transformers import Qwen2ForCausalLM, WhisperForConditionalGeneration  # noqa: E402

whisper = WhisperForConditionalGeneration.from_pretrained(os.path.join(a.dir, "whisper"), attn_implementation="sdpa").model.encoder
llm = Qwen2ForCausalLM.from_pretrained(os.path.join(a.dir, "llm"), attn_implementation="sdpa")
whisper.eval(); llm.eval()
model = SteerMoEModel(whisper, llm, SteerMoEConfig(num_experts=8))
batch = load_file(os.path.join(a.dir, "batch.safetensors"))
s = model.speech
forward = model
if a.ddp:
    # What HF Trainer does on several processes: DDP (bucketed all-reduce overlapping backward).
    import torch.distributed as dist
    dist.init_process_group("gloo")
    forward = torch.nn.parallel.DistributedDataParallel(model)
opt = torch.optim.AdamW([
    {"params": [s.steering_vectors, s.layer_scales], "lr": 1e-3},
    {"params": list(s.router.parameters()), "lr": 1e-4},
    {"params": list(model.prompt_proj.parameters()), "lr": 1e-4},
], weight_decay=0.01)
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    loss, _ = forward(batch["features"], batch["ids"], batch["mask"], batch["labels"])
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_([s.steering_vectors, s.layer_scales], 1.0)
    torch.nn.utils.clip_grad_norm_([q for q in model.parameters() if q.requires_grad], 1.0)
    opt.step()
    loss.item()
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1e3)
times.sort()
if not a.ddp or torch.distributed.get_rank() == 0:
    print(json.dumps({"bench": "train-step", "median_ms": times[len(times) // 2], "loss": loss.item(),
                      "processes": torch.distributed.get_world_size() if a.ddp else 1}))
