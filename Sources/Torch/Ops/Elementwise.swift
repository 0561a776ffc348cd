import CTorch

// Elementwise arithmetic, comparisons and activations. Broadcasting and type promotion follow
// PyTorch: `intTensor + 1` stays int64, `intTensor * 0.5` becomes float.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try make { ct_add(a.handle, b.handle, $0) } }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try make { ct_sub(a.handle, b.handle, $0) } }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try make { ct_mul(a.handle, b.handle, $0) } }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try make { ct_div(a.handle, b.handle, $0) } }
    public static func + (a: Tensor, s: some TensorScalar) throws -> Tensor { try make { ct_add_scalar(a.handle, s.ctScalar, $0) } }
    public static func - (a: Tensor, s: some TensorScalar) throws -> Tensor { try make { ct_sub_scalar(a.handle, s.ctScalar, $0) } }
    public static func * (a: Tensor, s: some TensorScalar) throws -> Tensor { try make { ct_mul_scalar(a.handle, s.ctScalar, $0) } }
    public static func / (a: Tensor, s: some TensorScalar) throws -> Tensor { try make { ct_div_scalar(a.handle, s.ctScalar, $0) } }
    public static func + (s: some TensorScalar, a: Tensor) throws -> Tensor { try make { ct_add_scalar(a.handle, s.ctScalar, $0) } }
    public static func - (s: some TensorScalar, a: Tensor) throws -> Tensor { try make { ct_rsub_scalar(a.handle, s.ctScalar, $0) } }
    public static func * (s: some TensorScalar, a: Tensor) throws -> Tensor { try make { ct_mul_scalar(a.handle, s.ctScalar, $0) } }
    public static prefix func - (a: Tensor) throws -> Tensor { try make { ct_neg(a.handle, $0) } }

    public func pow(_ exponent: Tensor) throws -> Tensor { try make { ct_pow(handle, exponent.handle, $0) } }
    public func pow(_ exponent: some TensorScalar) throws -> Tensor { try make { ct_pow_scalar(handle, exponent.ctScalar, $0) } }
    public func remainder(_ s: some TensorScalar) throws -> Tensor { try make { ct_remainder_scalar(handle, s.ctScalar, $0) } }
    public func floorDivide(_ s: some TensorScalar) throws -> Tensor { try make { ct_floor_divide_scalar(handle, s.ctScalar, $0) } }
    public func maximum(_ other: Tensor) throws -> Tensor { try make { ct_maximum(handle, other.handle, $0) } }
    public func minimum(_ other: Tensor) throws -> Tensor { try make { ct_minimum(handle, other.handle, $0) } }

    public func abs() throws -> Tensor { try make { ct_abs(handle, $0) } }
    public func exp() throws -> Tensor { try make { ct_exp(handle, $0) } }
    public func log() throws -> Tensor { try make { ct_log(handle, $0) } }
    public func log10() throws -> Tensor { try make { ct_log10(handle, $0) } }
    public func sqrt() throws -> Tensor { try make { ct_sqrt(handle, $0) } }
    public func rsqrt() throws -> Tensor { try make { ct_rsqrt(handle, $0) } }
    public func sin() throws -> Tensor { try make { ct_sin(handle, $0) } }
    public func cos() throws -> Tensor { try make { ct_cos(handle, $0) } }
    public func tanh() throws -> Tensor { try make { ct_tanh(handle, $0) } }
    public func sigmoid() throws -> Tensor { try make { ct_sigmoid(handle, $0) } }
    public func relu() throws -> Tensor { try make { ct_relu(handle, $0) } }
    public func silu() throws -> Tensor { try make { ct_silu(handle, $0) } }
    /// GELU; `approximate: true` is the tanh form ("gelu_new" / "gelu_pytorch_tanh").
    public func gelu(approximate: Bool = false) throws -> Tensor { try make { ct_gelu(handle, approximate ? 1 : 0, $0) } }
    public func square() throws -> Tensor { try make { ct_square(handle, $0) } }
    public func reciprocal() throws -> Tensor { try make { ct_reciprocal(handle, $0) } }
    public func floor() throws -> Tensor { try make { ct_floor(handle, $0) } }
    public func round() throws -> Tensor { try make { ct_round(handle, $0) } }
    public func sign() throws -> Tensor { try make { ct_sign(handle, $0) } }
    public func logicalNot() throws -> Tensor { try make { ct_logical_not(handle, $0) } }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try make { ct_logical_and(handle, other.handle, $0) } }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try make { ct_logical_or(handle, other.handle, $0) } }
    public func isFinite() throws -> Tensor { try make { ct_isfinite(handle, $0) } }
    public func isNaN() throws -> Tensor { try make { ct_isnan(handle, $0) } }
    /// Clamps to [min, max]; a nil bound is not applied.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try make {
            ct_clamp(handle, min == nil ? 0 : 1, (min ?? 0).ctScalar, max == nil ? 0 : 1, (max ?? 0).ctScalar, $0)
        }
    }

    // MARK: comparisons (results are bool tensors)
    public enum Comparison: Int32 { case eq = 0, ne, lt, le, gt, ge }
    public func compare(_ other: Tensor, _ op: Comparison) throws -> Tensor {
        try make { ct_compare(handle, other.handle, op.rawValue, $0) }
    }
    public func compare(_ s: some TensorScalar, _ op: Comparison) throws -> Tensor {
        try make { ct_compare_scalar(handle, s.ctScalar, op.rawValue, $0) }
    }
    public func eq(_ other: Tensor) throws -> Tensor { try compare(other, .eq) }
    public func eq(_ s: some TensorScalar) throws -> Tensor { try compare(s, .eq) }
    public func ne(_ s: some TensorScalar) throws -> Tensor { try compare(s, .ne) }
    public func lt(_ s: some TensorScalar) throws -> Tensor { try compare(s, .lt) }
    public func gt(_ s: some TensorScalar) throws -> Tensor { try compare(s, .gt) }
    public func le(_ s: some TensorScalar) throws -> Tensor { try compare(s, .le) }
    public func ge(_ s: some TensorScalar) throws -> Tensor { try compare(s, .ge) }

    /// Elements of `a` where `condition` is true, else of `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try make { ct_where(condition.handle, a.handle, b.handle, $0) }
    }
    public func maskedFill(_ mask: Tensor, _ value: some TensorScalar) throws -> Tensor {
        try make { ct_masked_fill(handle, mask.handle, value.ctScalar, $0) }
    }
    public func triu(_ diagonal: Int = 0) throws -> Tensor { try make { ct_triu(handle, Int64(diagonal), $0) } }
    public func tril(_ diagonal: Int = 0) throws -> Tensor { try make { ct_tril(handle, Int64(diagonal), $0) } }

    // MARK: in place (used by optimisers and buffers; not recorded for leaves that need grad)
    public func add_(_ other: Tensor, alpha: some TensorScalar = 1) throws { try check(ct_add_(handle, other.handle, alpha.ctScalar)) }
    public func mul_(_ s: some TensorScalar) throws { try check(ct_mul_scalar_(handle, s.ctScalar)) }
    public func zero_() throws { try check(ct_zero_(handle)) }
    public func fill_(_ value: some TensorScalar) throws { try check(ct_fill_(handle, value.ctScalar)) }
    public func normal_(mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws {
        try withExtendedLifetime(generator) { try check(ct_normal_(handle, mean, std, generator?.handle)) }
    }
    public func uniform_(_ low: Double, _ high: Double, generator: Generator? = nil) throws {
        try withExtendedLifetime(generator) { try check(ct_uniform_(handle, low, high, generator?.handle)) }
    }
}
