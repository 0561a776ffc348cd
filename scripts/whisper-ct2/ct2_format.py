"""A small, independent writer/reader of CTranslate2's model.bin for Whisper (binary version 6).

Used to build the converter's test fixtures from a Hugging Face Whisper model without
ctranslate2; make_fixture.py checks the bytes against ctranslate2's own converter when it
is installed. Layout (little endian):
  u32 version (6), str spec name, u32 revision, u32 n_vars,
  per variable: str name, u8 rank, u32 x rank dims, u8 dtype, u32 nbytes, data;
  u32 n_aliases, (str alias, str target) pairs.
  str = u16 length including NUL, UTF-8 bytes, NUL.
  dtype ids: 0 f32, 1 int8, 2 int16, 3 int32, 4 f16, 5 bf16.
"""
from __future__ import annotations

import struct

import numpy as np

VERSION = 6
DTYPE_IDS = {np.dtype("float32"): 0, np.dtype("int8"): 1, np.dtype("int16"): 2, np.dtype("int32"): 3, np.dtype("float16"): 4}
IDS_DTYPE = {v: k for k, v in DTYPE_IDS.items()}


def whisper_variables(model) -> dict[str, np.ndarray]:
    """The WhisperSpec variables of a transformers WhisperForConditionalGeneration (float32),
    named and fused as ctranslate2's WhisperLoader does, scalars included."""
    sd = {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
    c = model.config
    out: dict[str, np.ndarray] = {}

    def lin(dst, src, bias=True):
        out[f"{dst}/weight"] = sd[f"{src}.weight"]
        if bias:
            out[f"{dst}/bias"] = sd[f"{src}.bias"]

    def norm(dst, src):
        out[f"{dst}/gamma"] = sd[f"{src}.weight"]
        out[f"{dst}/beta"] = sd[f"{src}.bias"]

    def fused(dst, src, parts):
        out[f"{dst}/weight"] = np.concatenate([sd[f"{src}.{p}.weight"] for p in parts])
        # k_proj has no bias: ctranslate2 fills its slot with zeros.
        out[f"{dst}/bias"] = np.concatenate([
            sd.get(f"{src}.{p}.bias", np.zeros(sd[f"{src}.{p}.weight"].shape[0], np.float32)) for p in parts])

    def layer(dst, src, cross):
        norm(f"{dst}/self_attention/layer_norm", f"{src}.self_attn_layer_norm")
        fused(f"{dst}/self_attention/linear_0", f"{src}.self_attn", ["q_proj", "k_proj", "v_proj"])
        lin(f"{dst}/self_attention/linear_1", f"{src}.self_attn.out_proj")
        if cross:
            norm(f"{dst}/attention/layer_norm", f"{src}.encoder_attn_layer_norm")
            lin(f"{dst}/attention/linear_0", f"{src}.encoder_attn.q_proj")
            fused(f"{dst}/attention/linear_1", f"{src}.encoder_attn", ["k_proj", "v_proj"])
            lin(f"{dst}/attention/linear_2", f"{src}.encoder_attn.out_proj")
        norm(f"{dst}/ffn/layer_norm", f"{src}.final_layer_norm")
        lin(f"{dst}/ffn/linear_0", f"{src}.fc1")
        lin(f"{dst}/ffn/linear_1", f"{src}.fc2")

    e, d = "model.encoder", "model.decoder"
    out["encoder/num_heads"] = np.int16(c.encoder_attention_heads)
    for conv in ("conv1", "conv2"):
        lin(f"encoder/{conv}", f"{e}.{conv}")
    out["encoder/position_encodings/encodings"] = sd[f"{e}.embed_positions.weight"]
    norm("encoder/layer_norm", f"{e}.layer_norm")
    for i in range(c.encoder_layers):
        layer(f"encoder/layer_{i}", f"{e}.layers.{i}", cross=False)

    for name, value in [("num_heads", np.int16(c.decoder_attention_heads)), ("pre_norm", np.int8(1)),
                        ("activation", np.int8(3)), ("alignment_layer", np.int16(-1)), ("alignment_heads", np.int16(1)),
                        ("scale_embeddings", np.int8(0)), ("alibi", np.int8(0)),
                        ("alibi_use_positive_positions", np.int8(0)), ("scale_alibi", np.int8(0)),
                        ("start_from_zero_embedding", np.int8(0))]:
        out[f"decoder/{name}"] = value
    out["decoder/embeddings/weight"] = sd[f"{d}.embed_tokens.weight"]
    out["decoder/position_encodings/encodings"] = sd[f"{d}.embed_positions.weight"]
    norm("decoder/layer_norm", f"{d}.layer_norm")
    out["decoder/projection/weight"] = sd["proj_out.weight"]
    for i in range(c.decoder_layers):
        layer(f"decoder/layer_{i}", f"{d}.layers.{i}", cross=True)
    return out


def optimize(variables: dict, quantization: str) -> tuple[dict, dict]:
    """ctranslate2's LayerSpec.optimize: alias equal non-scalar variables (keeping the first
    name in sorted order), then quantize. Returns (variables, aliases)."""
    names = sorted(variables)
    aliases = {}
    for name in reversed(names):
        for other in names:
            if other == name:
                break
            a, b = variables[name], variables[other]
            if np.ndim(a) > 0 and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b):
                aliases[name] = other
                break
    kept = {k: v for k, v in variables.items() if k not in aliases}
    out = {}
    for name, value in kept.items():
        # Quantizable = layers with a weight_scale slot: linear, conv and embeddings weights.
        quantizable = name.endswith("/weight") and not name.endswith("norm/weight")
        if np.ndim(value) == 0 or value.dtype.kind != "f":
            out[name] = value
        elif quantization == "int8" and quantizable:
            flat = value.reshape(value.shape[0], -1).astype(np.float32)
            amax = np.abs(flat).max(axis=1)
            amax[amax == 0] = 127.0
            amax = np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
            scale = (127.0 / amax).astype(np.float32)
            out[name] = np.rint(flat * scale[:, None]).astype(np.int8).reshape(value.shape)
            out[name + "_scale"] = scale
        elif quantization == "float16":
            out[name] = value.astype(np.float16)
        else:
            out[name] = value.astype(np.float32)
    return out, aliases


def serialize(variables: dict, aliases: dict, spec="WhisperSpec", revision=3) -> bytes:
    def s(text):
        raw = text.encode()
        return struct.pack("<H", len(raw) + 1) + raw + b"\0"

    chunks = [struct.pack("<I", VERSION), s(spec), struct.pack("<I", revision), struct.pack("<I", len(variables))]
    for name in sorted(variables):
        v = np.asarray(variables[name])
        chunks += [s(name), struct.pack("<B", v.ndim), struct.pack(f"<{v.ndim}I", *v.shape),
                   struct.pack("<B", DTYPE_IDS[v.dtype]), struct.pack("<I", v.nbytes), np.ascontiguousarray(v).tobytes()]
    chunks.append(struct.pack("<I", len(aliases)))
    for alias in sorted(aliases):
        chunks += [s(alias), s(aliases[alias])]
    return b"".join(chunks)


def parse(data: bytes) -> tuple[dict, dict]:
    """Reads a model.bin back: (name -> numpy array, alias -> target)."""
    pos = 0

    def take(n):
        nonlocal pos
        pos += n
        return data[pos - n:pos]

    def u(fmt):
        return struct.unpack("<" + fmt, take(struct.calcsize("<" + fmt)))

    def s():
        (n,) = u("H")
        return take(n)[:-1].decode()

    assert u("I")[0] == VERSION
    s(), u("I")
    variables = {}
    for _ in range(u("I")[0]):
        name = s()
        (rank,) = u("B")
        shape = u(f"{rank}I") if rank else ()
        (dtype,) = u("B")
        (nbytes,) = u("I")
        variables[name] = np.frombuffer(take(nbytes), dtype=IDS_DTYPE[dtype]).reshape(shape)
    aliases = {}
    for _ in range(u("I")[0]):
        alias = s()
        aliases[alias] = s()
    assert pos == len(data)
    return variables, aliases
