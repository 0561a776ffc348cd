import Torch

/// Time pooling of (B, T, d): zero right-pad T to a multiple of k (the zeros take part, as
/// upstream), then average or max over groups of k → (B, ceil(T/k), d).
func poolTime(_ x: Tensor, kernel k: Int, kind: SteerMoEOptions.Pooling) throws -> Tensor {
    guard kind != .none, k > 1 else { return x }
    var t = try x.transpose(1, 2)
    let remainder = t.size(2) % k
    if remainder != 0 { t = try t.pad([0, k - remainder]) }
    let pooled = kind == .avg ? try Functional.avgPool1d(t, kernel: k) : try Functional.maxPool1d(t, kernel: k)
    return try pooled.transpose(1, 2)
}

/// Valid-position mask after pooling: a pooled position is valid when any of its inputs was.
func poolMask(_ mask: Tensor, kernel k: Int, kind: SteerMoEOptions.Pooling) throws -> Tensor {
    guard kind != .none, k > 1 else { return mask }
    var m = try mask.to(dtype: .float32).unsqueeze(1)
    let remainder = m.size(2) % k
    if remainder != 0 { m = try m.pad([0, k - remainder]) }
    return try Functional.maxPool1d(m, kernel: k).squeeze(1).gt(0)
}
