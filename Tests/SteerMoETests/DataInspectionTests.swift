import Foundation
import SpeechData
import XCTest
@testable import SteerMoE

/// `steermoe data inspect`'s library side: the throughput line's arithmetic and wording, and a
/// run over a shard written here (FLAC at 22.05 kHz, so decoding resamples).
final class DataInspectionTests: XCTestCase {
    func testThroughputLineDerivesRatesFromTimes() {
        let t = FeatureThroughput(rows: 4, audioSeconds: 20, decodeSeconds: 0.008, featureRows: 4, featureSeconds: 0.004,
                                  paddedToChunk: true, threads: 1)
        XCTAssertEqual(t.decodeSecondsPerRow, 0.002, accuracy: 1e-12)
        XCTAssertEqual(t.featureSecondsPerRow, 0.001, accuracy: 1e-12)
        XCTAssertEqual(t.rowsPerSecondPerWorker, 1000.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(t.realTimeFactor, 5 * 1000.0 / 3, accuracy: 1e-9)  // 5 s of audio per row
        XCTAssertEqual(t.description, "feature throughput (4 rows, 20.0 s of audio, 1 thread, CPU time): decode + resample "
                       + "2.00 ms/row, log-mel (padded to 30 s) 1.00 ms/row -> 333.3 rows/s per loader worker (1667x real time)")
    }

    func testThroughputWithoutWaveformsOrRows() {
        // Precomputed-only rows: decoding is timed, no log-mel is needed.
        let precomputed = FeatureThroughput(rows: 2, audioSeconds: 4, decodeSeconds: 0.004, featureRows: 0, featureSeconds: 0,
                                            paddedToChunk: false, threads: 2)
        XCTAssertEqual(precomputed.rowsPerSecondPerWorker, 500, accuracy: 1e-9)
        XCTAssertTrue(precomputed.description.contains("2 threads, CPU time"), precomputed.description)
        XCTAssertTrue(precomputed.description.contains("log-mel 0.00 ms/row"), precomputed.description)
        let none = FeatureThroughput(rows: 0, audioSeconds: 0, decodeSeconds: 0, featureRows: 0, featureSeconds: 0,
                                     paddedToChunk: true, threads: 1)
        XCTAssertEqual(none.rowsPerSecondPerWorker, 0)
        XCTAssertEqual(none.description, "feature throughput: no rows to time")
    }

    func testInspectionReportsSourcesAndTimesRealRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try ParquetShardWriter(path: dir + "/train.parquet",
                                            schema: [ShardColumn("audio", .audio), ShardColumn("text", .string)],
                                            audioSamplingRate: nil)
        for (i, seconds) in [1, 2, 3].enumerated() {
            let wave = (0..<(22050 * seconds)).map { Float(0.3 * sin(Double($0) * 0.02 * Double(i + 1))) }
            try writer.append([.audio(bytes: try Audio.encode(wave, sampleRate: 22050, as: .flac), path: "\(i).flac"),
                               .string("clip number \(i)")])
        }
        try writer.close()

        let inspection = try DataInspection.run(paths: [dir], examples: 1, timingRows: 2)
        XCTAssertEqual(inspection.report.rowCount, 3)
        XCTAssertEqual(inspection.report.counts.kept, 3)
        let timed = try XCTUnwrap(inspection.throughput)
        // Rows 0 and 1 of 3 (picked at i * 3 / 2): 1 s + 2 s after resampling to 16 kHz.
        XCTAssertEqual(timed.rows, 2)
        XCTAssertEqual(timed.featureRows, 2)
        XCTAssertEqual(timed.audioSeconds, 3, accuracy: 1e-3)
        XCTAssertGreaterThan(timed.decodeSeconds, 0)
        XCTAssertGreaterThan(timed.featureSeconds, 0)
        XCTAssertTrue(timed.paddedToChunk)
        let printed = inspection.description
        XCTAssertTrue(printed.contains("rows: kept 3 / 3 rows"), printed)
        XCTAssertTrue(printed.contains("clip number 0"), printed)
        XCTAssertTrue(printed.hasSuffix(timed.description), printed)
        XCTAssertTrue(printed.contains("feature throughput (2 rows, 3.0 s of audio"), printed)

        let untimed = try DataInspection.run(paths: [dir], timingRows: 0)
        XCTAssertNil(untimed.throughput)
        XCTAssertEqual(untimed.description, untimed.report.description)
        // A length limit reaches the index: only the 1 s clip stays.
        let short = try DataInspection.run(paths: [dir], filter: FilterOptions(maxAudioLength: 1.5, verifyAudio: false),
                                           timingRows: 8)
        XCTAssertEqual(short.report.counts.kept, 1)
        XCTAssertEqual(short.throughput?.rows, 1)
    }
}
