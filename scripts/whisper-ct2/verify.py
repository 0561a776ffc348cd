"""Checks a folder written by `steermoe convert whisper-ct2` against ctranslate2 and transformers.

On the same audio (decoded, resampled to 16 kHz and turned into 30 s log-mel features by our
Swift code, `steermoe convert whisper-encode`):
  * features: ours vs transformers' WhisperFeatureExtractor on the same 16 kHz samples;
  * encoder: ours (WhisperEncoder on the converted folder) vs ctranslate2's Whisper.encode on
    the original model.bin (float32 compute), and vs transformers' WhisperModel loading the
    converted folder;
  * with --generate: greedy text of transformers' generate on the converted folder vs
    ctranslate2's generate on the original (validates the decoder mapping).
Fails (exit 1) beyond: encoder vs transformers max abs > 1e-4; encoder vs ctranslate2
max abs > 1e-2 x max |ctranslate2 output|.

  .venv/bin/python scripts/whisper-ct2/verify.py --converted models/whisper-base \
      --ct2 PART1 [PART2 ...] --manifest data/sky/manifest.jsonl --count 8 --generate
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SIDECARS = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json")
HF_TOLERANCE = 1e-4
CT2_RELATIVE_TOLERANCE = 1e-2


def pick_clips(manifest: Path, count: int) -> list[tuple[str, str]]:
    """The first `count` test-split clips of 2-10 s: (wav path, transcript)."""
    out = []
    for line in manifest.read_text().splitlines():
        row = json.loads(line)
        if row.get("split", "test") == "test" and 2.0 <= row["duration"] <= 10.0:
            out.append((str(manifest.parent / row["audio"]), row["text"]))
        if len(out) == count:
            break
    return out


def joined_ct2_folder(parts: list[Path], into: Path) -> Path:
    """ctranslate2 reads one model.bin: join the parts and copy the sidecar files."""
    into.mkdir(parents=True, exist_ok=True)
    with open(into / "model.bin", "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
    for name in SIDECARS:
        for p in parts:
            if (p.parent / name).exists():
                shutil.copy(p.parent / name, into / name)
                break
    return into


def prompt_ids(tokenizer, multilingual: bool) -> list[int]:
    names = ["<|startoftranscript|>"] + (["<|en|>", "<|transcribe|>"] if multilingual else []) + ["<|notimestamps|>"]
    return [tokenizer.token_to_id(n) for n in names]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--converted", type=Path, required=True)
    ap.add_argument("--ct2", type=Path, nargs="+", required=True, help="model.bin or its parts, in order")
    ap.add_argument("--audio", nargs="*", default=[])
    ap.add_argument("--manifest", type=Path)
    ap.add_argument("--count", type=int, default=6)
    ap.add_argument("--generate", action="store_true")
    ap.add_argument("--steermoe", type=Path, default=REPO / ".build/debug/steermoe")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    import ctranslate2
    import torch
    import transformers
    from tokenizers import Tokenizer
    from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration
    torch.set_num_threads(args.threads)

    clips = [(a, None) for a in args.audio] + (pick_clips(args.manifest, args.count) if args.manifest else [])
    if not clips:
        ap.error("give --audio files or --manifest")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump = tmp / "ours.safetensors"
        subprocess.run([str(args.steermoe), "convert", "whisper-encode", "--model", str(args.converted), "--out", str(dump),
                        "--threads", str(args.threads)] + [c[0] for c in clips], check=True, stdout=subprocess.DEVNULL)
        from safetensors.numpy import load_file
        ours = load_file(str(dump))
        ct2_dir = joined_ct2_folder(args.ct2, tmp / "ct2")
        ct2 = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type="float32", intra_threads=args.threads)
        # sdpa (transformers' default) is the attention path ours follows; eager differs from both by
        # float32 rounding (~5e-4 on base, the size of its own float32-vs-float64 error).
        hf = WhisperForConditionalGeneration.from_pretrained(str(args.converted), attn_implementation="sdpa").eval()
        extractor = WhisperFeatureExtractor.from_pretrained(str(args.converted))
        tokenizer = Tokenizer.from_file(str(args.converted / "tokenizer.json"))
        multilingual = hf.config.vocab_size >= 51865

        worst = {"features": 0.0, "hf": 0.0, "ct2": 0.0, "ct2_rel": 0.0}
        texts = []
        for i, (path, reference) in enumerate(clips):
            audio, feats, enc = ours[f"audio.{i}"], ours[f"features.{i}"], ours[f"encoder.{i}"]
            hf_feats = extractor(audio, sampling_rate=16000, return_tensors="np").input_features[0]
            d_feat = float(np.abs(hf_feats - feats).max())
            storage = ctranslate2.StorageView.from_array(np.ascontiguousarray(feats[None]))
            ct2_enc = np.array(ct2.encode(storage, to_cpu=True))[0]
            with torch.no_grad():
                hf_enc = hf.model.encoder(torch.from_numpy(feats[None])).last_hidden_state[0].numpy()
            d_hf = float(np.abs(hf_enc - enc).max())
            d_ct2 = float(np.abs(ct2_enc - enc).max())
            rel = d_ct2 / float(np.abs(ct2_enc).max())
            for k, v in (("features", d_feat), ("hf", d_hf), ("ct2", d_ct2), ("ct2_rel", rel)):
                worst[k] = max(worst[k], v)
            line = (f"{Path(path).name}: {len(audio) / 16000:.2f} s  features vs HF {d_feat:.2e}  "
                    f"encoder vs HF {d_hf:.2e}  vs ctranslate2 {d_ct2:.2e} ({rel:.2e} of max {np.abs(ct2_enc).max():.1f})")
            if args.generate:
                prompt = prompt_ids(tokenizer, multilingual)
                ct2_ids = ct2.generate(storage, [prompt], beam_size=1, max_length=128)[0].sequences_ids[0]
                kwargs = {"language": "en", "task": "transcribe"} if multilingual else {}
                with torch.no_grad():
                    hf_ids = hf.generate(torch.from_numpy(feats[None]), num_beams=1, do_sample=False,
                                         max_new_tokens=128, **kwargs)[0].tolist()
                hf_ids = [t for t in hf_ids if t < tokenizer.token_to_id("<|endoftext|>")]
                ct2_text = tokenizer.decode(ct2_ids, skip_special_tokens=True).strip()
                hf_text = tokenizer.decode(hf_ids, skip_special_tokens=True).strip()
                same = hf_ids == [t for t in ct2_ids if t < tokenizer.token_to_id("<|endoftext|>")]
                texts.append(same)
                line += f"\n    ctranslate2: {ct2_text!r}\n    transformers: {hf_text!r}  ({'same tokens' if same else 'DIFFERENT'})"
                if reference:
                    line += f"\n    reference:   {reference!r}"
            print(line, flush=True)

    print(f"\n{len(clips)} clips; worst: features vs HF {worst['features']:.2e}, encoder vs HF {worst['hf']:.2e} "
          f"(limit {HF_TOLERANCE}), encoder vs ctranslate2 {worst['ct2']:.2e} = {worst['ct2_rel']:.2e} of the output scale "
          f"(limit {CT2_RELATIVE_TOLERANCE})" + (f"; greedy tokens identical on {sum(texts)}/{len(texts)}" if texts else ""))
    print(f"(ctranslate2 {ctranslate2.__version__}, transformers {transformers.__version__}, torch {torch.__version__})")
    ok = worst["hf"] <= HF_TOLERANCE and worst["ct2_rel"] <= CT2_RELATIVE_TOLERANCE and all(texts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
