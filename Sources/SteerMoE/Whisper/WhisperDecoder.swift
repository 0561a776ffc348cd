import Foundation
import Torch

/// Pre-norm decoder layer: causal self-attention, cross-attention over the encoder output and
/// the feed-forward block, each `x + f(norm(x))` (HF `WhisperDecoderLayer`).
final class WhisperDecoderLayer: Module, @unchecked Sendable {
    @Key var selfAttention: WhisperAttention
    @Key var selfAttentionNorm: LayerNorm
    @Key var crossAttention: WhisperAttention
    @Key var crossAttentionNorm: LayerNorm
    let fc1: Linear
    let fc2: Linear
    @Key var finalNorm: LayerNorm
    let activationName: String

    init(_ c: WhisperDecoderConfig) throws {
        _selfAttention = try Key(wrappedValue: WhisperAttention(width: c.width, heads: c.heads), "self_attn")
        _selfAttentionNorm = try Key(wrappedValue: LayerNorm(c.width), "self_attn_layer_norm")
        _crossAttention = try Key(wrappedValue: WhisperAttention(width: c.width, heads: c.heads), "encoder_attn")
        _crossAttentionNorm = try Key(wrappedValue: LayerNorm(c.width), "encoder_attn_layer_norm")
        fc1 = try Linear(c.width, c.ffnWidth)
        fc2 = try Linear(c.ffnWidth, c.width)
        _finalNorm = try Key(wrappedValue: LayerNorm(c.width), "final_layer_norm")
        activationName = c.activation
    }

    func callAsFunction(_ x: Tensor, cache: WhisperDecoderCache, layer: Int) throws -> Tensor {
        var h = try x + selfAttention.causal(selfAttentionNorm(x), cache: cache.selfAttention, layer: layer)
        let cross = cache.cross[layer]
        h = try h + crossAttention.attend(crossAttentionNorm(h), keys: cross.keys, values: cross.values)
        return try h + fc2(activation(activationName, fc1(finalNorm(h))))
    }
}

/// What a Whisper decoder keeps per utterance batch: the self-attention keys/values of the
/// positions processed so far and the cross-attention keys/values of the encoder output
/// (computed once, when the cache is made).
public final class WhisperDecoderCache {
    public let selfAttention: KVCache
    let cross: [(keys: Tensor, values: Tensor)]
    /// Decoder positions processed so far.
    public var length: Int { selfAttention.length }
    public var batchSize: Int { cross.first?.keys.size(0) ?? 0 }

    init(selfAttention: KVCache, cross: [(keys: Tensor, values: Tensor)]) {
        self.selfAttention = selfAttention
        self.cross = cross
    }
}

/// Whisper's decoder (keys as `model.decoder.*` without the prefix): token embeddings, learned
/// positions (`max_target_positions`), pre-norm layers with causal self-attention and
/// cross-attention, a final layer norm; logits are `h · embed_tokensᵀ` (HF's tied `proj_out`).
/// HF's decoder does not apply `embed_scale`, and neither does this one.
public final class WhisperDecoder: Module, @unchecked Sendable {
    public let config: WhisperDecoderConfig
    @Key var embedTokens: Embedding
    @Key var positions: Embedding
    let layers: [WhisperDecoderLayer]
    @Key var layerNorm: LayerNorm

    public init(_ c: WhisperDecoderConfig) throws {
        config = c
        _embedTokens = try Key(wrappedValue: Embedding(c.vocabSize, c.width), "embed_tokens")
        _positions = try Key(wrappedValue: Embedding(c.maxPositions, c.width), "embed_positions")
        layers = try (0..<c.layers).map { _ in try WhisperDecoderLayer(c) }
        _layerNorm = try Key(wrappedValue: LayerNorm(c.width), "layer_norm")
    }

    /// Loads the decoder of a `WhisperForConditionalGeneration` folder, frozen. A stored
    /// `proj_out.weight` must equal the embeddings (HF ties them).
    public static func load(folder: String, dtype: DType? = nil) throws -> WhisperDecoder {
        let f = try ModelFolder(folder)
        let decoder = try WhisperDecoder(WhisperDecoderConfig(f.config))
        let all = try f.weights(dtype: dtype)
        let weights = strippingPrefix("model.decoder.", from: all)
        if weights.isEmpty { throw TorchError("\(folder): no Whisper decoder weights (expected keys model.decoder.*)") }
        do { try decoder.load(weights, dtype: dtype) } catch { throw TorchError("\(folder): \(error)") }
        if let head = all["proj_out.weight"], try !head.to(dtype: decoder.dtype).eq(decoder.embedTokens.weight.value).all() {
            throw TorchError("\(folder): proj_out.weight differs from model.decoder.embed_tokens.weight (untied heads are not supported)")
        }
        try decoder.freeze()
        decoder.eval()
        return decoder
    }

    public var dtype: DType { embedTokens.weight.value.dtype }
    public var device: Device { embedTokens.weight.value.device }

    /// A cache for `encoderStates` (B, S, d): cross-attention keys/values of every layer, and
    /// room for `capacity` self-attention positions.
    public func makeCache(encoderStates: Tensor, capacity: Int) throws -> WhisperDecoderCache {
        let cross = try layers.map { try $0.crossAttention.keysValues(encoderStates) }
        return WhisperDecoderCache(selfAttention: KVCache(layers: layers.count, capacity: capacity), cross: cross)
    }

    /// Final-normed hidden states (B, T, d) for token ids (B, T) that follow the `cache.length`
    /// positions already processed; the cache grows by T.
    public func hiddenStates(_ ids: Tensor, cache: WhisperDecoderCache) throws -> Tensor {
        let (b, t) = (ids.size(0), ids.size(1))
        let past = cache.length
        guard b == cache.batchSize else { throw TorchError("Whisper decoder: \(b) rows of ids for a cache of \(cache.batchSize)") }
        guard past + t <= config.maxPositions else {
            throw TorchError("Whisper decoder: \(past + t) positions, the model has \(config.maxPositions) (max_target_positions)")
        }
        var h = try embedTokens(ids) + positions.weight.value.slice(dim: 0, past..<(past + t))
        for (i, layer) in layers.enumerated() { h = try layer(h, cache: cache, layer: i) }
        cache.selfAttention.advance(by: t)
        return try layerNorm(h)
    }

    /// Logits (..., V) of hidden states (..., d).
    public func logits(_ hidden: Tensor) throws -> Tensor { try hidden.linear(embedTokens.weight.value) }

    /// Logits (B, V) of (B, d) hidden states while decoding, as `(E · hᵀ)ᵀ`: on CPU MKL repacks
    /// a (V, d) right operand on every call, which dominates a decode step (see DecoderLM).
    func stepLogits(_ hidden: Tensor) throws -> Tensor {
        try embedTokens.weight.value.matmul(hidden.transpose(0, 1)).transpose(0, 1)
    }

    /// Logits (B, T, V) for token ids (B, T) over `encoderStates` (B, S, d), without a cache.
    public func callAsFunction(inputIds: Tensor, encoderStates: Tensor) throws -> Tensor {
        let cache = try makeCache(encoderStates: encoderStates, capacity: inputIds.size(1))
        return try logits(hiddenStates(inputIds, cache: cache))
    }
}

extension WhisperAttention {
    /// Causal self-attention of x (B, T, d) over the cached positions and itself.
    func causal(_ x: Tensor, cache: KVCache, layer: Int) throws -> Tensor {
        let past = cache.length
        let (k, v) = try cache.update(layer: layer, keys: splitHeads(key(x)), values: splitHeads(value(x)))
        let mask = try AttentionMask.make(keyMask: nil, queryLength: x.size(1), past: past, device: x.device)
        return try mergeHeads(Functional.scaledDotProductAttention(splitHeads(query(x)), k, v, mask: mask.mask,
                                                                   isCausal: mask.isCausal))
    }

    /// Cross-attention keys and values (B, heads, S, d / heads) of encoder states (B, S, d).
    func keysValues(_ states: Tensor) throws -> (keys: Tensor, values: Tensor) {
        (try splitHeads(key(states)).contiguous(), try splitHeads(value(states)).contiguous())
    }

    /// Attention of x (B, T, d) over precomputed keys/values (no mask: every query sees every key).
    func attend(_ x: Tensor, keys: Tensor, values: Tensor) throws -> Tensor {
        try mergeHeads(Functional.scaledDotProductAttention(splitHeads(query(x)), keys, values))
    }
}
