import Foundation
import Torch

/// Self-attention with grouped-query heads, RoPE and an optional KV cache
/// (HF `LlamaAttention` / `Qwen2Attention` / `Qwen3Attention` / `Gemma3Attention`).
final class DecoderAttention: Module, @unchecked Sendable {
    @Key var qProj: Linear
    @Key var kProj: Linear
    @Key var vProj: Linear
    @Key var oProj: Linear
    /// Norm over each query / key head's vector before RoPE (Qwen3: RMSNorm, Gemma 3: GemmaRMSNorm).
    @Key var qNorm: (Module & UnaryLayer)?
    @Key var kNorm: (Module & UnaryLayer)?
    let numHeads: Int, numKVHeads: Int, headDim: Int
    /// Score scale; nil = 1/√head_dim (Gemma 3: query_pre_attn_scalar^-0.5).
    let scale: Double?

    /// `headNorm` builds the q / k head norm from its weight prefix (nil: no head norms).
    init(_ c: DecoderConfig, _ w: WeightReader, prefix: String,
         headNorm: ((String) throws -> Module & UnaryLayer)?, scale: Double? = nil) throws {
        numHeads = c.numHeads
        numKVHeads = c.numKVHeads
        headDim = c.headDim
        self.scale = scale
        let (h, q, kv) = (c.hiddenSize, c.numHeads * c.headDim, c.numKVHeads * c.headDim)
        _qProj = Key(wrappedValue: try w.linear("\(prefix).q_proj", h, q, bias: c.qkvBias), "q_proj")
        _kProj = Key(wrappedValue: try w.linear("\(prefix).k_proj", h, kv, bias: c.qkvBias), "k_proj")
        _vProj = Key(wrappedValue: try w.linear("\(prefix).v_proj", h, kv, bias: c.qkvBias), "v_proj")
        _oProj = Key(wrappedValue: try w.linear("\(prefix).o_proj", q, h, bias: c.outputBias), "o_proj")
        _qNorm = Key(wrappedValue: try headNorm?("\(prefix).q_norm"), "q_norm")
        _kNorm = Key(wrappedValue: try headNorm?("\(prefix).k_norm"), "k_norm")
    }

    /// Llama / Qwen2 / Qwen3: RMSNorm head norms where the config has them (`qk_norm`).
    convenience init(_ c: DecoderConfig, _ w: WeightReader, prefix: String) throws {
        try self.init(c, w, prefix: prefix,
                      headNorm: c.qkNorm ? { try w.rmsNorm($0, c.headDim, eps: c.rmsNormEps) } : nil)
    }

    func callAsFunction(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: AttentionMask,
                        cache: KVCache?, layer: Int) throws -> Tensor {
        let (b, t) = (x.size(0), x.size(1))
        var q = try qProj(x).view(b, t, numHeads, headDim)
        var k = try kProj(x).view(b, t, numKVHeads, headDim)
        var v = try vProj(x).view(b, t, numKVHeads, headDim).transpose(1, 2)
        if let qNorm, let kNorm {
            q = try qNorm(q)
            k = try kNorm(k)
        }
        q = try RotaryEmbedding.apply(q.transpose(1, 2), cos: rope.cos, sin: rope.sin)
        k = try RotaryEmbedding.apply(k.transpose(1, 2), cos: rope.cos, sin: rope.sin)
        if let cache { (k, v) = try cache.update(layer: layer, keys: k, values: v) }
        let out = try Functional.scaledDotProductAttention(q, k, v, mask: mask.mask, isCausal: mask.isCausal, scale: scale,
                                                           enableGQA: numHeads != numKVHeads)
        return try oProj(out.transpose(1, 2).reshape(b, t, numHeads * headDim))
    }
}

/// Gated feed-forward: down(act(gate(x)) · up(x)); SwiGLU (silu) or Gemma's GeGLU
/// (`gelu_pytorch_tanh`).
final class DecoderMLP: Module, @unchecked Sendable {
    enum Activation { case silu, geluTanh }
    @Key var gateProj: Linear
    @Key var upProj: Linear
    @Key var downProj: Linear
    let activation: Activation

    init(_ c: DecoderConfig, _ w: WeightReader, prefix: String, activation: Activation = .silu) throws {
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        self.activation = activation
        _gateProj = Key(wrappedValue: try w.linear("\(prefix).gate_proj", h, i, bias: c.mlpBias), "gate_proj")
        _upProj = Key(wrappedValue: try w.linear("\(prefix).up_proj", h, i, bias: c.mlpBias), "up_proj")
        _downProj = Key(wrappedValue: try w.linear("\(prefix).down_proj", i, h, bias: c.mlpBias), "down_proj")
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let gate = try gateProj(x)
        let activated = try activation == .silu ? gate.silu() : gate.gelu(approximate: true)
        return try downProj(activated * upProj(x))
    }
}

/// Pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(·)).
final class DecoderLayer: Module, @unchecked Sendable {
    @Key var selfAttn: DecoderAttention
    @Key var mlp: DecoderMLP
    @Key var inputLayernorm: RMSNorm
    @Key var postAttentionLayernorm: RMSNorm

    init(_ c: DecoderConfig, _ w: WeightReader, prefix: String) throws {
        _selfAttn = Key(wrappedValue: try DecoderAttention(c, w, prefix: "\(prefix).self_attn"), "self_attn")
        _mlp = Key(wrappedValue: try DecoderMLP(c, w, prefix: "\(prefix).mlp"), "mlp")
        _inputLayernorm = Key(wrappedValue: try w.rmsNorm("\(prefix).input_layernorm", c.hiddenSize, eps: c.rmsNormEps),
                              "input_layernorm")
        _postAttentionLayernorm = Key(
            wrappedValue: try w.rmsNorm("\(prefix).post_attention_layernorm", c.hiddenSize, eps: c.rmsNormEps),
            "post_attention_layernorm")
    }

    func callAsFunction(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: AttentionMask,
                        cache: KVCache?, layer: Int) throws -> Tensor {
        let h = try x + selfAttn(inputLayernorm(x), rope: rope, mask: mask, cache: cache, layer: layer)
        return try h + mlp(postAttentionLayernorm(h))
    }
}

/// Which keys each query may attend to: a bool mask (B, 1, T, past + T), or plain causal
/// attention with no mask tensor when nothing is padded.
struct AttentionMask {
    var mask: Tensor?
    var isCausal: Bool

    /// `keyMask`: bool (B, past + T), true = real token; nil = no padding.
    static func make(keyMask: Tensor?, queryLength t: Int, past: Int, device: Device) throws -> AttentionMask {
        guard let keyMask else {
            // Without padding: a single new token sees the whole cache; a prompt is plain causal
            // (sdpa's is_causal aligns top-left, so only when nothing is cached).
            if t == 1 { return AttentionMask(mask: nil, isCausal: false) }
            if past == 0 { return AttentionMask(mask: nil, isCausal: true) }
            return try make(keyMask: Tensor.ones([1, past + t], dtype: .bool, device: device), queryLength: t, past: past,
                            device: device)
        }
        let total = past + t
        let query = try Tensor.arange(past, total, device: device).view(t, 1)  // absolute query positions
        let key = try Tensor.arange(total, device: device).view(1, total)
        let causal = try key.compare(query, .le)
        let allowed = try causal.logicalAnd(keyMask.view(keyMask.size(0), 1, 1, total))
        // Every query may see itself: a left-padding query would otherwise attend to nothing and
        // produce NaN (or zeros), which would flow into later layers' keys and values.
        return AttentionMask(mask: try allowed.logicalOr(key.eq(query)), isCausal: false)
    }
}
