/// Train/dev/test membership of a corpus line.
public enum CorpusSplit: String, Sendable, CaseIterable, Codable {
    case train, dev, test
}

/// Deterministic split by line text: the bucket is a seeded 64-bit hash of the normalised
/// transcript, so every occurrence of the same sentence lands in the same split, on any
/// machine and in any run (Swift's `Hasher` is randomised per process, so it is not used).
public struct LineSplitter: Sendable, Equatable {
    public static let defaultSeed: UInt64 = 0x5EED_0B55
    public let seed: UInt64
    public let devPercent: Int
    public let testPercent: Int

    public init(seed: UInt64 = LineSplitter.defaultSeed, devPercent: Int = 10, testPercent: Int = 10) {
        precondition(devPercent >= 0 && testPercent >= 0 && devPercent + testPercent <= 100)
        self.seed = seed
        self.devPercent = devPercent
        self.testPercent = testPercent
    }

    /// Bucket 0..<100: the first `testPercent` buckets are test, the next `devPercent` dev.
    public func bucket(_ normalizedText: String) -> Int {
        Int(Self.hash(normalizedText, seed: seed) % 100)
    }

    public func split(_ normalizedText: String) -> CorpusSplit {
        let b = bucket(normalizedText)
        if b < testPercent { return .test }
        if b < testPercent + devPercent { return .dev }
        return .train
    }

    /// FNV-1a over the seed's 8 little-endian bytes and the UTF-8 text, finished with the
    /// SplitMix64 mixer so that `% 100` sees well-spread low bits.
    public static func hash(_ text: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for i in 0..<8 { mix(UInt8(truncatingIfNeeded: seed >> (8 * UInt64(i)))) }
        for b in text.utf8 { mix(b) }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
