import Foundation
import Torch

/// Gemma's RMSNorm: `x · rsqrt(mean(x²) + eps) · (1 + weight)`, all in float32, then cast back
/// (HF `Gemma3RMSNorm`; the checkpoint stores `weight` centred on 0, not 1).
final class GemmaRMSNorm: Module, @unchecked Sendable, UnaryLayer {
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

/// Gemma 3 block (HF `Gemma3DecoderLayer`): sandwich norms around both sub-layers,
/// x + post_attn_norm(attn(input_norm(x))), then + post_ff_norm(mlp(pre_ff_norm(·))).
final class GemmaLayer: Module, @unchecked Sendable, DecoderBlock {
    @Key var selfAttn: DecoderAttention
    @Key var mlp: DecoderMLP
    @Key var inputLayernorm: GemmaRMSNorm
    @Key var postAttentionLayernorm: GemmaRMSNorm
    @Key var preFeedforwardLayernorm: GemmaRMSNorm
    @Key var postFeedforwardLayernorm: GemmaRMSNorm
    /// Local layer: sliding-window mask and the local RoPE base.
    let sliding: Bool

    init(_ c: DecoderConfig, _ g: GemmaSettings, _ w: WeightReader, index: Int) throws {
        let prefix = "model.layers.\(index)"
        sliding = g.slidingLayers[index]
        // Gemma norms on each query and key head; scores scaled by query_pre_attn_scalar^-0.5.
        _selfAttn = Key(wrappedValue: try DecoderAttention(c, w, prefix: "\(prefix).self_attn",
                                                           headNorm: { try w.gemmaNorm($0, c.headDim, eps: c.rmsNormEps) },
                                                           scale: 1 / g.queryPreAttnScalar.squareRoot()), "self_attn")
        _mlp = Key(wrappedValue: try DecoderMLP(c, w, prefix: "\(prefix).mlp", activation: .geluTanh), "mlp")
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
