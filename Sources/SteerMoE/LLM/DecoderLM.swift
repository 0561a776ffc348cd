import Foundation
import Torch

/// The transformer body, HF's `model.*`: token embeddings, decoder layers, final norm.
public final class DecoderBackbone: Module, @unchecked Sendable {
    @Key var embedTokens: Embedding
    let layers: [any DecoderBlock]
    let norm: any Module & UnaryLayer

    init(_ c: DecoderConfig, _ w: WeightReader) throws {
        _embedTokens = Key(wrappedValue: try Embedding(weight: w.tensor("model.embed_tokens.weight", shape: [c.vocabSize, c.hiddenSize]),
                                                       requiresGrad: w.requiresGrad), "embed_tokens")
        if let g = c.gemma {
            layers = try (0..<c.numLayers).map { try GemmaLayer(c, g, w, index: $0) }
            norm = try w.gemmaNorm("model.norm", c.hiddenSize, eps: c.rmsNormEps)
        } else {
            layers = try (0..<c.numLayers).map { try DecoderLayer(c, w, prefix: "model.layers.\($0)") }
            norm = try w.rmsNorm("model.norm", c.hiddenSize, eps: c.rmsNormEps)
        }
    }
}

/// A decoder-only causal LM (Qwen2, Qwen2.5, Qwen3, Llama, Gemma 3) with HF parameter names, loaded from
/// an HF model folder. The SteerMoE trainer feeds it embeddings (audio + prompt) and reads
/// logits at labelled positions; generation adds a KV cache.
///
/// Conventions:
/// - `attentionMask` is (B, past + T), int64 or bool, 1 = token, 0 = padding (left or right).
/// - Default position ids follow HF `generate`: `cumsum(mask) − 1` with padding set to 1, or
///   `past ..< past + T` when there is no mask. Logits at real tokens do not depend on the choice
///   (RoPE is relative), so training with right padding and generation with left padding agree.
/// - Outputs at padding positions are finite but meaningless.
/// - One model serves one caller at a time: the RoPE table and the decode-head copy grow lazily.
public final class DecoderLM: Module, @unchecked Sendable {
    public let config: DecoderConfig
    public let model: DecoderBackbone
    /// Absent when `tie_word_embeddings`: the embedding table doubles as the output projection.
    @Key var lmHead: Linear?
    let rope: RotaryEmbedding
    /// Gemma's sliding-window layers: RoPE with the local base (nil for other models).
    let localRope: RotaryEmbedding?
    /// Output projection as a contiguous (H, V) copy, for decoding (see `decodeLogits`).
    private var transposedHead: (source: Tensor, weight: Tensor)?
    /// Whether decoding may keep that extra V × H copy (faster on CPU); set false to
    /// save the memory (e.g. a 7B model's 152k-row head), which also drops an existing copy.
    public var transposedHeadForDecoding = true {
        didSet { if !transposedHeadForDecoding { transposedHead = nil } }
    }

    init(config: DecoderConfig, weights w: WeightReader) throws {
        self.config = config
        model = try DecoderBackbone(config, w)
        _lmHead = Key(wrappedValue: config.tieWordEmbeddings
                          ? nil : try w.linear("lm_head", config.hiddenSize, config.vocabSize, bias: false), "lm_head")
        rope = try RotaryEmbedding(headDim: config.headDim, theta: config.ropeTheta, scaling: config.ropeScaling)
        localRope = try config.gemma.map { try RotaryEmbedding(headDim: config.headDim, theta: $0.localRopeTheta, scaling: .none) }
    }

    /// Loads an HF folder (config.json, generation_config.json, model.safetensors or shards).
    /// Weights stay memory-mapped when `dtype` matches the stored type; parameters are frozen
    /// (requires-grad off). Extra tensors in the checkpoint (e.g. a redundant `lm_head.weight` of
    /// a tied model) are ignored.
    public static func load(folder: String, dtype: DType = .float32) throws -> DecoderLM {
        let f = try ModelFolder(folder)
        let config = try DecoderConfig(folder: f)
        let weights = try f.weights(dtype: dtype)
        let reader = WeightReader(weights: config.gemma?.textWeights(weights) ?? weights, source: folder)
        let lm = try DecoderLM(config: config, weights: reader)
        lm.eval()
        return lm
    }

    public var dtype: DType { model.embedTokens.weight.value.dtype }
    public var device: Device { model.embedTokens.weight.value.device }
    public var vocabSize: Int { config.vocabSize }

    /// The input-embedding matrix (V, H) as stored, without Gemma's √H input multiplier (for tied
    /// models also the LM head's matrix).
    public var embeddingMatrix: Tensor { model.embedTokens.weight.value }

    /// Token ids (B, T) int64 → embeddings (B, T, H).
    public func embed(_ ids: Tensor) throws -> Tensor { try scaledEmbeddings(model.embedTokens(ids)) }

    /// Final-normed hidden states (B, T, H) for `inputsEmbeds` (B, T, H).
    ///
    /// With a `cache`, the embeddings are the positions after the cached ones: the mask then
    /// covers past + T and the cache grows by T. `checkpointLayers` recomputes each layer in
    /// backward (`Autograd.checkpoint`) to save activation memory in training; not with a cache.
    public func hiddenStates(inputsEmbeds: Tensor, attentionMask: Tensor?, positionIds: Tensor? = nil,
                             cache: KVCache? = nil, checkpointLayers: Bool = false) throws -> Tensor {
        guard inputsEmbeds.rank == 3, inputsEmbeds.size(2) == config.hiddenSize else {
            throw TorchError("hiddenStates: inputsEmbeds must be (B, T, \(config.hiddenSize)), got \(inputsEmbeds.shape)")
        }
        let (b, t) = (inputsEmbeds.size(0), inputsEmbeds.size(1))
        let past = cache?.length ?? 0
        let keyMask = try attentionMask.map { m -> Tensor in
            guard m.shape == [b, past + t] else {
                throw TorchError("hiddenStates: attentionMask must be (B, past + T) = \([b, past + t]), got \(m.shape)")
            }
            return try m.dtype == .bool ? m : m.ne(0)
        }
        let positions: Tensor, maxPosition: Int
        if let positionIds {
            guard positionIds.shape == [b, t] || positionIds.shape == [1, t] else {
                throw TorchError("hiddenStates: positionIds must be (B, T) = \([b, t]), got \(positionIds.shape)")
            }
            positions = try positionIds.expand([b, t])
            maxPosition = try positionIds.amax().itemInt()
        } else {
            (positions, maxPosition) = try Self.defaultPositions(keyMask: keyMask, batch: b, queryLength: t, past: past,
                                                                 device: inputsEmbeds.device)
        }
        return try forward(inputsEmbeds, keyMask: keyMask, positions: positions, maxPosition: maxPosition,
                           cache: cache, checkpointLayers: checkpointLayers)
    }

    /// HF generate's positions: cumsum(mask) − 1, padding → 1; arange(past, past + T) without a mask.
    static func defaultPositions(keyMask: Tensor?, batch b: Int, queryLength t: Int, past: Int, device: Device) throws
        -> (positions: Tensor, maxPosition: Int)
    {
        let total = past + t
        guard let keyMask else {
            return (try Tensor.arange(past, total, device: device).view(1, t).expand([b, t]), total - 1)
        }
        let m = try keyMask.to(dtype: .int64)
        let positions = try (m.cumsum(dim: 1) - 1).maskedFill(keyMask.logicalNot(), 1).slice(dim: 1, start: past)
        return (positions, Swift.max(total - 1, 1))
    }

    /// The layer stack with everything precomputed: `keyMask` bool (B, past + T) or nil,
    /// `positions` (B, T) int64 bounded by `maxPosition`.
    func forward(_ x: Tensor, keyMask: Tensor?, positions: Tensor, maxPosition: Int, cache: KVCache?,
                 checkpointLayers: Bool = false) throws -> Tensor {
        if checkpointLayers && cache != nil {
            throw TorchError("hiddenStates: checkpointLayers cannot be combined with a KV cache")
        }
        let t = x.size(1)
        let past = cache?.length ?? 0
        let shared = try layerInputs(positions: positions, maxPosition: maxPosition, keyMask: keyMask, queryLength: t,
                                     past: past, dtype: x.dtype, device: x.device)
        var h = x
        for (i, layer) in model.layers.enumerated() {
            if checkpointLayers {
                h = try Autograd.checkpoint([h]) { inputs in
                    try layer(inputs[0], inputs: shared, cache: nil, layer: i)
                }
            } else {
                h = try layer(h, inputs: shared, cache: cache, layer: i)
            }
        }
        cache?.advance(by: t)
        return try model.norm(h)
    }

    /// LM head: hidden states (..., H) → logits (..., V), in the model's dtype.
    public func logits(_ hidden: Tensor) throws -> Tensor {
        if let lmHead { return try softcapped(lmHead(hidden)) }
        return try softcapped(hidden.linear(model.embedTokens.weight.value))
    }

    /// `logits` for inference on (B, H) hidden states through a contiguous (H, V) copy of the head:
    /// the product with the (V, H) row-major head is slow on CPU as a matrix-vector product (B = 1)
    /// and as a small matrix product (MKL repacks the whole head every call). Measured on one thread,
    /// 32k × 512 head, two machines: B = 1 via the copy 2–4× faster than `linear`. For B > 1 the
    /// first machine favoured `(W · hᵀ)ᵀ` (~2.4× over `linear`), the second ran it 2.7× slower than
    /// `linear` at B = 2 (7.7 against 2.8 ms) while the copy took 4.2 ms there and was the fastest
    /// of the three at B = 8 (8.1 against 9.2 and 8.5 ms): the copy is never the worst, so it serves
    /// every B. It is made on the first call and redone if the weight is replaced. A trainable head
    /// takes `linear`; `transposedHeadForDecoding = false` (saves the copy's memory) `(W · hᵀ)ᵀ`.
    func decodeLogits(_ hidden: Tensor) throws -> Tensor {
        let weight = lmHead?.weight.value ?? model.embedTokens.weight.value
        if weight.requiresGrad || hidden.rank != 2 { return try logits(hidden) }
        if !transposedHeadForDecoding {
            return try softcapped(weight.matmul(hidden.transpose(0, 1)).transpose(0, 1))
        }
        if transposedHead?.source !== weight {
            transposedHead = (weight, try Autograd.noGrad { try weight.transpose(0, 1).contiguous() })
        }
        return try softcapped(hidden.matmul(transposedHead!.weight))
    }

    /// Logits (B, T, V) for token ids (B, T) with an optional (B, T) padding mask.
    public func callAsFunction(inputIds: Tensor, attentionMask: Tensor?) throws -> Tensor {
        try logits(hiddenStates(inputsEmbeds: embed(inputIds), attentionMask: attentionMask))
    }

    /// A cache sized for `capacity` positions, with one entry per layer of this model.
    public func makeCache(capacity: Int = 256) -> KVCache {
        KVCache(layers: config.numLayers, capacity: capacity)
    }
}
