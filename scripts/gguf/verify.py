#!/usr/bin/env python3
"""Checks a folder written by `steermoe convert gguf` against transformers' own GGUF loader.

    .venv/bin/python scripts/gguf/verify.py --gguf models/gguf/X.gguf --converted models/X \
        --out models/gguf/verify/X

1. Every tensor of model.safetensors vs `AutoModelForCausalLM.from_pretrained(dir, gguf_file=)`
   (which dequantises with gguf-py): max |diff| per tensor.
2. config.json as transformers reads it vs the GGUF-derived config (the fields that shape the model).
3. Token ids: transformers' GGUF-derived tokenizer vs our tokenizer.json loaded by transformers,
   on English / code / Chinese / digits / whitespace / special-token text.
4. Logits and greedy generation: transformers on the GGUF vs transformers on our folder, on short
   prompts, a chat prompt (a plain one for base models without a chat template) and one prompt of
   LONG_TOKENS tokens, longer than Gemma 3's 512-token sliding window.
Writes reference.json + reference.safetensors to --out (ids, decoded texts, logits, greedy ids
from the GGUF side; of the long prompt only the logits of its last LONG_TAIL positions) for the
Swift parity test (Tests/SteerMoETests/GGUFRealModelTests.swift), which checks our
Tokenizer and DecoderLM on the converted folder against them. Needs `pip install gguf`.
"""
import argparse
import json
import os
import sys
import time

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

TEXTS = [
    "The quick brown fox jumps over the lazy dog. It's 3:45pm and we're late!",
    "In 2024, 1234567 people paid $89.99 (or €75,50) for 3.14159 units.",
    "def fib(n):\n    if n < 2:\n        return n\n\treturn fib(n - 1) + fib(n - 2)  # recursion\n",
    "for (int i = 0; i < N; ++i) { sum += a[i] * b[i]; }\n\n\n// done",
    "你好，世界！今天天气很好，我们去公园散步吧。",
    "混合 text with 中文 and English, 数字 42 和 emoji 🙂👍.",
    "   leading spaces,\ttabs\t\tand trailing   \n\n  ",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "Ünïcödé café naïve résumé — “quotes” and ‘apostrophes’ … ellipsis",
    "URL: https://example.com/path?query=1&x=y#frag, e-mail a.b@c.de",
]
LONG_TOKENS, LONG_TAIL = 640, 8
PROMPTS = ["The capital of France is", "def add(a, b):\n    return", "今天天气"]
CHAT = [{"role": "user", "content": "Name three primary colours."}]
CONFIG_FIELDS = [
    "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "head_dim", "max_position_embeddings", "rms_norm_eps", "rope_parameters",
    "tie_word_embeddings", "bos_token_id", "eos_token_id", "pad_token_id", "sliding_window", "layer_types",
    "query_pre_attn_scalar", "hidden_act", "hidden_activation", "attention_bias", "use_sliding_window",
]


def close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-30)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--converted", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--new-tokens", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    gdir, gname = os.path.split(os.path.abspath(args.gguf))
    ok = True

    t = time.time()
    ref = AutoModelForCausalLM.from_pretrained(gdir, gguf_file=gname, dtype=torch.float32).eval()
    print(f"transformers GGUF load: {time.time() - t:.1f} s")
    ours = load_file(os.path.join(args.converted, "model.safetensors"))

    # 1. tensors
    ref_sd = ref.state_dict()
    tied = ref.config.tie_word_embeddings
    expected = {k for k in ref_sd if not (tied and k == "lm_head.weight")}
    if set(ours) != expected:
        ok = False
        print("tensor names differ: only ours", sorted(set(ours) - expected)[:10], "only transformers", sorted(expected - set(ours))[:10])
    worst, exact = 0.0, 0
    for k in sorted(expected & set(ours)):
        a, b = ours[k].float(), ref_sd[k].float()
        if a.shape != b.shape:
            ok = False
            print(f"{k}: shape {tuple(a.shape)} vs transformers {tuple(b.shape)}")
            continue
        d = (a - b).abs().max().item()
        worst = max(worst, d)
        exact += d == 0
    print(f"tensors: {len(expected & set(ours))} compared, {exact} bit-identical, max |diff| {worst:.3g}")
    ok &= worst == 0

    # 2. config
    ours_cfg = AutoConfig.from_pretrained(args.converted).to_dict()
    ref_cfg = ref.config.to_dict()
    bad = [f for f in CONFIG_FIELDS if f in ref_cfg and not close(ours_cfg.get(f), ref_cfg[f])]
    for f in bad:
        print(f"config {f}: ours {ours_cfg.get(f)!r} transformers {ref_cfg[f]!r}")
    print(f"config: {len([f for f in CONFIG_FIELDS if f in ref_cfg])} fields compared, {len(bad)} differ")
    ok &= not bad

    # 3. tokenizer
    t = time.time()
    ref_tok = AutoTokenizer.from_pretrained(gdir, gguf_file=gname)
    print(f"transformers GGUF tokenizer: {time.time() - t:.1f} s")
    our_tok = AutoTokenizer.from_pretrained(args.converted)
    ids, decoded = [], []
    mism = 0
    for text in TEXTS:
        a = ref_tok(text)["input_ids"]
        b = our_tok(text)["input_ids"]
        ids.append(a)
        decoded.append(ref_tok.decode(a, skip_special_tokens=False))
        if a != b:
            mism += 1
            print(f"token ids differ on {text[:40]!r}:\n  transformers {a}\n  ours         {b}")
        if our_tok.decode(b, skip_special_tokens=False) != ref_tok.decode(a, skip_special_tokens=False):
            print(f"decode differs on {text[:40]!r}")
    vocab_same = ref_tok.get_vocab() == our_tok.get_vocab()
    print(f"tokenizer: {len(TEXTS) - mism}/{len(TEXTS)} texts identical, vocab identical: {vocab_same}")
    ok &= mism == 0

    # 4. logits and greedy generation (transformers on the GGUF vs on our folder)
    conv = AutoModelForCausalLM.from_pretrained(args.converted, dtype=torch.float32).eval()
    # base models (Gemma 3 270M) ship no chat template: greedy-continue plain text instead
    chat = ref_tok.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=False) if ref_tok.chat_template else None
    last = ref_tok(chat, add_special_tokens=False)["input_ids"] if chat else ref_tok("Once upon a time,")["input_ids"]
    prompt_ids = [ref_tok(p)["input_ids"] for p in PROMPTS] + [last]
    long_ids = []
    while len(long_ids) < LONG_TOKENS:  # the test texts over and over, as one sequence
        long_ids += ref_tok(" ".join(TEXTS), add_special_tokens=not long_ids)["input_ids"]
    long_ids = long_ids[:LONG_TOKENS]
    tensors, worst_logit = {}, 0.0
    with torch.no_grad():
        for i, p in enumerate(prompt_ids):
            x = torch.tensor([p])
            a = ref(x).logits[0]
            b = conv(x).logits[0]
            worst_logit = max(worst_logit, (a - b).abs().max().item())
            tensors[f"ids.{i}"] = x[0]
            tensors[f"logits.{i}"] = a.contiguous()
        x = torch.tensor([long_ids])
        a = ref(x).logits[0, -LONG_TAIL:]
        b = conv(x).logits[0, -LONG_TAIL:]
        worst_long = (a - b).abs().max().item()
        tensors["long_ids"] = x[0]
        tensors["long_logits_tail"] = a.contiguous()
        x = torch.tensor([last])
        g_ref = ref.generate(x, max_new_tokens=args.new_tokens, do_sample=False)[0, x.shape[1]:]
        g_conv = conv.generate(x, max_new_tokens=args.new_tokens, do_sample=False)[0, x.shape[1]:]
    tensors["greedy"] = g_ref
    print(f"logits (transformers GGUF vs transformers on ours): max |diff| {worst_logit:.3g} over {len(prompt_ids)} prompts, "
          f"{worst_long:.3g} on the last {LONG_TAIL} of a {len(long_ids)}-token prompt")
    print(f"greedy {args.new_tokens} tokens identical: {g_ref.tolist() == g_conv.tolist()}: {ref_tok.decode(g_ref)!r}")
    ok &= max(worst_logit, worst_long) <= 1e-4 and g_ref.tolist() == g_conv.tolist()

    os.makedirs(args.out, exist_ok=True)
    save_file(tensors, os.path.join(args.out, "reference.safetensors"))
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump({"gguf": os.path.abspath(args.gguf), "converted": os.path.abspath(args.converted),
                   "model_type": ref.config.model_type, "texts": TEXTS, "text_ids": ids,
                   "text_decoded": decoded, "prompts": len(prompt_ids), "chat": chat,
                   "greedy_text": ref_tok.decode(g_ref)}, f, ensure_ascii=False, indent=1)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
