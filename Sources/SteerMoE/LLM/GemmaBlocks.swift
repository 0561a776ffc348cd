import Foundation
import Torch

/// Gemma's RMSNorm: `x · rsqrt(mean(x²) + eps) · (1 + weight)`, all in float32, then cast back
/// (HF `Gemma3RMSNorm`; the checkpoint stores `weight` centred on 0, not 1).
final class GemmaRMSNorm: Module, UnaryLayer {
    let weight: Parameter
    let eps: Double

    init(weight: Tensor, eps: Double, requiresGrad: Bool) throws {
        self.weight = try Parameter(weight, requiresGrad: requiresGrad)
        self.eps = eps
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let w = weight.value
        let gain = try (w.dtype == .float32 ? w : w.to(dtype: .float32)) + 1
        let input = x.dtype == .float32 ? x : try x.to(dtype: .float32)
        let out = try Functional.rmsNorm(input, shape: [w.size(0)], weight: gain, eps: eps)
        return x.dtype == .float32 ? out : try out.to(dtype: x.dtype)
    }
}

extension WeightReader {
    func gemmaNorm(_ prefix: String, _ dim: Int, eps: Double) throws -> GemmaRMSNorm {
        try GemmaRMSNorm(weight: tensor("\(prefix).weight", shape: [dim]), eps: eps, requiresGrad: requiresGrad)
    }
}

/// Gemma 3 self-attention (HF `Gemma3Attention`): GQA with Gemma norms on each query and key
/// head before RoPE, scores scaled by `query_pre_attn_scalar^-0.5`. Whether the layer is local
/// (sliding window, local RoPE) is decided by the layer; the masks and cos/sin come prepared.
final class GemmaAttention: Module {
    @Key var qProj: Linear
    @Key var kProj: Linear
    @Key var vProj: Linear
    @Key var oProj: Linear
    @Key var qNorm: GemmaRMSNorm
    @Key var kNorm: GemmaRMSNorm
    let numHeads: Int, numKVHeads: Int, headDim: Int
    let scale: Double

    init(_ c: DecoderConfig, _ g: GemmaSettings, _ w: WeightReader, prefix: String) throws {
        numHeads = c.numHeads
        numKVHeads = c.numKVHeads
        headDim = c.headDim
        scale = 1 / g.queryPreAttnScalar.squareRoot()
        let (h, q, kv) = (c.hiddenSize, c.numHeads * c.headDim, c.numKVHeads * c.headDim)
        _qProj = Key(wrappedValue: try w.linear("\(prefix).q_proj", h, q, bias: c.qkvBias), "q_proj")
        _kProj = Key(wrappedValue: try w.linear("\(prefix).k_proj", h, kv, bias: c.qkvBias), "k_proj")
        _vProj = Key(wrappedValue: try w.linear("\(prefix).v_proj", h, kv, bias: c.qkvBias), "v_proj")
        _oProj = Key(wrappedValue: try w.linear("\(prefix).o_proj", q, h, bias: c.outputBias), "o_proj")
        _qNorm = Key(wrappedValue: try w.gemmaNorm("\(prefix).q_norm", c.headDim, eps: c.rmsNormEps), "q_norm")
        _kNorm = Key(wrappedValue: try w.gemmaNorm("\(prefix).k_norm", c.headDim, eps: c.rmsNormEps), "k_norm")
    }

    func callAsFunction(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: AttentionMask,
                        cache: KVCache?, layer: Int) throws -> Tensor {
        let (b, t) = (x.size(0), x.size(1))
        let q = try qNorm(qProj(x).view(b, t, numHeads, headDim)).transpose(1, 2)
        var k = try kNorm(kProj(x).view(b, t, numKVHeads, headDim)).transpose(1, 2)
        var v = try vProj(x).view(b, t, numKVHeads, headDim).transpose(1, 2)
        let qr = try RotaryEmbedding.apply(q, cos: rope.cos, sin: rope.sin)
        k = try RotaryEmbedding.apply(k, cos: rope.cos, sin: rope.sin)
        if let cache { (k, v) = try cache.update(layer: layer, keys: k, values: v) }
        let out = try Functional.scaledDotProductAttention(qr, k, v, mask: mask.mask, isCausal: mask.isCausal, scale: scale,
                                                           enableGQA: numHeads != numKVHeads)
        return try oProj(out.transpose(1, 2).reshape(b, t, numHeads * headDim))
    }
}

/// GeGLU feed-forward: down(gelu_tanh(gate(x)) · up(x)) (`gelu_pytorch_tanh`).
final class GemmaMLP: Module {
    @Key var gateProj: Linear
    @Key var upProj: Linear
    @Key var downProj: Linear

    init(_ c: DecoderConfig, _ w: WeightReader, prefix: String) throws {
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        _gateProj = Key(wrappedValue: try w.linear("\(prefix).gate_proj", h, i, bias: false), "gate_proj")
        _upProj = Key(wrappedValue: try w.linear("\(prefix).up_proj", h, i, bias: false), "up_proj")
        _downProj = Key(wrappedValue: try w.linear("\(prefix).down_proj", i, h, bias: false), "down_proj")
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try downProj(gateProj(x).gelu(approximate: true) * upProj(x))
    }
}

/// Gemma 3 block (HF `Gemma3DecoderLayer`): sandwich norms around both sub-layers,
/// x + post_attn_norm(attn(input_norm(x))), then + post_ff_norm(mlp(pre_ff_norm(·))).
final class GemmaLayer: Module, DecoderBlock {
    @Key var selfAttn: GemmaAttention
    @Key var mlp: GemmaMLP
    @Key var inputLayernorm: GemmaRMSNorm
    @Key var postAttentionLayernorm: GemmaRMSNorm
    @Key var preFeedforwardLayernorm: GemmaRMSNorm
    @Key var postFeedforwardLayernorm: GemmaRMSNorm
    /// Local layer: sliding-window mask and the local RoPE base.
    let sliding: Bool

    init(_ c: DecoderConfig, _ g: GemmaSettings, _ w: WeightReader, index: Int) throws {
        let prefix = "model.layers.\(index)"
        sliding = g.slidingLayers[index]
        _selfAttn = Key(wrappedValue: try GemmaAttention(c, g, w, prefix: "\(prefix).self_attn"), "self_attn")
        _mlp = Key(wrappedValue: try GemmaMLP(c, w, prefix: "\(prefix).mlp"), "mlp")
        func norm(_ name: String) throws -> Key<GemmaRMSNorm> {
            Key(wrappedValue: try w.gemmaNorm("\(prefix).\(name)", c.hiddenSize, eps: c.rmsNormEps), name)
        }
        _inputLayernorm = try norm("input_layernorm")
        _postAttentionLayernorm = try norm("post_attention_layernorm")
        _preFeedforwardLayernorm = try norm("pre_feedforward_layernorm")
        _postFeedforwardLayernorm = try norm("post_feedforward_layernorm")
    }

    func callAsFunction(_ x: Tensor, inputs: LayerInputs, cache: KVCache?, layer: Int) throws -> Tensor {
        guard !sliding || inputs.local != nil else {
            throw TorchError("GemmaLayer: a sliding-window layer needs local RoPE and mask")
        }
        let (rope, mask) = sliding ? (inputs.local!.rope, inputs.local!.mask) : (inputs.rope, inputs.mask)
        let attn = try selfAttn(inputLayernorm(x), rope: rope, mask: mask, cache: cache, layer: layer)
        let h = try x + postAttentionLayernorm(attn)
        return try h + postFeedforwardLayernorm(mlp(preFeedforwardLayernorm(h)))
    }
}
