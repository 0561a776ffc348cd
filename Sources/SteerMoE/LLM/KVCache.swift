import Torch

/// Keys and values of every layer for the positions already processed, so a decode step only
/// runs the new token(s) through the model.
///
/// Storage is preallocated per layer as (B, kvHeads, capacity, headDim) and filled in place;
/// attention reads a view of the first `length` positions. Appending is therefore a copy of the
/// new positions only (no re-concatenation of the whole history each step); when capacity runs
/// out it doubles. `length` advances once per forward pass, after every layer has appended.
public final class KVCache {
    private var keys: [Tensor?]
    private var values: [Tensor?]
    private var capacity = 0
    /// Positions stored (equal for all layers between forward passes).
    public private(set) var length = 0
    private let initialCapacity: Int

    /// `capacity`: positions to reserve up front (e.g. prompt + max new tokens); it grows anyway.
    public init(layers: Int, capacity: Int = 256) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
        initialCapacity = Swift.max(capacity, 1)
    }

    public var layerCount: Int { keys.count }
    /// Batch size of the stored keys (nil before the first forward pass).
    public var batchSize: Int? { keys.first??.size(0) }

    /// Writes `k`, `v` (B, kvHeads, T, headDim) of `layer` after the stored positions and returns
    /// keys and values of all `length + T` positions.
    func update(layer: Int, keys k: Tensor, values v: Tensor) throws -> (keys: Tensor, values: Tensor) {
        let newLength = length + k.size(2)
        if keys[layer] == nil || newLength > keys[layer]!.size(2) {
            try reserve(layer: layer, like: k, positions: Swift.max(newLength, capacity, initialCapacity))
        }
        let kBuffer = keys[layer]!, vBuffer = values[layer]!
        try kBuffer.slice(dim: 2, length..<newLength).copy_(k)
        try vBuffer.slice(dim: 2, length..<newLength).copy_(v)
        return (try kBuffer.slice(dim: 2, 0..<newLength), try vBuffer.slice(dim: 2, 0..<newLength))
    }

    /// Called by the model after all layers appended `count` positions.
    func advance(by count: Int) { length += count }

    /// (Re)allocates a layer's buffers to hold at least `positions` (doubling), keeping content.
    private func reserve(layer: Int, like k: Tensor, positions: Int) throws {
        var size = Swift.max(capacity, initialCapacity)
        while size < positions { size *= 2 }
        capacity = size
        var shape = k.shape
        shape[2] = size
        for buffers in [\KVCache.keys, \KVCache.values] as [ReferenceWritableKeyPath<KVCache, [Tensor?]>] {
            let fresh = try Tensor.zeros(shape, dtype: k.dtype, device: k.device)
            if let old = self[keyPath: buffers][layer], length > 0 {
                try fresh.slice(dim: 2, 0..<length).copy_(old.slice(dim: 2, 0..<length))
            }
            self[keyPath: buffers][layer] = fresh
        }
    }

    /// Beam search: row i of the new cache is row `beamIndices[i]` of the old one.
    public func reorder(beamIndices: Tensor) throws {
        for i in keys.indices {
            keys[i] = try keys[i]?.indexSelect(dim: 0, index: beamIndices)
            values[i] = try values[i]?.indexSelect(dim: 0, index: beamIndices)
        }
    }
}
