import CTorch

extension Tensor {
    public func matmul(_ other: Tensor) throws -> Tensor { try make { ct_matmul(handle, other.handle, $0) } }
    public func bmm(_ other: Tensor) throws -> Tensor { try make { ct_bmm(handle, other.handle, $0) } }
    public func outer(_ other: Tensor) throws -> Tensor { try make { ct_outer(handle, other.handle, $0) } }
    /// `torch.einsum(equation, operands...)`.
    public static func einsum(_ equation: String, _ operands: Tensor...) throws -> Tensor {
        try withHandles(operands) { hs, n in try make { ct_einsum(equation, hs, n, $0) } }
    }
    /// x · weightᵀ + bias, as torch.nn.functional.linear.
    public func linear(_ weight: Tensor, _ bias: Tensor? = nil) throws -> Tensor {
        try withExtendedLifetime(bias) { try make { ct_linear(handle, weight.handle, bias?.handle, $0) } }
    }
}
