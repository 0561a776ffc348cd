"""Writes Tests/SteerMoETests/Fixtures/whisper-ct2/trim-reference.safetensors: what `--whisper-trim`
(Whisper's own decoder reading a clip's own frames, not the 30 s window) must give, computed with
transformers on the tiny model of make_fixture.py (its weights read back from reference.safetensors).

transformers' WhisperEncoder refuses inputs shorter than its window, so the trimmed encoder is
written out from its modules: conv1 → GELU → conv2 → GELU → + the first T/2 sinusoidal positions
→ layers → final layer norm (what whisper.cpp's audio_ctx does). Decoding is greedy with the
fixture's generation rules (prompt <|startoftranscript|><|notimestamps|>: with a 40-token
vocabulary the converted model is English-only, as transformers decides by vocabulary size;
suppress_ids every step, suppress_ids_begin at the first), a full forward per step (no cache).

  <name>.features  (12, T) log-mel: hash_uniform((12, 32), seed) * 8 - 4 cut to T = 32 ("full", the
                   whole window of this 16-position model) and T = 18 ("trimmed"), for the first seed
                   from 41 on whose two decodes differ (and the 18 frames padded back to 32 decode
                   unlike the trimmed run) with top-2 margins above 1e-2
  <name>.ids       the new tokens before eos (int64)
  <name>.margin    the smallest top-2 logit margin met while decoding (float32)

The two runs decode differently, so the test sees the trimming.

  .venv/bin/python scripts/whisper-ct2/make_trim_reference.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "fixtures"))
from fixture_common import FIXTURES, hash_uniform, save_tensors, setup_determinism  # noqa: E402
from make_fixture import OUT, tiny_model  # noqa: E402
from make_whisper_decoder_fixtures import greedy_from_states  # noqa: E402

PROMPT = [31, 39]  # <|startoftranscript|> <|notimestamps|> (English-only: no language or task token)
EOS = 30
MAX_NEW = 8  # prompt + new tokens fit max_target_positions (12)


@torch.no_grad()
def encode_trimmed(model, feats: torch.Tensor) -> torch.Tensor:
    enc = model.model.encoder
    x = torch.nn.functional.gelu(enc.conv1(feats))
    x = torch.nn.functional.gelu(enc.conv2(x)).permute(0, 2, 1)
    x = x + enc.embed_positions.weight[: x.shape[1]]
    for layer in enc.layers:
        out = layer(x, attention_mask=None)
        x = out[0] if isinstance(out, tuple) else out
    return enc.layer_norm(x)


def greedy(model, states: torch.Tensor, suppress: list[int], begin_suppress: list[int]) -> tuple[list[int], float]:
    rows, margin = greedy_from_states(model, states, PROMPT, suppress, begin_suppress, EOS, MAX_NEW)
    return rows[0], margin


def main() -> None:
    setup_determinism()
    model = tiny_model()
    stored = load_file(str(OUT / "reference.safetensors"))
    weights = {k[len("hf."):]: v for k, v in stored.items() if k.startswith("hf.")}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and all("proj_out" in k for k in missing), (missing, unexpected)
    model.tie_weights()
    sidecar = json.loads((OUT / "f32" / "config.json").read_text())
    suppress, begin_suppress = sidecar["suppress_ids"], sidecar["suppress_ids_begin"]

    # The first seeded window (scaled to ±4, a log-mel's range) whose trimmed and whole decodes differ.
    for seed in range(41, 80):
        window = torch.from_numpy(hash_uniform((12, 32), seed)).float() * 8 - 4
        # The whole window through transformers' own encoder agrees with the written-out one.
        own = model.model.encoder(window[None]).last_hidden_state
        assert torch.allclose(encode_trimmed(model, window[None]), own, atol=1e-5)
        tensors, decoded, margins = {}, {}, []
        for name, frames in [("full", 32), ("trimmed", 18)]:
            feats = window[:, :frames].contiguous()
            ids, margin = greedy(model, encode_trimmed(model, feats[None]), suppress, begin_suppress)
            tensors[f"{name}.features"] = feats
            tensors[f"{name}.ids"] = torch.tensor(ids, dtype=torch.int64)
            tensors[f"{name}.margin"] = torch.tensor([margin], dtype=torch.float32)
            decoded[name] = ids
            margins.append(margin)
        # Padding the 18 frames back to the window (with zeros, or a silent log-mel's -1.5) must
        # decode differently too, so a transcriber that pads instead of trimming fails the test.
        short = tensors["trimmed.features"]
        padded = [greedy(model, encode_trimmed(model, torch.nn.functional.pad(short, (0, 32 - short.shape[1]), value=v)[None]),
                         suppress, begin_suppress)[0] for v in (0.0, -1.5)]
        if (decoded["full"] != decoded["trimmed"] and all(p != decoded["trimmed"] for p in padded)
                and min(margins) > 1e-2):
            break
    else:
        raise SystemExit("no seed in 41..79 decodes differently when trimmed")
    print(f"seed {seed}: full {decoded['full']}, trimmed {decoded['trimmed']}, smallest top-2 margin {min(margins):.4f}")
    save_tensors(OUT / "trim-reference.safetensors", tensors)


if __name__ == "__main__":
    main()
