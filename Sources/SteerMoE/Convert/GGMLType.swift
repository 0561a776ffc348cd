/// ggml tensor element types that can appear in a GGUF file (`enum ggml_type`), with their block
/// geometry. Only the ones `GGUFDequantizer` decodes are listed; others are rejected by number.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14
    case bf16 = 30

    /// Elements per block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: 256
        }
    }

    /// Bytes per block (ggml's `type_size`).
    public var blockBytes: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q4_0: 18   // f16 d, 16 nibble bytes
        case .q4_1: 20   // f16 d, f16 m, 16
        case .q5_0: 22   // f16 d, u32 high bits, 16
        case .q5_1: 24   // f16 d, f16 m, u32 high bits, 16
        case .q8_0: 34   // f16 d, 32 int8
        case .q2_K: 84   // 16 scales, 64 quants, f16 d, f16 dmin
        case .q3_K: 110  // 32 hmask, 64 quants, 12 scales, f16 d
        case .q4_K: 144  // f16 d, f16 dmin, 12 scales, 128 quants
        case .q5_K: 176  // f16 d, f16 dmin, 12 scales, 32 high bits, 128 quants
        case .q6_K: 210  // 128 low, 64 high, 16 int8 scales, f16 d
        }
    }

    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        }
    }

    /// Bytes that `count` elements occupy; nil when `count` is not a whole number of blocks.
    public func byteCount(elements count: Int) -> Int? {
        count % blockSize == 0 ? count / blockSize * blockBytes : nil
    }
}
