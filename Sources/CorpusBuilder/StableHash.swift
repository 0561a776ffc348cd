/// FNV-1a 64 over strings, for seeds and shard fingerprints that must not change between
/// processes (Swift's `Hasher` is randomised per process).
struct StableHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ text: String) {
        for b in text.utf8 { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = (value ^ 0xFF) &* 0x0000_0100_0000_01B3  // field separator: "ab","c" != "a","bc"
    }

    mutating func add(_ number: UInt64) { add(String(number)) }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func of(_ parts: String...) -> UInt64 {
        var h = StableHash()
        for p in parts { h.add(p) }
        return h.value
    }
}
