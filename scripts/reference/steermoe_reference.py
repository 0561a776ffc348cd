"""An independent, readable PyTorch reference of the SteerMoE speech-LLM (arXiv 2510.13558).

Written from /work/shared/reference/steermoe-training-procedure.md and upstream-behaviour.md
(what forfrt/SteerMoE computes), following the configs' intent where upstream's code differs:

  frozen Whisper encoder (HF WhisperEncoder modules, used layer by layer):
      x_0 = gelu(conv2(gelu(conv1(features)))).transpose + embed_positions[:T']
      for l in 0..L-1:
          h_l = layers[l](x_{l-1})                                 # no attention mask
          g_l = softmax(router(h_l)[..., l*E:(l+1)*E], dim=-1)     # ONE router, Linear(d, E*L)
          x_l = h_l + s_l * einsum('bte,ef->btf', g_l, steering_vectors[l])
          if l+1 == pooling_position: x_l = pool(x_l)              # default: after the last layer
      h = encoder.layer_norm(x_L)
  audio = prompt_proj(h)[:, :max_prompt_tokens]                    # Identity when widths match
          (projector="mlp", ours: prompt_proj(gelu(prompt_proj_in(h))), whatever the widths)
  inputs_embeds = cat(audio, embed_tokens(prompt + transcript + eos))   (right-padded text)
  labels = -100 on audio, prompt and padding positions; loss = HF causal-LM loss
           (shift by one, mean cross-entropy over labels != -100).

  s_l = layer_scales[l] (trainable, init steering_scale) or 1.0 when use_layer_scales=False.
  pool = zero right-pad time to a multiple of k, then AvgPool1d(k) (or MaxPool1d(k)).
  mode="linear": the baseline without steering (no router/vectors/scales; same pooling,
  layer_norm and projection).

HF module names are kept for the frozen parts (`encoder` is a transformers WhisperEncoder,
`llm` a transformers *ForCausalLM), so the same model folders load on both sides. Trainable
parameter names follow upstream's state-dict keys: steering_vectors, router.{weight,bias},
layer_scales, prompt_proj.{weight,bias}.

Note: HF's WhisperEncoder ignores `embed_scale` (upstream's own Whisper copy multiplies by
it); with scale_embedding=false (every Whisper checkpoint) it is 1, so the two agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

IGNORE_INDEX = -100


@dataclass
class SteerMoEConfig:
    mode: str = "steering"               # "steering" | "linear" (baseline, no steering)
    num_experts: int = 8
    steering_scale: float = 0.1          # initial value of every layer scale
    use_layer_scales: bool = True        # False: fixed scale 1.0, no layer_scales parameter
    pooling_type: str | None = "avg"     # "avg" | "max" | None (no pooling)
    pooling_kernel_size: int = 4
    pooling_position: int | None = None  # 1-based layer after which to pool; None = last layer
    max_prompt_tokens: int | None = None # keep at most this many audio embeddings
    projector: str = "linear"            # "linear" (upstream) | "mlp" (Linear, GELU, Linear; ours)
    projector_hidden_size: int = 2048    # hidden width of the mlp projector


class SteeringWhisperEncoder(nn.Module):
    """A frozen HF WhisperEncoder run layer by layer, with layer-wise MoE steering."""

    def __init__(self, encoder: nn.Module, cfg: SteerMoEConfig):
        super().__init__()
        self.encoder = encoder
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        self.cfg = cfg
        self.num_layers = len(encoder.layers)
        d = encoder.config.d_model
        L, E = self.num_layers, cfg.num_experts
        if cfg.mode == "steering":
            self.steering_vectors = nn.Parameter(torch.randn(L, E, d) * 0.01)
            self.router = nn.Linear(d, E * L)
            if cfg.use_layer_scales:
                self.layer_scales = nn.Parameter(torch.full((L,), float(cfg.steering_scale)))
            else:
                self.layer_scales = None
        elif cfg.mode != "linear":
            raise ValueError(f"unknown mode {cfg.mode!r}")
        self.pooling_position = cfg.pooling_position or self.num_layers

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, ceil(T/k), d): zero right-pad time to a multiple of k, then pool."""
        k = self.cfg.pooling_kernel_size
        x = x.transpose(1, 2)  # (B, d, T)
        if x.shape[-1] % k != 0:
            x = F.pad(x, (0, k - x.shape[-1] % k))  # zeros, and they count in the average
        if self.cfg.pooling_type == "avg":
            x = F.avg_pool1d(x, kernel_size=k)
        elif self.cfg.pooling_type == "max":
            x = F.max_pool1d(x, kernel_size=k)
        else:
            raise ValueError(f"unknown pooling type {self.cfg.pooling_type!r}")
        return x.transpose(1, 2)

    def embed(self, features: torch.Tensor) -> torch.Tensor:
        """conv front end + sinusoidal positions, for any frame count T (T' = ceil(T/2) <= 1500)."""
        enc = self.encoder
        x = F.gelu(enc.conv1(features))
        x = F.gelu(enc.conv2(x))
        x = x.permute(0, 2, 1)
        return x + enc.embed_positions.weight[: x.shape[1]]

    def forward(self, features: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        """features (B, n_mels, T) -> (B, T_audio, d_whisper), after the final layer_norm.

        If `trace` is a dict, intermediate tensors are stored in it (for fixtures/debugging).
        """
        x = self.embed(features)
        E = self.cfg.num_experts
        for l, layer in enumerate(self.encoder.layers):
            h = layer(x, None)
            h = h[0] if isinstance(h, tuple) else h
            if self.cfg.mode == "steering":
                logits = self.router(h)[..., l * E:(l + 1) * E]   # this layer's slice of the router
                gates = torch.softmax(logits, dim=-1)             # (B, T, E)
                steer = torch.einsum("bte,ef->btf", gates, self.steering_vectors[l])
                scale = self.layer_scales[l] if self.layer_scales is not None else 1.0
                x = h + scale * steer
                if trace is not None:
                    trace[f"gates.{l}"] = gates
            else:
                x = h
            if trace is not None:
                trace[f"layer_outputs.{l}"] = x
            if self.cfg.pooling_type is not None and l + 1 == self.pooling_position:
                x = self.pool(x)
        return self.encoder.layer_norm(x)


class SteerMoEModel(nn.Module):
    def __init__(self, whisper_encoder: nn.Module, llm: nn.Module, cfg: SteerMoEConfig):
        super().__init__()
        self.cfg = cfg
        self.speech = SteeringWhisperEncoder(whisper_encoder, cfg)
        self.llm = llm
        for p in self.llm.parameters():
            p.requires_grad_(False)
        d_w = whisper_encoder.config.d_model
        d_llm = llm.config.hidden_size
        self.prompt_proj_in = None
        if cfg.projector == "mlp":
            self.prompt_proj_in = nn.Linear(d_w, cfg.projector_hidden_size)
            self.prompt_proj = nn.Linear(cfg.projector_hidden_size, d_llm)
        else:
            # Upstream creates the projection only when the widths differ.
            self.prompt_proj = nn.Linear(d_w, d_llm) if d_w != d_llm else nn.Identity()

    def trainable_parameters(self) -> dict[str, nn.Parameter]:
        """Upstream's names: steering_vectors, router.*, layer_scales, prompt_proj.*"""
        out = {}
        s = self.speech
        if self.cfg.mode == "steering":
            out["steering_vectors"] = s.steering_vectors
            out["router.weight"] = s.router.weight
            out["router.bias"] = s.router.bias
            if s.layer_scales is not None:
                out["layer_scales"] = s.layer_scales
        if self.prompt_proj_in is not None:
            out["prompt_proj_in.weight"] = self.prompt_proj_in.weight
            out["prompt_proj_in.bias"] = self.prompt_proj_in.bias
        if isinstance(self.prompt_proj, nn.Linear):
            out["prompt_proj.weight"] = self.prompt_proj.weight
            out["prompt_proj.bias"] = self.prompt_proj.bias
        return out

    def audio_embeddings(self, features: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        h = self.speech(features, trace)
        if trace is not None:
            trace["encoder_output"] = h
        if self.prompt_proj_in is not None:
            h = F.gelu(self.prompt_proj_in(h))
        audio = self.prompt_proj(h)
        if self.cfg.max_prompt_tokens is not None:
            audio = audio[:, : self.cfg.max_prompt_tokens]
        return audio

    def forward(self, features, text_ids, text_attention_mask, text_labels, trace: dict | None = None):
        """features (B, n_mels, T); text_ids/mask/labels (B, S) for prompt + transcript + eos,
        right-padded. Returns (loss, logits) over the joint sequence [audio, text]."""
        audio = self.audio_embeddings(features, trace)
        B, A = audio.shape[:2]
        text_embeds = self.llm.get_input_embeddings()(text_ids)
        inputs_embeds = torch.cat([audio, text_embeds], dim=1)
        attention_mask = torch.cat([text_attention_mask.new_ones(B, A), text_attention_mask], dim=1)
        labels = torch.cat([text_labels.new_full((B, A), IGNORE_INDEX), text_labels], dim=1)
        logits = self.llm(inputs_embeds=inputs_embeds, attention_mask=attention_mask).logits
        loss = causal_lm_loss(logits, labels)
        if trace is not None:
            trace.update(audio_embeds=audio, inputs_embeds=inputs_embeds, attention_mask=attention_mask,
                         labels=labels, logits=logits)
        return loss, logits


def causal_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Position t predicts labels[t+1]; mean cross-entropy over targets != -100 (in float32+)."""
    logits = logits[:, :-1].float() if logits.dtype in (torch.float16, torch.bfloat16) else logits[:, :-1]
    targets = labels[:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=IGNORE_INDEX, reduction="mean")


def build_text_batch(prompt_ids: list[int], transcripts: list[list[int]], eos_id: int, pad_id: int):
    """Collate prompt + transcript + eos per row, right-padded to the longest row.

    Returns (ids, attention_mask, labels), each (B, S) int64. Labels are -100 on the prompt
    and on padding; the transcript tokens and the eos are the targets. An empty transcript
    gives prompt + eos (only eos is a target).
    """
    rows = [list(prompt_ids) + list(t) + [eos_id] for t in transcripts]
    S = max(len(r) for r in rows)
    B = len(rows)
    ids = torch.full((B, S), pad_id, dtype=torch.int64)
    mask = torch.zeros((B, S), dtype=torch.int64)
    labels = torch.full((B, S), IGNORE_INDEX, dtype=torch.int64)
    P = len(prompt_ids)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = torch.tensor(r)
        mask[b, : len(r)] = 1
        labels[b, P: len(r)] = torch.tensor(r[P:])
    return ids, mask, labels
