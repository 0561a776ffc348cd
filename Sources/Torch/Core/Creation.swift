import CTorch

extension Tensor {
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .current) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { out in ct_empty(s, Int64(s.count), dtype.rawValue, device.ctType, device.ctIndex, out) }
    }
    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .current) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { out in ct_zeros(s, Int64(s.count), dtype.rawValue, device.ctType, device.ctIndex, out) }
    }
    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .current) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { out in ct_ones(s, Int64(s.count), dtype.rawValue, device.ctType, device.ctIndex, out) }
    }
    public static func full(_ shape: [Int], _ value: some TensorScalar, dtype: DType = .float32,
                            device: Device = .current) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try make { out in
            ct_full(s, Int64(s.count), value.ctScalar, dtype.rawValue, device.ctType, device.ctIndex, out)
        }
    }
    /// Values start, start+step, ... < end.
    public static func arange(_ start: some TensorScalar, _ end: some TensorScalar, step: some TensorScalar = 1,
                              dtype: DType = .int64, device: Device = .current) throws -> Tensor {
        try make { out in
            ct_arange(start.ctScalar, end.ctScalar, step.ctScalar, dtype.rawValue, device.ctType, device.ctIndex, out)
        }
    }
    public static func arange(_ end: Int, dtype: DType = .int64, device: Device = .current) throws -> Tensor {
        try arange(0, end, step: 1, dtype: dtype, device: device)
    }
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32,
                                device: Device = .current) throws -> Tensor {
        try make { ct_linspace(start, end, Int64(steps), dtype.rawValue, device.ctType, device.ctIndex, $0) }
    }
    /// Standard normal samples; pass a `Generator` for reproducible streams. Without `device` they
    /// go to the generator's device, else to `Device.current`.
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device? = nil,
                             generator: Generator? = nil) throws -> Tensor {
        let device = device ?? generator?.device ?? .current
        let s = shape.map(Int64.init)
        return try withExtendedLifetime(generator) {
            try make { ct_randn(s, Int64(s.count), dtype.rawValue, device.ctType, device.ctIndex, generator?.handle, $0) }
        }
    }
    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device? = nil,
                            generator: Generator? = nil) throws -> Tensor {
        let device = device ?? generator?.device ?? .current
        let s = shape.map(Int64.init)
        return try withExtendedLifetime(generator) {
            try make { ct_rand(s, Int64(s.count), dtype.rawValue, device.ctType, device.ctIndex, generator?.handle, $0) }
        }
    }
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], device: Device? = nil,
                               generator: Generator? = nil) throws -> Tensor {
        let device = device ?? generator?.device ?? .current
        let s = shape.map(Int64.init)
        return try withExtendedLifetime(generator) {
            try make { ct_randint(Int64(low), Int64(high), s, Int64(s.count), device.ctType, device.ctIndex, generator?.handle, $0) }
        }
    }
    public static func randperm(_ n: Int, generator: Generator? = nil) throws -> Tensor {
        try withExtendedLifetime(generator) { try make { ct_randperm(Int64(n), generator?.handle, $0) } }
    }

    /// A tensor on this thread's default device (`Device.current`) holding a copy of `values`, reshaped to `shape` (default: 1-D).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) throws {
        let shape = shape ?? [values.count]
        guard shape.reduce(1, *) == values.count else {
            throw TorchError("Tensor(values, shape: \(shape)): \(values.count) values do not fill that shape")
        }
        let s = shape.map(Int64.init)
        var out: ct_tensor? = nil
        try values.withUnsafeBytes { buf in
            try check(ct_from_buffer(buf.baseAddress, s, Int64(s.count), T.dtype.rawValue, &out))
        }
        self.init(owning: out!)
    }
    /// A 2-D tensor from rows of equal length.
    public convenience init<T: TensorElement>(rows: [[T]]) throws {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else { throw TorchError("Tensor(rows:): rows differ in length") }
        try self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }
    /// A 0-dimensional tensor.
    public static func scalar(_ value: some TensorScalar, dtype: DType = .float32, device: Device = .current) throws -> Tensor {
        try make { ct_scalar_tensor(value.ctScalar, dtype.rawValue, device.ctType, device.ctIndex, $0) }
    }
    /// Copies raw little-endian bytes of `dtype` into a new tensor on `Device.current`.
    public static func fromBytes(_ bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> Tensor {
        let need = shape.reduce(1, *) * dtype.byteSize
        guard bytes.count == need else {
            throw TorchError("fromBytes: \(bytes.count) bytes for shape \(shape) of \(dtype) (needs \(need))")
        }
        let s = shape.map(Int64.init)
        return try make { ct_from_buffer(bytes.baseAddress, s, Int64(s.count), dtype.rawValue, $0) }
    }
    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .current) throws -> Tensor {
        try make { ct_eye(Int64(n), dtype.rawValue, $0) }.to(device: device)
    }
    public static func hannWindow(_ length: Int, periodic: Bool = true, dtype: DType = .float32,
                                  device: Device = .current) throws -> Tensor {
        try make { ct_hann_window(Int64(length), periodic ? 1 : 0, dtype.rawValue, $0) }.to(device: device)
    }
    public func zerosLike() throws -> Tensor { try make { ct_zeros_like(handle, $0) } }
    public func onesLike() throws -> Tensor { try make { ct_ones_like(handle, $0) } }
    public func fullLike(_ value: some TensorScalar) throws -> Tensor { try make { ct_full_like(handle, value.ctScalar, $0) } }

    // MARK: conversion

    public func to(device: Device? = nil, dtype: DType? = nil, nonBlocking: Bool = false) throws -> Tensor {
        let d = device ?? self.device
        let t = dtype ?? self.dtype
        return try make { ct_to(handle, d.ctType, d.ctIndex, t.rawValue, nonBlocking ? 1 : 0, $0) }
    }
    public func to(dtype: DType) throws -> Tensor { try make { ct_to_dtype(handle, dtype.rawValue, $0) } }
    public func to(_ device: Device) throws -> Tensor { try to(device: device, dtype: nil) }
    public func clone() throws -> Tensor { try make { ct_clone(handle, $0) } }
    public func contiguous() throws -> Tensor { try make { ct_contiguous(handle, $0) } }
    /// A second handle to the same storage and autograd identity (cheap).
    public func alias() throws -> Tensor { try make { ct_shallow_clone(handle, $0) } }
    /// Copies `source` into this tensor's storage (in place, broadcasting).
    public func copy_(_ source: Tensor) throws { try check(ct_copy_(handle, source.handle)) }
}
