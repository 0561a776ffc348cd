#if canImport(Glibc)
import Glibc
#endif
import CTorch

/// An n-dimensional array on a device, backed by a libtorch tensor.
///
/// Operations return new tensors and never mutate their inputs (methods ending in `_` are the
/// explicit in-place exceptions), so a `Tensor` reads like a value. Every operation `throws`
/// libtorch's own message on misuse (shape mismatch, wrong dtype, ...): a single `try` covers a
/// whole expression, e.g. `let y = try (x.matmul(w) + b).relu()`.
public final class Tensor: @unchecked Sendable {
    /// The owned shim handle. Read it only while this wrapper is provably alive (see withHandles).
    let handle: ct_tensor

    init(owning handle: ct_tensor) { self.handle = handle }
    deinit { ct_tensor_free(handle) }

    // MARK: introspection

    public var rank: Int {
        var d: Int64 = 0
        try! check(ct_dim(handle, &d))
        return Int(d)
    }
    public var shape: [Int] {
        let r = rank
        var s = [Int64](repeating: 0, count: r)
        try! check(ct_sizes(handle, &s, Int64(r)))
        return s.map(Int.init)
    }
    public var strides: [Int] {
        let r = rank
        var s = [Int64](repeating: 0, count: r)
        try! check(ct_strides(handle, &s, Int64(r)))
        return s.map(Int.init)
    }
    public func size(_ dim: Int) -> Int {
        let s = shape
        return s[dim < 0 ? dim + s.count : dim]
    }
    public var count: Int {
        var n: Int64 = 0
        try! check(ct_numel(handle, &n))
        return Int(n)
    }
    public var dtype: DType {
        var d: Int32 = 0
        try! check(ct_dtype(handle, &d))
        guard let t = DType(rawValue: d) else { fatalError("unsupported libtorch scalar type \(d)") }
        return t
    }
    public var device: Device {
        var t: Int32 = 0
        var i: Int32 = 0
        try! check(ct_device(handle, &t, &i))
        return Device(ctType: t, index: i)
    }
    public var isContiguous: Bool {
        var c: Int32 = 0
        try! check(ct_is_contiguous(handle, &c))
        return c != 0
    }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var v: Double = 0
        try check(ct_item_double(handle, &v))
        return v
    }
    public func itemInt() throws -> Int {
        var v: Int64 = 0
        try check(ct_item_int64(handle, &v))
        return Int(v)
    }

    /// All elements, flattened in row-major order, as Swift values (the dtype must match `T`).
    public func toArray<T: TensorElement>(_: T.Type = T.self) throws -> [T] {
        guard dtype == T.dtype else {
            throw TorchError("toArray: tensor is \(dtype), asked for \(T.dtype); convert with to(dtype:) first")
        }
        let n = count
        var out = [T](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        try out.withUnsafeMutableBytes { buf in
            try check(ct_copy_to_buffer(handle, buf.baseAddress, buf.count))
        }
        return out
    }
    /// Convenience: converts to float32 first.
    public func floats() throws -> [Float] { try to(dtype: .float32).toArray(Float.self) }
    public func ints() throws -> [Int] { try to(dtype: .int64).toArray(Int64.self).map(Int.init) }

    /// Copies raw element bytes (contiguous, row-major) into `buffer`.
    public func copyBytes(to buffer: UnsafeMutableRawBufferPointer) throws {
        try check(ct_copy_to_buffer(handle, buffer.baseAddress, buffer.count))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        var s: UnsafeMutablePointer<CChar>? = nil
        guard ct_to_string(handle, &s) == nil, let s else { return "Tensor(<unprintable>)" }
        defer { free(s) }
        return String(cString: s)
    }
}
