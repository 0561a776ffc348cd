import CTorch

// Shapes, views, indexing and joining. Negative dims count from the end, as in PyTorch.
extension Tensor {
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { ct_reshape(handle, s, Int64(s.count), $0) }
    }
    public func reshape(_ shape: Int...) throws -> Tensor { try reshape(shape) }
    /// A view with a new shape (no copy; fails when the strides don't allow it).
    public func view(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { ct_view(handle, s, Int64(s.count), $0) }
    }
    public func view(_ shape: Int...) throws -> Tensor { try view(shape) }
    public func permute(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_permute(handle, d, Int64(d.count), $0) }
    }
    public func permute(_ dims: Int...) throws -> Tensor { try permute(dims) }
    public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor { try make { ct_transpose(handle, Int64(d0), Int64(d1), $0) } }
    public func expand(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { ct_expand(handle, s, Int64(s.count), $0) }
    }
    public func repeated(_ repeats: [Int]) throws -> Tensor {
        let r = repeats.map(Int64.init)
        return try make { ct_repeat(handle, r, Int64(r.count), $0) }
    }
    public func repeatInterleave(_ repeats: Int, dim: Int) throws -> Tensor {
        try make { ct_repeat_interleave(handle, Int64(repeats), Int64(dim), $0) }
    }
    public func squeeze(_ dim: Int) throws -> Tensor { try make { ct_squeeze(handle, Int64(dim), $0) } }
    public func unsqueeze(_ dim: Int) throws -> Tensor { try make { ct_unsqueeze(handle, Int64(dim), $0) } }
    public func flatten(_ start: Int = 0, _ end: Int = -1) throws -> Tensor {
        try make { ct_flatten(handle, Int64(start), Int64(end), $0) }
    }
    public func flip(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_flip(handle, d, Int64(d.count), $0) }
    }

    /// Elements start..<end (clamped, as Python slicing) with `step` along `dim`; a view.
    public func slice(dim: Int, start: Int = 0, end: Int = Int.max, step: Int = 1) throws -> Tensor {
        try make { ct_slice(handle, Int64(dim), Int64(start), Int64(end == Int.max ? Int64.max : Int64(end)), Int64(step), $0) }
    }
    public func slice(dim: Int, _ range: Range<Int>) throws -> Tensor { try slice(dim: dim, start: range.lowerBound, end: range.upperBound) }
    /// The sub-tensor at `index` along `dim`, with that dim removed.
    public func select(dim: Int, index: Int) throws -> Tensor { try make { ct_select(handle, Int64(dim), Int64(index), $0) } }
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try make { ct_index_select(handle, Int64(dim), index.handle, $0) }
    }
    /// `self[index]`: rows picked by an integer tensor or a boolean mask.
    public func index(_ index: Tensor) throws -> Tensor { try make { ct_index(handle, index.handle, $0) } }
    public func indexPut_(_ index: Tensor, _ values: Tensor) throws { try check(ct_index_put_(handle, index.handle, values.handle)) }
    public func gather(dim: Int, index: Tensor) throws -> Tensor { try make { ct_gather(handle, Int64(dim), index.handle, $0) } }
    public func scatter(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try make { ct_scatter(handle, Int64(dim), index.handle, source.handle, $0) }
    }
    public func nonzero() throws -> Tensor { try make { ct_nonzero(handle, $0) } }
    public func chunked(_ chunks: Int, dim: Int) throws -> [Tensor] {
        let n = size(dim)
        let step = (n + chunks - 1) / chunks
        return try stride(from: 0, to: n, by: step).map { try slice(dim: dim, start: $0, end: Swift.min($0 + step, n)) }
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        try withHandles(tensors) { hs, n in try make { ct_cat(hs, n, Int64(dim), $0) } }
    }
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        try withHandles(tensors) { hs, n in try make { ct_stack(hs, n, Int64(dim), $0) } }
    }

    public enum PadMode: Int32 { case constant = 0, reflect = 1, replicate = 2 }
    /// torch.nn.functional.pad: `pads` pairs start with the last dimension (left, right, ...).
    public func pad(_ pads: [Int], mode: PadMode = .constant, value: Double = 0) throws -> Tensor {
        let p = pads.map(Int64.init)
        return try make { ct_pad(handle, p, Int64(p.count), mode.rawValue, value, $0) }
    }
}
