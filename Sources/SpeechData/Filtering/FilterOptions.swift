/// Which rows enter training.
public struct FilterOptions: Sendable {
    /// Keep audio with 0 < duration <= maxAudioLength seconds.
    public var maxAudioLength: Double
    /// With a `textLength` closure (e.g. token count), keep textLength(text) < maxTextLength.
    public var maxTextLength: Int?
    /// Decode every row fully while indexing (catches NaN samples and corruption past the header;
    /// costs one decode pass). Without it only headers are read and late failures are skipped by
    /// the loader, which then yields a smaller batch.
    public var verifyAudio: Bool

    public init(maxAudioLength: Double = 30, maxTextLength: Int? = nil, verifyAudio: Bool = true) {
        self.maxAudioLength = maxAudioLength
        self.maxTextLength = maxTextLength
        self.verifyAudio = verifyAudio
    }
}

/// Rows kept and skipped, by reason.
public struct FilterCounts: Sendable, Equatable, CustomStringConvertible {
    public var kept = 0
    public var skipped: [SkipReason: Int] = [:]

    public var total: Int { kept + skipped.values.reduce(0, +) }
    public subscript(reason: SkipReason) -> Int { skipped[reason] ?? 0 }

    mutating func add(_ reason: SkipReason) { skipped[reason, default: 0] += 1 }

    /// "kept 120 / 125 rows; too_long 2, undecodable 3"
    public var description: String {
        let parts = SkipReason.allCases.compactMap { reason in skipped[reason].map { "\(reason.rawValue) \($0)" } }
        return "kept \(kept) / \(total) rows" + (parts.isEmpty ? "" : "; " + parts.joined(separator: ", "))
    }
}
