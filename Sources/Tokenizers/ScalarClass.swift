/// The character classes the GPT-2 / Qwen / Llama-3 split patterns are written in:
/// \p{L}, \p{N}, \s (Unicode White_Space), and everything else.
enum ScalarClass: UInt8 {
    case letter, number, whitespace, other

    init(scalar value: UInt32) {
        if value < 0x10000 {
            self = ScalarClass(rawValue: ScalarClass.bmpTable[Int(value)])!
        } else {
            self = ScalarClass.compute(value)
        }
    }

    /// Class of every Basic Multilingual Plane scalar, computed once: the property
    /// lookups are too slow to repeat per character of a multi-megabyte corpus.
    private static let bmpTable: [UInt8] = (0..<0x10000).map { compute(UInt32($0)).rawValue }

    private static func compute(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }  // surrogates
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

/// A UTF-8 buffer decoded to scalar values with the byte offset of each, so pattern
/// matchers can work per character and hand back byte ranges.
struct DecodedScalars {
    var values: [UInt32] = []
    var classes: [ScalarClass] = []
    /// offsets[i] is the byte offset of scalar i; offsets[count] is the end.
    var offsets: [Int] = []

    var count: Int { values.count }

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        values.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        var i = range.lowerBound
        while i < range.upperBound {
            let (value, length) = DecodedScalars.decodeScalar(bytes, at: i, end: range.upperBound)
            values.append(value)
            classes.append(ScalarClass(scalar: value))
            offsets.append(i)
            i += length
        }
        offsets.append(range.upperBound)
    }

    /// Decodes one scalar of valid UTF-8 (Swift strings are always valid UTF-8).
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[i])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0, i + 1 < end {
            return (((lead & 0x1F) << 6) | (UInt32(bytes[i + 1]) & 0x3F), 2)
        }
        if lead < 0xF0, i + 2 < end {
            return (((lead & 0x0F) << 12) | ((UInt32(bytes[i + 1]) & 0x3F) << 6) | (UInt32(bytes[i + 2]) & 0x3F), 3)
        }
        if i + 3 < end {
            return (((lead & 0x07) << 18) | ((UInt32(bytes[i + 1]) & 0x3F) << 12)
                    | ((UInt32(bytes[i + 2]) & 0x3F) << 6) | (UInt32(bytes[i + 3]) & 0x3F), 4)
        }
        return (0xFFFD, 1)
    }
}
