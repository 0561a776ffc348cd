/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform and
/// Swift version (the standard library's `shuffle` and `random(in:)` algorithms are not
/// guaranteed to stay the same, so the corpus plan uses this instead).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in 0..<n (n > 0); the modulo bias is below 2^-40 for any n we use.
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Fisher-Yates with this generator.
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, next(below: i + 1))
        }
    }
}

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
