import Foundation
import Torch

/// What the layers of one forward pass share, computed once per pass: cos/sin of the positions
/// and the attention mask. Gemma's local layers use a second pair (their own RoPE base and a
/// sliding-window mask); nil for models without local layers.
struct LayerInputs {
    var rope: (cos: Tensor, sin: Tensor)
    var mask: AttentionMask
    var local: (rope: (cos: Tensor, sin: Tensor), mask: AttentionMask)?
}

/// One transformer block of a `DecoderLM` stack (Llama-family or Gemma layers).
protocol DecoderBlock: Module {
    func callAsFunction(_ x: Tensor, inputs: LayerInputs, cache: KVCache?, layer: Int) throws -> Tensor
}

extension DecoderLayer: DecoderBlock {
    func callAsFunction(_ x: Tensor, inputs: LayerInputs, cache: KVCache?, layer: Int) throws -> Tensor {
        try self(x, rope: inputs.rope, mask: inputs.mask, cache: cache, layer: layer)
    }
}

extension AttentionMask {
    /// Causal attention limited to the last `window` cache positions: a query at cache index q
    /// sees keys k with q − window < k ≤ q (HF `sliding_window_overlay`, which also counts on
    /// cache indices, left padding included). Padding as in `make`.
    static func sliding(window: Int, keyMask: Tensor?, queryLength t: Int, past: Int, device: Device) throws
        -> AttentionMask
    {
        let total = past + t
        // Every query-key distance is below the window: the plain causal mask is the same.
        if total <= window { return try make(keyMask: keyMask, queryLength: t, past: past, device: device) }
        let query = try Tensor.arange(past, total, device: device).view(t, 1)
        let key = try Tensor.arange(total, device: device).view(1, total)
        var allowed = try key.compare(query, .le).logicalAnd(key.compare(query - window, .gt))
        if let keyMask {
            allowed = try allowed.logicalAnd(keyMask.view(keyMask.size(0), 1, 1, total))
        }
        // As in `make`: a padding query sees at least itself (no all-masked row, no NaN).
        return AttentionMask(mask: try allowed.logicalOr(key.eq(query)), isCausal: false)
    }
}

extension DecoderLM {
    /// cos/sin and masks for one forward pass over T new positions after `past` cached ones.
    func layerInputs(positions: Tensor, maxPosition: Int, keyMask: Tensor?, queryLength t: Int, past: Int,
                     dtype: DType, device: Device) throws -> LayerInputs {
        let rope = try self.rope.cosSin(positions: positions, maxPosition: maxPosition, dtype: dtype)
        let mask = try AttentionMask.make(keyMask: keyMask, queryLength: t, past: past, device: device)
        guard let gemma = config.gemma, let localRope, gemma.slidingLayers.contains(true) else {
            return LayerInputs(rope: rope, mask: mask, local: nil)
        }
        let local = try localRope.cosSin(positions: positions, maxPosition: maxPosition, dtype: dtype)
        let localMask = try AttentionMask.sliding(window: gemma.slidingWindow, keyMask: keyMask, queryLength: t,
                                                  past: past, device: device)
        return LayerInputs(rope: rope, mask: mask, local: (local, localMask))
    }

    /// Gemma multiplies token embeddings by sqrt(hidden), rounded to the weight dtype first
    /// (HF `Gemma3TextScaledWordEmbedding`: sqrt(3072) becomes 55.5 in bfloat16).
    func scaledEmbeddings(_ x: Tensor) throws -> Tensor {
        guard config.gemma != nil else { return x }
        let scale = try Tensor.scalar(Double(config.hiddenSize).squareRoot(), dtype: .float32, device: x.device)
        return try x * scale.to(dtype: x.dtype)
    }

    /// Gemma's optional final-logit softcapping, cap · tanh(logits / cap).
    func softcapped(_ logits: Tensor) throws -> Tensor {
        guard let cap = config.gemma?.finalLogitSoftcapping else { return logits }
        return try (logits / cap).tanh() * cap
    }
}
