#!/usr/bin/env python3
"""How much does a trained adapter's LLM actually use the audio? Teacher-forced transcript loss
(nats per target token, transcript + eos) of the first N rows of a split with

  matched   each clip's own audio embeddings (what training optimises),
  shuffled  another clip's audio embeddings (row i gets row i+7's): the audio as a style prompt,
  none      no audio at all (text prompt + transcript only),

plus the RMS of the audio embeddings next to that of the LLM's token embeddings. A gap
matched << shuffled means the content of the audio is read; shuffled << none means the audio
acts as a learned soft prompt. Uses the independent PyTorch reference
(scripts/reference/steermoe_reference.py), clip by clip, trimmed features as `audio_padding: trim`
(adapters trained on another window are refused); an adapter's LoRA updates of the LLM (`lora.rank`)
are attached with PEFT, as scripts/fixtures/make_lora_fixtures.py checks them against ours.

    .venv/bin/python scripts/eval/audio_usage.py --checkpoint checkpoints/default data/corpus/sky/train --limit 40
"""
import argparse
import os
import sys

import numpy as np
import torch
import transformers
import yaml
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer, WhisperFeatureExtractor, WhisperModel

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from steermoe_reference import SteerMoEConfig, SteerMoEModel, build_text_batch, causal_lm_loss  # noqa: E402
from scoring import decode_audio_16k, load_rows, trimmed_frames  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--checkpoint", default="checkpoints/default")
p.add_argument("--limit", type=int, default=40)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
transformers.logging.set_verbosity_error()

cfg = yaml.safe_load(open(os.path.join(a.checkpoint, "config.yaml")))
if cfg.get("audio_padding", "pad30") != "trim":
    sys.exit(f"{a.checkpoint}/config.yaml: audio_padding is {cfg.get('audio_padding', 'pad30')!r}; "
             "this script feeds trimmed features only (audio_padding: trim)")
whisper, llm_path = cfg["whisper_encoder"]["model_path"], cfg["llm_decoder"]["model_name"]
encoder = WhisperModel.from_pretrained(whisper).encoder.eval()
llm = AutoModelForCausalLM.from_pretrained(llm_path).eval()
tokenizer = AutoTokenizer.from_pretrained(llm_path)
features = WhisperFeatureExtractor.from_pretrained(whisper)
mode = cfg.get("mode") or cfg.get("steering", {}).get("mode", "steering")
model = SteerMoEModel(encoder, llm, SteerMoEConfig(mode=mode, num_experts=cfg["steering"]["num_experts"],
                                                  projector=cfg.get("projector", "linear"),
                                                  projector_hidden_size=cfg.get("projector_hidden_size", 2048))).eval()
weights = load_file(os.path.join(a.checkpoint, "adapter.safetensors"))
for name, param in model.trainable_parameters().items():
    param.data.copy_(weights[name])
lora = {k.removeprefix("llm_lora."): v for k, v in weights.items() if k.startswith("llm_lora.")}
if lora:  # the LLM as the adapter trained it: its updates attached (the encoder side is untouched)
    from peft import LoraConfig, get_peft_model
    rank = cfg["lora"]["rank"]
    llm = get_peft_model(llm, LoraConfig(r=rank, lora_alpha=cfg["lora"].get("alpha") or 2 * rank,
                                         target_modules=cfg["lora"]["targets"], lora_dropout=0.0, bias="none")).eval()
    # Ours are PEFT's names less its wrapper prefix and adapter name (make_lora_fixtures.py's our_name).
    updates = {n.removeprefix("base_model.model.").replace(".default", ""): p
               for n, p in llm.named_parameters() if "lora_" in n}
    if set(updates) != set(lora):
        sys.exit(f"{a.checkpoint}: LoRA tensors differ from its config's lora block: {sorted(set(updates) ^ set(lora))[:4]}")
    for name, param in updates.items():
        param.data.copy_(lora[name])

prompt = tokenizer(cfg.get("textual_prompt", ""))["input_ids"]


def trimmed_features(row):
    audio = decode_audio_16k(row)
    return features(audio, sampling_rate=16000, return_tensors="pt").input_features[:, :, :trimmed_frames(len(audio))]


def loss(audio, text):
    ids, _, labels = build_text_batch(prompt, [tokenizer(text)["input_ids"]], tokenizer.eos_token_id, 0)
    embeds = llm.get_input_embeddings()(ids)
    if audio is not None:
        embeds = torch.cat([audio, embeds], 1)
        labels = torch.cat([labels.new_full((1, audio.shape[1]), -100), labels], 1)
    return causal_lm_loss(llm(inputs_embeds=embeds).logits, labels).item()


rows = load_rows(a.split, a.limit)
with torch.no_grad():
    audio = [model.audio_embeddings(trimmed_features(r)) for r in rows]
    losses = {"matched": [], "shuffled": [], "none": []}
    for i, row in enumerate(rows):
        losses["matched"].append(loss(audio[i], row["text"]))
        losses["shuffled"].append(loss(audio[(i + 7) % len(rows)], row["text"]))
        losses["none"].append(loss(None, row["text"]))
    token_rms = llm.get_input_embeddings().weight.pow(2).mean().sqrt().item()
    audio_rms = torch.cat(audio, 1).pow(2).mean().sqrt().item()
print(f"{a.checkpoint} on {len(rows)} rows of {a.split}: audio embedding RMS {audio_rms:.3f}, token embedding RMS {token_rms:.3f}")
print("  ".join(f"{k} {np.mean(v):.3f}" for k, v in losses.items()) + "  (nats per target token)")
