#!/usr/bin/env python3
"""How different are the frozen Whisper encoder's states on a trimmed clip (`audio_padding: trim`:
only the clip's own frames) from its states on the same clip padded to 30 s (`pad30`, what
Whisper was trained on)? Per encoder layer, over the clip's own positions: mean cosine
similarity and relative L2 difference ||trim - pad|| / ||pad||, for the first N rows of a split.
Independent of our Swift code: transformers' Whisper modules, run layer by layer (its encoder
refuses inputs shorter than 3,000 frames, so the embedding is done here as WhisperEncoder does it).

    .venv/bin/python scripts/eval/trim_vs_pad.py data/corpus/sky/dev --limit 48
"""
import argparse
import os
import sys

import numpy as np
import torch
import transformers
from transformers import WhisperFeatureExtractor, WhisperModel

sys.path.insert(0, os.path.dirname(__file__))
from scoring import decode_audio_16k, load_rows, trimmed_frames  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--whisper", default="models/whisper-base")
p.add_argument("--limit", type=int, default=48)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
transformers.logging.set_verbosity_error()

encoder = WhisperModel.from_pretrained(a.whisper).encoder.eval()
extractor = WhisperFeatureExtractor.from_pretrained(a.whisper)


def layer_states(features):
    """Every layer's output (the last one after the final layer norm), (T, d) each."""
    x = torch.nn.functional.gelu(encoder.conv1(features))
    x = torch.nn.functional.gelu(encoder.conv2(x)).permute(0, 2, 1)
    x = x + encoder.embed_positions.weight[: x.shape[1]]
    states = []
    for layer in encoder.layers:
        x = layer(x, attention_mask=None)
        x = x[0] if isinstance(x, tuple) else x
        states.append(x[0])
    states[-1] = encoder.layer_norm(states[-1].unsqueeze(0))[0]
    return states


cosines, relative, seconds = [], [], []
with torch.no_grad():
    for row in load_rows(a.split, a.limit):
        audio = decode_audio_16k(row)
        padded = extractor(audio, sampling_rate=16000, return_tensors="pt").input_features
        frames = trimmed_frames(len(audio))
        positions = frames // 2
        trimmed_states = layer_states(padded[:, :, :frames])
        padded_states = [s[:positions] for s in layer_states(padded)]
        cosines.append([torch.nn.functional.cosine_similarity(t, s, dim=-1).mean().item()
                        for t, s in zip(trimmed_states, padded_states)])
        relative.append([((t - s).norm() / s.norm()).item() for t, s in zip(trimmed_states, padded_states)])
        seconds.append(len(audio) / 16000)

cosines, relative = np.array(cosines), np.array(relative)
print(f"{len(seconds)} clips of {a.split}, {np.median(seconds):.1f} s median; per encoder layer over the clip's positions:")
print("layer  cosine(trim, pad30)  ||trim - pad30|| / ||pad30||")
for layer in range(cosines.shape[1]):
    print(f"{layer + 1:5d}  {cosines[:, layer].mean():19.3f}  {relative[:, layer].mean():27.3f}")
