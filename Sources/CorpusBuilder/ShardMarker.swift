import Foundation

/// Totals of a finished shard, stored in its done-marker so a rerun can skip the shard and
/// still write the dataset card without reading audio.
public struct ShardTotals: Sendable, Equatable {
    public var clips = 0
    /// Samples at 16 kHz.
    public var samples = 0
    public var words = 0

    public init(clips: Int = 0, samples: Int = 0, words: Int = 0) {
        self.clips = clips
        self.samples = samples
        self.words = words
    }

    public var hours: Double { Double(samples) / 16_000 / 3600 }

    public static func + (a: ShardTotals, b: ShardTotals) -> ShardTotals {
        ShardTotals(clips: a.clips + b.clips, samples: a.samples + b.samples, words: a.words + b.words)
    }
}

/// The done-marker `.<shard>.done`: one JSON line with the shard's fingerprint and totals,
/// written (temp + rename) only after the parquet file is in place.
struct ShardMarker: Equatable {
    let fingerprint: String
    let totals: ShardTotals

    var line: String {
        "{\"fingerprint\": \"\(fingerprint)\", \"clips\": \(totals.clips), \"samples_16k\": \(totals.samples), "
            + "\"words\": \(totals.words)}\n"
    }

    static func read(_ url: URL) -> ShardMarker? {
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let fingerprint = object["fingerprint"] as? String,
              let clips = object["clips"] as? Int, let samples = object["samples_16k"] as? Int,
              let words = object["words"] as? Int else { return nil }
        return ShardMarker(fingerprint: fingerprint, totals: ShardTotals(clips: clips, samples: samples, words: words))
    }

    func write(to url: URL) throws {
        try AtomicFile.write(Data(line.utf8), to: url)
    }
}

enum AtomicFile {
    /// Writes next to the target under a hidden temporary name, then renames onto it.
    static func write(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try data.write(to: temp)
        guard rename(temp.path, url.path) == 0 else {
            throw CorpusBuildError.fileSystem(path: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
    }
}
