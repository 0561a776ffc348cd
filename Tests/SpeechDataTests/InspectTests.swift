import XCTest
@testable import SpeechData

final class InspectTests: XCTestCase {
    func testReportSummarisesSchemaCountsAndHistograms() throws {
        let report = try inspect(paths: [Fixture.path("parquet_nested"), Fixture.path("parquet_corrupt")], examples: 2)
        XCTAssertEqual(report.files.count, 3)
        XCTAssertEqual(report.rowCount, 5 + 8)
        XCTAssertEqual(report.files[0].schema.column("audio")?.type, "struct<bytes: binary, path: string>")
        XCTAssertEqual(report.files[0].chunks, 2)
        // Header-only: the corrupt file loses its garbage, empty-text, missing and non-UTF-8 rows.
        XCTAssertEqual(report.counts[.emptyText], 1)
        XCTAssertEqual(report.counts[.missingFile], 1)
        XCTAssertEqual(report.counts[.invalidText], 1)
        XCTAssertGreaterThanOrEqual(report.counts[.undecodable], 1)
        XCTAssertEqual(report.durations.counts.reduce(0, +), report.counts.kept)
        XCTAssertEqual(report.durations.counts[0], report.counts.kept)  // every fixture clip is under 1 s
        XCTAssertEqual(report.textLengths.counts.reduce(0, +), report.counts.kept)
        XCTAssertEqual(report.examples.count, 2)
        XCTAssertEqual(report.examples.first?.text, "wav stereo clip")
        let printed = report.description
        XCTAssertTrue(printed.contains("part-0.parquet [parquet]: 3 rows in 2 chunks"), printed)
        XCTAssertTrue(printed.contains("audio: struct<bytes: binary, path: string>"), printed)
        XCTAssertTrue(printed.contains("0-1 s"), printed)
        // The first rows left out, with file, row and reason (the corrupt file's row 1 is garbage).
        XCTAssertEqual(report.skippedExamples.count, 3)
        XCTAssertTrue(printed.contains("left out, first 3:\n  "), printed)
        XCTAssertTrue(report.skippedExamples.allSatisfy { $0.contains("corrupt.parquet row ") }, "\(report.skippedExamples)")
    }

    func testTimedSamplesDecodeLikeSampleAtAndReportFromIndex() throws {
        let index = try DatasetIndex.build(paths: [Fixture.path("parquet_nested")],
                                           filter: FilterOptions(maxAudioLength: .infinity, verifyAudio: false), log: { _ in })
        XCTAssertGreaterThan(index.entries.count, 1)
        let picks = Array(index.entries.indices.reversed())  // out of order: chunks are re-read as needed
        let (samples, seconds) = try index.timedSamples(at: picks)
        XCTAssertEqual(samples.count, picks.count)
        for (i, sample) in zip(picks, samples) {
            let expected = try index.sample(at: i)
            XCTAssertEqual(sample.waveform, expected.waveform)
            XCTAssertEqual(sample.text, expected.text)
            XCTAssertEqual([sample.source, String(sample.row)], [expected.source, String(expected.row)])
        }
        XCTAssertGreaterThan(seconds, 0)
        let report = try inspect(index: index, examples: 1)
        XCTAssertEqual(report.counts, index.counts)
        XCTAssertEqual(report.examples.count, 1)
    }

    func testHistogramBinsValues() {
        let histogram = Histogram(edges: [0, 1, 5], values: [0, 0.5, 1, 4.9, 5, 100], unit: "s")
        XCTAssertEqual(histogram.counts, [2, 2, 2])
    }
}
