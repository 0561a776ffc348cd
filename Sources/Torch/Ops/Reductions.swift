import CTorch

extension Tensor {
    /// Sum over `dims` (all when empty); `dtype` accumulates in another type.
    public func sum(_ dims: [Int] = [], keepDim: Bool = false, dtype: DType? = nil) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_sum(handle, d, Int64(d.count), keepDim ? 1 : 0, dtype?.rawValue ?? -1, $0) }
    }
    public func sum(dim: Int, keepDim: Bool = false) throws -> Tensor { try sum([dim], keepDim: keepDim) }
    public func mean(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_mean(handle, d, Int64(d.count), keepDim ? 1 : 0, $0) }
    }
    public func mean(dim: Int, keepDim: Bool = false) throws -> Tensor { try mean([dim], keepDim: keepDim) }
    /// Maximum over `dims` (all when empty).
    public func amax(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_amax(handle, d, Int64(d.count), keepDim ? 1 : 0, $0) }
    }
    public func amin(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_amin(handle, d, Int64(d.count), keepDim ? 1 : 0, $0) }
    }
    /// Variance with Bessel's correction by default (`correction: 1`), as torch.var.
    public func variance(_ dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_var(handle, d, Int64(d.count), Int64(correction), keepDim ? 1 : 0, $0) }
    }
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try make2 { ct_max_dim(handle, Int64(dim), keepDim ? 1 : 0, $0, $1) }
    }
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try make2 { ct_min_dim(handle, Int64(dim), keepDim ? 1 : 0, $0, $1) }
    }
    public func argmax(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try make { ct_argmax(handle, Int64(dim), keepDim ? 1 : 0, $0) }
    }
    public func logsumexp(_ dims: [Int], keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_logsumexp(handle, d, Int64(d.count), keepDim ? 1 : 0, $0) }
    }
    public func cumsum(dim: Int) throws -> Tensor { try make { ct_cumsum(handle, Int64(dim), $0) } }
    /// p-norm over `dims` (all when empty).
    public func norm(_ p: Double = 2, dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try make { ct_norm(handle, p, d, Int64(d.count), keepDim ? 1 : 0, $0) }
    }
    public func all() throws -> Bool { try make { ct_all(handle, $0) }.item() != 0 }
    public func any() throws -> Bool { try make { ct_any(handle, $0) }.item() != 0 }
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws
        -> (values: Tensor, indices: Tensor)
    {
        try make2 { ct_topk(handle, Int64(k), Int64(dim), largest ? 1 : 0, sorted ? 1 : 0, $0, $1) }
    }
    /// Stable sort along `dim`.
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try make2 { ct_sort(handle, Int64(dim), descending ? 1 : 0, $0, $1) }
    }
    public func softmax(dim: Int) throws -> Tensor { try make { ct_softmax(handle, Int64(dim), $0) } }
    public func logSoftmax(dim: Int) throws -> Tensor { try make { ct_log_softmax(handle, Int64(dim), $0) } }
}
