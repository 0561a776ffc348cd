import Foundation
import Torch

/// Whisper's multi-head self-attention (k_proj has no bias, as in the checkpoints).
final class WhisperAttention: Module, @unchecked Sendable {
    @Key var query: Linear
    @Key var key: Linear
    @Key var value: Linear
    @Key var output: Linear
    let heads: Int

    init(width: Int, heads: Int) throws {
        self.heads = heads
        _query = try Key(wrappedValue: Linear(width, width), "q_proj")
        _key = try Key(wrappedValue: Linear(width, width, bias: false), "k_proj")
        _value = try Key(wrappedValue: Linear(width, width), "v_proj")
        _output = try Key(wrappedValue: Linear(width, width), "out_proj")
    }

    /// x (B, T, d); `mask` bool (B, 1, 1, T) with true = attend, or nil.
    func callAsFunction(_ x: Tensor, mask: Tensor?) throws -> Tensor {
        try mergeHeads(Functional.scaledDotProductAttention(splitHeads(query(x)), splitHeads(key(x)), splitHeads(value(x)), mask: mask))
    }

    /// (B, T, d) → (B, heads, T, d / heads).
    func splitHeads(_ y: Tensor) throws -> Tensor {
        try y.view(y.size(0), y.size(1), heads, y.size(2) / heads).transpose(1, 2)
    }

    /// (B, heads, T, d / heads) → the output projection of (B, T, d).
    func mergeHeads(_ y: Tensor) throws -> Tensor {
        try output(y.transpose(1, 2).reshape(y.size(0), y.size(2), y.size(1) * y.size(3)))
    }
}

/// Pre-norm transformer layer: x + attn(ln(x)), then x + fc2(act(fc1(ln(x)))).
final class WhisperEncoderLayer: Module, @unchecked Sendable {
    @Key var attention: WhisperAttention
    @Key var attentionNorm: LayerNorm
    let fc1: Linear
    let fc2: Linear
    @Key var finalNorm: LayerNorm
    let activationName: String

    init(_ c: WhisperEncoderConfig) throws {
        _attention = try Key(wrappedValue: WhisperAttention(width: c.width, heads: c.heads), "self_attn")
        _attentionNorm = try Key(wrappedValue: LayerNorm(c.width), "self_attn_layer_norm")
        fc1 = try Linear(c.width, c.ffnWidth)
        fc2 = try Linear(c.ffnWidth, c.width)
        _finalNorm = try Key(wrappedValue: LayerNorm(c.width), "final_layer_norm")
        activationName = c.activation
    }

    func callAsFunction(_ x: Tensor, mask: Tensor?) throws -> Tensor {
        let h = try x + attention(attentionNorm(x), mask: mask)
        return try h + fc2(activation(activationName, fc1(finalNorm(h))))
    }
}

/// Whisper's encoder (keys as `model.encoder.*` without the prefix): conv front end with GELU,
/// learned/sinusoidal positions, pre-norm layers and a final layer norm. Accepts inputs shorter
/// than 30 s (positions [0, T/2)), optionally with a key-padding mask.
public final class WhisperEncoder: Module, @unchecked Sendable {
    public let config: WhisperEncoderConfig
    let conv1: Conv1d
    let conv2: Conv1d
    @Key var positions: Embedding
    let layers: [WhisperEncoderLayer]
    @Key var layerNorm: LayerNorm
    /// Recompute each layer in backward instead of storing its activations.
    public var gradientCheckpointing = false

    public init(_ c: WhisperEncoderConfig) throws {
        config = c
        conv1 = try Conv1d(c.melBins, c.width, kernelSize: 3, padding: 1)
        conv2 = try Conv1d(c.width, c.width, kernelSize: 3, stride: 2, padding: 1)
        _positions = try Key(wrappedValue: Embedding(c.maxPositions, c.width), "embed_positions")
        layers = try (0..<c.layers).map { _ in try WhisperEncoderLayer(c) }
        _layerNorm = try Key(wrappedValue: LayerNorm(c.width), "layer_norm")
    }

    /// Loads the encoder of a Whisper model folder (full `WhisperForConditionalGeneration` or an
    /// encoder-only checkpoint), frozen.
    public static func load(folder: String, dtype: DType? = nil) throws -> WhisperEncoder {
        let f = try ModelFolder(folder)
        let encoder = try WhisperEncoder(WhisperEncoderConfig(f.config))
        let all = try f.weights(dtype: dtype)
        var weights = strippingPrefix("model.encoder.", from: all)
        if weights.isEmpty { weights = strippingPrefix("encoder.", from: all) }
        if weights.isEmpty { throw TorchError("\(folder): no Whisper encoder weights (expected keys model.encoder.*)") }
        do { try encoder.load(weights, dtype: dtype) } catch { throw TorchError("\(folder): \(error)") }
        try encoder.freeze()
        encoder.eval()
        return encoder
    }

    public var layerCount: Int { layers.count }
    /// Where the weights live (inputs are moved there).
    public var device: Device { positions.weight.value.device }

    /// Conv front end + positions: (B, mel, frames) → (B, frames/2, d).
    public func embed(_ features: Tensor) throws -> Tensor {
        let x = try conv2(conv1(features).gelu()).gelu().transpose(1, 2)
        let t = x.size(1)
        guard t <= config.maxPositions else {
            throw TorchError("Whisper encoder: \(features.size(-1)) frames give \(t) positions, the model has \(config.maxPositions)")
        }
        return try x + positions.weight.value.slice(dim: 0, start: 0, end: t)
    }

    /// Runs layer `index` (with checkpointing when enabled). `mask`: bool (B,1,1,T) or nil.
    public func layer(_ index: Int, _ x: Tensor, mask: Tensor?) throws -> Tensor {
        let layer = layers[index]
        if gradientCheckpointing && Autograd.isGradEnabled {
            return try Autograd.checkpoint([x]) { try layer($0[0], mask: mask) }
        }
        return try layer(x, mask: mask)
    }

    public func finalNorm(_ x: Tensor) throws -> Tensor { try layerNorm(x) }

    /// Frame mask (B, frames) → key mask (B, 1, 1, frames/2) for the positions after conv2.
    public func positionMask(frameMask: Tensor) throws -> Tensor {
        let positions = (frameMask.size(1) + 1) / 2
        return try frameMask.slice(dim: 1, start: 0, end: frameMask.size(1), step: 2).slice(dim: 1, start: 0, end: positions)
            .gt(0).unsqueeze(1).unsqueeze(1)
    }

    /// Full encoder. `afterLayer(l, h)` may transform each layer's output (the steering hook);
    /// returns the final layer-normed states and every layer's (hooked) output.
    public func callAsFunction(_ features: Tensor, frameMask: Tensor? = nil,
                               afterLayer: ((Int, Tensor) throws -> Tensor)? = nil) throws
        -> (lastHiddenState: Tensor, layerOutputs: [Tensor])
    {
        let mask = try frameMask.map { try positionMask(frameMask: $0) }
        var h = try embed(features)
        var outputs: [Tensor] = []
        for l in 0..<layers.count {
            h = try layer(l, h, mask: mask)
            if let afterLayer { h = try afterLayer(l, h) }
            outputs.append(h)
        }
        return (try layerNorm(h), outputs)
    }
}
