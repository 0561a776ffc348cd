import Torch

/// Runs a prefix through the model once, then one token per row at a time against the KV cache.
/// Keeps what a step needs (padding mask, next positions) so nothing is recomputed from the
/// whole history: positions are HF generate's (`cumsum(mask) − 1`), advanced by one per step.
struct IncrementalDecoder {
    let model: DecoderLM
    let cache: KVCache
    /// Bool (B, length), true = real token; nil when no row has padding (then no mask tensor is
    /// built at all and attention runs unmasked / plain causal).
    private(set) var keyMask: Tensor?
    /// Position id of the next token of each row, (B, 1) int64.
    private(set) var nextPositions: Tensor
    private(set) var length: Int
    /// Float32 logits (B, V) for the next token of each row.
    private(set) var logits: Tensor

    /// Runs the prefix `embeds` (B, T, H) with `mask` (B, T) (nil = all real); `logits` are then
    /// those of its last position. `capacity` sizes the cache.
    init(model: DecoderLM, embeds: Tensor, mask: Tensor?, capacity: Int) throws {
        self.model = model
        let (b, t) = (embeds.size(0), embeds.size(1))
        cache = model.makeCache(capacity: capacity)
        var keyMask = try mask.map { try $0.dtype == .bool ? $0 : $0.ne(0) }
        if let m = keyMask, try m.all() { keyMask = nil }
        self.keyMask = keyMask
        length = t
        let device = embeds.device
        let (positions, maxPosition) = try DecoderLM.defaultPositions(keyMask: keyMask, batch: b, queryLength: t, past: 0,
                                                                      device: device)
        // The next position is the number of real tokens so far (cumsum − 1 of the next column).
        nextPositions = try keyMask.map { try $0.to(dtype: .int64).sum([1], keepDim: true) }
            ?? Tensor.full([b, 1], t, dtype: .int64, device: device)
        let hidden = try model.forward(embeds, keyMask: keyMask, positions: positions, maxPosition: maxPosition, cache: cache)
        logits = try Self.lastLogits(model, hidden)
    }

    /// Feeds one token per row (B, 1) int64; `logits` then predict the token after it.
    mutating func step(_ tokens: Tensor) throws {
        if let m = keyMask {
            keyMask = try Tensor.cat([m, Tensor.ones([m.size(0), 1], dtype: .bool, device: m.device)], dim: 1)
        }
        let hidden = try model.forward(model.embed(tokens.to(model.device)), keyMask: keyMask, positions: nextPositions,
                                       maxPosition: length, cache: cache)
        length += 1
        nextPositions = try nextPositions + 1
        logits = try Self.lastLogits(model, hidden)
    }

    /// Beam search's start: each row continues as `copies` consecutive rows (its beams). Running
    /// the prefix once per row and copying its cache costs 1/copies of running it on every beam.
    mutating func repeatRows(_ copies: Int) throws {
        guard copies > 1 else { return }
        try reorder(Tensor((0..<logits.size(0)).flatMap { [Int64](repeating: Int64($0), count: copies) }))
    }

    /// Beam search: row i continues from row `indices[i]` (fewer indices than rows drop rows).
    mutating func reorder(_ indices: Tensor) throws {
        let indices = try indices.to(model.device)
        try cache.reorder(beamIndices: indices)
        keyMask = try keyMask?.indexSelect(dim: 0, index: indices)
        nextPositions = try nextPositions.indexSelect(dim: 0, index: indices)
        logits = try logits.indexSelect(dim: 0, index: indices)
    }

    /// The LM head on the last position only (the others are never needed while decoding).
    private static func lastLogits(_ model: DecoderLM, _ hidden: Tensor) throws -> Tensor {
        let logits = try model.decodeLogits(hidden.select(dim: 1, index: hidden.size(1) - 1))
        return logits.dtype == .float32 ? logits : try logits.to(dtype: .float32)
    }
}
