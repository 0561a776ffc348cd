import Foundation

/// One GGUF metadata value (spec: ggml/docs/gguf.md, `gguf_metadata_value_type`).
/// Integers keep their signedness apart only where it matters to callers: all widths read as
/// `Int` / `UInt64`, floats as `Double`, so config writers need not care about the stored width.
public indirect enum GGUFValue: Sendable, Equatable {
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    public var int: Int? {
        switch self {
        case .int(let v): Int(v)
        case .uint(let v): v <= UInt64(Int.max) ? Int(v) : nil
        default: nil
        }
    }
    public var double: Double? {
        switch self {
        case .float(let v): v
        case .int, .uint: int.map(Double.init)
        default: nil
        }
    }
    public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var string: String? { if case .string(let v) = self { v } else { nil } }
    public var array: [GGUFValue]? { if case .array(let v) = self { v } else { nil } }
    public var strings: [String]? { array?.compactMap(\.string) }
    public var ints: [Int]? { array?.compactMap(\.int) }
    public var doubles: [Double]? { array?.compactMap(\.double) }
}

/// Value type codes of the file format.
enum GGUFValueType: UInt32 {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12
}
