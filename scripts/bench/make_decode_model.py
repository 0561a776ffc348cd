"""Writes the random-weight model that scripts/bench/decode times (into .bench/, gitignored).

A Qwen2-shaped LM (hidden 256, 4 layers, 4 heads / 2 kv heads, mlp 704, vocab 32000, tied
embeddings like Qwen2.5-0.5B; 11 M parameters): real matmuls (the 32k-row LM head dominates a
decode step) while a 5-round comparison stays within a few minutes on 2 CPU cores.
Weights are re-randomized with O(1) activations (scripts/fixtures: randomize_weights) so greedy
argmax margins are not degenerate. No eos: every run generates exactly the requested tokens.
"""
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts/fixtures"))
from fixture_common import randomize_weights  # noqa: E402

from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".bench/qwen2-decode-random"
config = Qwen2Config(
    vocab_size=32000, hidden_size=256, intermediate_size=704, num_hidden_layers=4,
    num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096, rms_norm_eps=1e-6,
    tie_word_embeddings=True, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
    use_sliding_window=False, bos_token_id=None, eos_token_id=None, pad_token_id=0,
)
torch.manual_seed(0)
model = Qwen2ForCausalLM._from_config(config, dtype=torch.float32)
with torch.no_grad():
    randomize_weights(model, seed=7, embed_std=0.05)
    model.model.norm.weight.mul_(10.0)  # tied + small embeddings: keeps logits O(1..10)
model.eval()
model.save_pretrained(out)
print(f"wrote {out}")
