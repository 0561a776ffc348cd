import CTorch

/// An error raised by libtorch (its message, verbatim) or by this library's own checks.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Turns a shim result into a Swift error, freeing the C string.
@inline(__always)
func check(_ err: ct_error?) throws {
    if let err {
        let message = String(cString: err)
        ct_error_free(err)
        throw TorchError(message)
    }
}

/// Calls a shim function that produces one tensor through an out-parameter.
@inline(__always)
func make(_ body: (UnsafeMutablePointer<ct_tensor?>) -> ct_error?) throws -> Tensor {
    var out: ct_tensor? = nil
    try check(body(&out))
    guard let out else { throw TorchError("libtorch returned no tensor") }
    return Tensor(owning: out)
}

/// Calls a shim function that produces two tensors (values, indices).
@inline(__always)
func make2(_ body: (UnsafeMutablePointer<ct_tensor?>, UnsafeMutablePointer<ct_tensor?>) -> ct_error?) throws
    -> (Tensor, Tensor)
{
    var a: ct_tensor? = nil
    var b: ct_tensor? = nil
    try check(body(&a, &b))
    guard let a, let b else { throw TorchError("libtorch returned no tensor") }
    return (Tensor(owning: a), Tensor(owning: b))
}

/// Runs `body` with the raw handles of `tensors`, keeping the wrappers alive meanwhile.
@inline(__always)
func withHandles<R>(_ tensors: [Tensor], _ body: (UnsafePointer<ct_tensor?>, Int64) throws -> R) rethrows -> R {
    let handles: [ct_tensor?] = tensors.map { $0.handle }
    return try withExtendedLifetime(tensors) {
        try handles.withUnsafeBufferPointer { try body($0.baseAddress!, Int64(tensors.count)) }
    }
}
