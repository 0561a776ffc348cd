import CTorch

/// Element types, numbered as c10::ScalarType.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, int16 = 2, int32 = 3, int64 = 4
    case float16 = 5, float32 = 6, float64 = 7
    case complex64 = 9
    case bool = 11
    case bfloat16 = 15

    public var byteSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .int16, .float16, .bfloat16: 2
        case .int32, .float32: 4
        case .int64, .float64, .complex64: 8
        }
    }
    public var isFloatingPoint: Bool { [.float16, .float32, .float64, .bfloat16].contains(self) }
    public var description: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .complex64: "complex64"
        case .bool: "bool"
        case .bfloat16: "bfloat16"
        }
    }
    /// Parses "f32", "float32", "bf16", "bfloat16", "fp16", ...
    public init?(name: String) {
        switch name.lowercased() {
        case "f32", "fp32", "float32", "float": self = .float32
        case "f16", "fp16", "float16", "half": self = .float16
        case "bf16", "bfloat16": self = .bfloat16
        case "f64", "float64", "double": self = .float64
        case "i64", "int64", "long": self = .int64
        case "i32", "int32", "int": self = .int32
        case "bool": self = .bool
        default: return nil
        }
    }
}

/// Where a tensor lives.
public enum Device: Equatable, Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)
    /// Shapes without data (libtorch's meta device): for tests that code paths never rely on the
    /// thread's default device (any tensor made there meets CPU tensors and fails).
    case meta

    var ctType: Int32 {
        switch self {
        case .cpu: Int32(CT_DEVICE_CPU)
        case .cuda: Int32(CT_DEVICE_CUDA)
        case .meta: Int32(CT_DEVICE_META)
        }
    }
    var ctIndex: Int32 { if case .cuda(let i) = self { Int32(i) } else { 0 } }
    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let i): "cuda:\(i)"
        case .meta: "meta"
        }
    }
    /// This thread's default device (torch.set_default_device, but per thread so that data-loader
    /// workers keep building CPU tensors while the training thread builds on the GPU): creation
    /// functions and `Tensor(values)` put new tensors there. `.cpu` until set.
    public static var current: Device {
        get {
            var t: Int32 = 0, i: Int32 = 0
            ct_get_default_device(&t, &i)
            return Device(ctType: t, index: i)
        }
        set { ct_set_default_device(newValue.ctType, newValue.ctIndex) }
    }
    init(ctType t: Int32, index i: Int32) {
        switch t {
        case Int32(CT_DEVICE_CUDA): self = .cuda(Int(i))
        case Int32(CT_DEVICE_META): self = .meta
        default: self = .cpu
        }
    }
    /// Runs `body` with `device` as this thread's default device, restoring the previous one after.
    public static func with<R>(_ device: Device, _ body: () throws -> R) rethrows -> R {
        let previous = current
        current = device
        defer { current = previous }
        return try body()
    }
    /// Parses "cpu", "cuda", "cuda:1".
    public init?(name: String) {
        if name == "cpu" { self = .cpu; return }
        if name == "cuda" { self = .cuda(0); return }
        if name.hasPrefix("cuda:"), let i = Int(name.dropFirst(5)) { self = .cuda(i); return }
        return nil
    }
}
