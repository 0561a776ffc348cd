import Foundation
import SpeechData
import Torch

/// How fast one loader worker turns stored rows into log-mel features, measured on a few real
/// rows: decoding + resampling to 16 kHz, then the log-mel (padded to 30 s as training does, or
/// at the clip's own length). Times are the thread's CPU time, so the rate is what a worker with
/// a core of its own reaches. `steermoe data inspect` prints it to size `workers`.
public struct FeatureThroughput: Sendable, Equatable, CustomStringConvertible {
    /// Rows decoded, and the seconds of 16 kHz audio they held.
    public var rows: Int
    public var audioSeconds: Double
    public var decodeSeconds: Double
    /// Rows with a waveform (precomputed-only rows need no log-mel), and their log-mel time.
    public var featureRows: Int
    public var featureSeconds: Double
    public var paddedToChunk: Bool
    public var threads: Int

    public init(rows: Int, audioSeconds: Double, decodeSeconds: Double, featureRows: Int, featureSeconds: Double,
                paddedToChunk: Bool, threads: Int) {
        self.rows = rows
        self.audioSeconds = audioSeconds
        self.decodeSeconds = decodeSeconds
        self.featureRows = featureRows
        self.featureSeconds = featureSeconds
        self.paddedToChunk = paddedToChunk
        self.threads = threads
    }

    public var decodeSecondsPerRow: Double { rows > 0 ? decodeSeconds / Double(rows) : 0 }
    public var featureSecondsPerRow: Double { featureRows > 0 ? featureSeconds / Double(featureRows) : 0 }

    /// Rows one worker produces per second (decode + features), ignoring chunk reads.
    public var rowsPerSecondPerWorker: Double {
        let perRow = decodeSecondsPerRow + featureSecondsPerRow
        return perRow > 0 ? 1 / perRow : 0
    }

    /// Seconds of audio one worker featurises per second of wall time.
    public var realTimeFactor: Double {
        rows > 0 ? audioSeconds / Double(rows) * rowsPerSecondPerWorker : 0
    }

    public var description: String {
        guard rows > 0 else { return "feature throughput: no rows to time" }
        let threadWord = threads == 1 ? "thread" : "threads"
        return String(format: "feature throughput (%d rows, %.1f s of audio, %d %@, CPU time): decode + resample %.2f ms/row, "
                      + "log-mel%@ %.2f ms/row -> %.1f rows/s per loader worker (%.0fx real time)",
                      rows, audioSeconds, threads, threadWord, decodeSecondsPerRow * 1e3,
                      paddedToChunk ? " (padded to 30 s)" : "", featureSecondsPerRow * 1e3,
                      rowsPerSecondPerWorker, realTimeFactor)
    }

    /// Times up to `rows` kept rows spread evenly over the index. One untimed log-mel call comes
    /// first: the first FFT of a size builds its plan, which a long-running worker pays once.
    public static func measure(index: DatasetIndex, rows: Int = 8, extractor: LogMelExtractor,
                               padToChunk: Bool = true) throws -> FeatureThroughput {
        let count = index.entries.count
        let n = min(rows, count)
        let picks = (0..<n).map { $0 * count / n }
        let (samples, decodeSeconds) = try index.timedSamples(at: picks)
        let waves = samples.map(\.waveform).filter { !$0.isEmpty }
        func features(_ wave: [Float]) throws -> Tensor {
            padToChunk ? try extractor.padded(wave) : try extractor([wave]).features
        }
        if let first = waves.first { _ = try features(first) }
        let start = ThreadClock.nanoseconds()
        for wave in waves { _ = try features(wave) }
        let featureSeconds = Double(ThreadClock.nanoseconds() - start) / 1e9
        return FeatureThroughput(rows: n, audioSeconds: samples.reduce(0) { $0 + $1.duration },
                                 decodeSeconds: decodeSeconds, featureRows: waves.count, featureSeconds: featureSeconds,
                                 paddedToChunk: padToChunk, threads: Torch.numThreads)
    }
}
