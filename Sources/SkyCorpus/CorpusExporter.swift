import Foundation

/// Per-split totals of an export.
public struct SplitTotals: Equatable, Sendable {
    public var clips = 0
    public var samples = 0
    public var words = 0
    public init() {}
    public func hours(sampleRate: Int) -> Double { Double(samples) / Double(sampleRate) / 3600 }
}

/// Writes every subtitled line as a 16-bit WAV at the game's 11,025 Hz plus manifest.jsonl.
/// Deterministic (same bytes every run) and resumable: a WAV of the expected size is kept,
/// every file is written to a temporary name and renamed into place.
public struct CorpusExporter: Sendable {
    public static let manifestName = "manifest.jsonl"

    public let game: SkySpeech
    public let normalizer: TextNormalizer
    public let splitter: LineSplitter

    public init(game: SkySpeech, normalizer: TextNormalizer = TextNormalizer(), splitter: LineSplitter = LineSplitter()) {
        self.game = game
        self.normalizer = normalizer
        self.splitter = splitter
    }

    /// Path of a line's WAV relative to the output folder, e.g. "audio/s2/t08233.wav".
    public static func audioPath(for line: SkyLine) -> String {
        let n = String(line.textNumber)
        return "audio/s\(line.section)/t" + String(repeating: "0", count: max(0, 5 - n.count)) + n + ".wav"
    }

    /// Manifest rows in text-number order (reads file headers only, no audio decoding).
    public func manifest() throws -> [(line: SkyLine, row: ManifestLine)] {
        try game.lines().map { line in
            let text = normalizer.normalize(line.textRaw)
            let row = ManifestLine(
                audio: Self.audioPath(for: line), text: text, textRaw: line.textRaw,
                speaker: line.speakerLabel, speakerFromScripts: line.speaker != nil,
                sampleCount: try game.sampleCount(for: line), sampleRate: SkySpeech.sampleRate,
                split: splitter.split(text), textNumber: line.textNumber, section: line.section)
            return (line, row)
        }
    }

    public struct Summary: Sendable {
        public var totals: [CorpusSplit: SplitTotals] = [:]
        public var written = 0
        public var keptExisting = 0
    }

    @discardableResult
    /// `only`: restrict to these text numbers (the manifest then lists just those lines).
    public func export(to folder: URL, only: Set<Int>? = nil,
                       progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let fm = FileManager.default
        let rows = try manifest().filter { only?.contains($0.line.textNumber) ?? true }
        var summary = Summary()
        for (i, (line, row)) in rows.enumerated() {
            let url = folder.appendingPathComponent(row.audio)
            let expectedSize = WAVEncoder.fileSize(sampleCount: row.sampleCount)
            let existingSize = (try? fm.attributesOfItem(atPath: url.path))?[.size] as? Int
            if existingSize == expectedSize {
                summary.keptExisting += 1
            } else {
                let samples = try game.samples(for: line)
                guard samples.count == row.sampleCount else {
                    throw CorpusExportError.sampleCountMismatch(textNumber: line.textNumber,
                                                                header: row.sampleCount, decoded: samples.count)
                }
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Self.writeAtomically(Data(WAVEncoder.pcm16Mono(samples, sampleRate: row.sampleRate)), to: url)
                summary.written += 1
            }
            summary.totals[row.split, default: SplitTotals()].clips += 1
            summary.totals[row.split, default: SplitTotals()].samples += row.sampleCount
            summary.totals[row.split, default: SplitTotals()].words += row.text.split(separator: " ").count
            progress?(i + 1, rows.count)
        }
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifest = rows.map { $0.row.json + "\n" }.joined()
        try Self.writeAtomically(Data(manifest.utf8), to: folder.appendingPathComponent(Self.manifestName))
        return summary
    }

    /// Write to "<name>.partial" next to the target, then rename over it (atomic on POSIX).
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let temp = url.appendingPathExtension("partial")
        try data.write(to: temp)
        guard rename(temp.path, url.path) == 0 else {
            throw CorpusExportError.renameFailed(from: temp.path, to: url.path, errno: errno)
        }
    }
}

public enum CorpusExportError: Error, Equatable, CustomStringConvertible {
    case sampleCountMismatch(textNumber: Int, header: Int, decoded: Int)
    case renameFailed(from: String, to: String, errno: Int32)

    public var description: String {
        switch self {
        case let .sampleCountMismatch(t, h, d): "text \(t): header promises \(h) samples, decoded \(d)"
        case let .renameFailed(f, t, e): "rename \(f) -> \(t) failed (errno \(e))"
        }
    }
}
