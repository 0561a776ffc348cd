"""Extra beam-search references for Tests/SteerMoETests/LLMTests.swift (testBeamSearchOptionsMatchHF).

The fixtures cover greedy, repetition penalty and one beam setting; this prints what transformers
5.23 `generate` returns for other beam options (several eos ids, length penalties below/above 1
and negative, early_stopping True, more beams, repetition penalty < 1 and > 1 with beams) on the
committed tiny models. The Swift test holds the printed values.

Run: .venv/bin/python scripts/reference/llm_generation_cases.py
"""
import json
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, GenerationConfig

MODELS = Path(__file__).resolve().parents[2] / "Tests/SteerMoETests/Fixtures/models"
CASES = {
    "qwen2": [dict(num_beams=4, eos_token_id=[149, 57], length_penalty=1.0, early_stopping=False),
              dict(num_beams=3, eos_token_id=149, length_penalty=2.0, early_stopping=True),
              dict(num_beams=2, eos_token_id=149, length_penalty=0.5, early_stopping=False, repetition_penalty=1.3)],
    "llama": [dict(num_beams=3, eos_token_id=[49, 60], length_penalty=-1.0, early_stopping=True),
              dict(num_beams=5, eos_token_id=49, length_penalty=1.0, early_stopping=False, max_new_tokens=20)],
    "qwen3": [dict(num_beams=2, eos_token_id=[16], length_penalty=1.5, early_stopping=False, repetition_penalty=0.8)],
}

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
for family, cases in CASES.items():
    folder = MODELS / f"{family}-tiny-random"
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    ref = load_file(folder / "reference.safetensors")
    prompt = ref["input_ids"].shape[1]
    for case in cases:
        settings = dict(do_sample=False, max_new_tokens=12, pad_token_id=3, temperature=None, top_p=None, top_k=None,
                        num_return_sequences=1, output_scores=True, return_dict_in_generate=True)
        settings.update(case)
        out = model.generate(input_ids=ref["input_ids"], attention_mask=ref["attention_mask"],
                             generation_config=GenerationConfig(**settings))
        print(json.dumps({"family": family, "options": case,
                          "new_tokens": [row[prompt:] for row in out.sequences.tolist()],
                          "sequences_scores": out.sequences_scores.tolist()}))

# no_repeat_ngram_size (greedy and beams), eos/pad as each fixture's reference.json: HF applies
# the rule to the whole running input_ids, prompt included. Held by testNoRepeatNGramMatchesHF.
for family in CASES:
    folder = MODELS / f"{family}-tiny-random"
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    ref = load_file(folder / "reference.safetensors")
    info = json.loads((folder / "reference.json").read_text())
    prompt = ref["input_ids"].shape[1]
    for n, beams in [(1, 1), (2, 1), (3, 1), (2, 3)]:
        settings = dict(do_sample=False, max_new_tokens=12, num_beams=beams, no_repeat_ngram_size=n,
                        eos_token_id=info["eos_token_id"], pad_token_id=info["pad_token_id"],
                        temperature=None, top_p=None, top_k=None)
        out = model.generate(input_ids=ref["input_ids"], attention_mask=ref["attention_mask"],
                             generation_config=GenerationConfig(**settings))
        print(json.dumps({"family": family, "no_repeat_ngram_size": n, "num_beams": beams,
                          "new_tokens": [row[prompt:] for row in out[:, :].tolist()]}))
