import Foundation
import XCTest
@testable import SpeechData

final class SourceResolverTests: XCTestCase {
    func testNestedFoldersAreSearchedRecursivelyInSortedOrder() throws {
        let files = try SourceResolver.resolve([Fixture.path("parquet_nested")])
        XCTAssertEqual(files.map { $0.path.replacingOccurrences(of: Fixture.root + "/", with: "") },
                       ["parquet_nested/a/part-0.parquet", "parquet_nested/b/c/part-1.parquet"])
        XCTAssertEqual(Set(files.map(\.kind)), [.parquet])
    }

    func testSaveToDiskFolderListsArrowFilesFromState() throws {
        let files = try SourceResolver.resolve([Fixture.path("hf_disk")])
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0.path).lastPathComponent },
                       ["data-00000-of-00002.arrow", "data-00001-of-00002.arrow"])
        XCTAssertEqual(Set(files.map(\.kind)), [.arrowIPC])
    }

    func testListIsConcatenatedInOrder() throws {
        let files = try SourceResolver.resolve([Fixture.path("manifest/train.jsonl"), Fixture.path("parquet_arrays")])
        XCTAssertEqual(files.map(\.kind), [.jsonl, .parquet])
    }

    func testEmptyAndMissingFoldersAreClearErrors() throws {
        let empty = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: empty + "/nested/deeper", withIntermediateDirectories: true)
        XCTAssertThrowsError(try SourceResolver.resolve([empty])) { error in
            XCTAssertTrue("\(error)".contains("no data files in \(empty)"), "\(error)")
        }
        XCTAssertThrowsError(try SourceResolver.resolve([empty + "/absent"])) { error in
            XCTAssertTrue("\(error)".contains("\(empty)/absent does not exist"), "\(error)")
        }
    }

    func testDatasetDictRootAsksForASplit() throws {
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/train", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/dataset_dict.json"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/train/state.json"))
        XCTAssertThrowsError(try SourceResolver.resolve([root])) { error in
            XCTAssertTrue("\(error)".contains("splits [train]"), "\(error)")
        }
    }
}

final class DatasetIndexTests: XCTestCase {
    private func quietBuild(_ paths: [String], filter: FilterOptions = FilterOptions(),
                            textLength: (@Sendable (String) -> Int)? = nil, report: SkipReport? = nil,
                            workers: Int = 2) throws -> (DatasetIndex, [String]) {
        var lines: [String] = []
        let index = try DatasetIndex.build(paths: paths, filter: filter, textLength: textLength, skipReport: report,
                                           workers: workers, log: { lines.append($0) })
        return (index, lines)
    }

    func testEveryEncodingAndSourceKindLoads() throws {
        let paths = ["parquet_nested", "parquet_arrays", "hf_disk", "manifest/train.jsonl"].map(Fixture.path)
        let report = try SkipReport(path: try temporaryDirectory() + "/skipped.jsonl")
        let (index, log) = try quietBuild(paths, report: report)
        let nestedRows = Audio.supportsMP3 ? 5 : 4
        XCTAssertEqual(index.counts.kept, nestedRows + 2 + 2 + 2)
        XCTAssertEqual(index.counts[.missingFile], 1)  // manifest line 2
        XCTAssertTrue(log.first?.contains("missing_file 1") == true, "\(log)")

        let texts = try (0..<index.entries.count).map { try index.sample(at: $0).text }
        XCTAssertEqual(Array(texts.prefix(4)), ["wav stereo clip", "flac clip", "ogg clip", "float wav clip"])
        XCTAssertTrue(texts.contains("hf wav") && texts.contains("manifest wav") && texts.contains("eight kilohertz"))

        // Decoded + resampled through the whole pipeline: same numbers as soundfile + soxr.
        let flac = try index.sample(at: 1)
        XCTAssertLessThanOrEqual(maxAbsDifference(flac.waveform, try Fixture.floats("expected/mono_22k.flac.16k.f32")), 1e-4)
        XCTAssertEqual(flac.row, 1)
        XCTAssertTrue(flac.source.hasSuffix("parquet_nested/a/part-0.parquet"))
        let waveRow = try XCTUnwrap(texts.firstIndex(of: "eight kilohertz"))
        let wave = try index.sample(at: waveRow)
        XCTAssertLessThanOrEqual(maxAbsDifference(wave.waveform, try Fixture.floats("expected/waves_row0.16k.f32")), 1e-5)
        XCTAssertEqual(wave.duration, 0.2, accuracy: 1e-9)
    }

    func testCorruptRowsAreSkippedReportedAndTheRunContinues() throws {
        let reportPath = try temporaryDirectory() + "/skipped.jsonl"
        let report = try SkipReport(path: reportPath)
        let (index, _) = try quietBuild([Fixture.path("parquet_corrupt")], report: report)
        XCTAssertEqual(index.counts.kept, 2)
        XCTAssertEqual(try (0..<2).map { try index.sample(at: $0).text }, ["good", "good two"])

        let lines = try String(contentsOfFile: reportPath, encoding: .utf8).split(separator: "\n")
        let reported = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        var reasonByRow: [Int: String] = [:]
        for line in reported {
            XCTAssertTrue((line["source"] as? String)?.hasSuffix("parquet_corrupt/corrupt.parquet") == true)
            reasonByRow[line["row"] as! Int] = line["reason"] as? String
        }
        XCTAssertEqual(reasonByRow[1], "undecodable")
        XCTAssertEqual(reasonByRow[2], "empty_text")
        XCTAssertEqual(reasonByRow[3], "non_finite_samples")
        XCTAssertEqual(reasonByRow[4], "missing_file")
        XCTAssertEqual(reasonByRow[5], "invalid_text")
        XCTAssertTrue(["undecodable", "empty_audio"].contains(reasonByRow[7] ?? ""), "\(reasonByRow)")
        XCTAssertEqual(reported.count, 6)
        XCTAssertEqual(index.counts.total, 8)
    }

    func testAnIndexWithNoRowLeftIsRefusedNamingTheRowsAndTheReport() throws {
        let reportPath = try temporaryDirectory() + "/skipped.jsonl"
        let path = Fixture.path("parquet_corrupt")
        let (kept, _) = try quietBuild([path])
        XCTAssertNoThrow(try kept.requireRows(paths: [path]))
        // Every clip of the fixture is longer than a millisecond: nothing is left.
        let (empty, _) = try quietBuild([path], filter: FilterOptions(maxAudioLength: 0.001), report: try SkipReport(path: reportPath))
        XCTAssertThrowsError(try empty.requireRows(paths: [path])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("no usable rows in \(path): kept 0 / 8 rows"), message)
            XCTAssertTrue(message.contains("too_long 2"), message)
            XCTAssertTrue(message.contains("corrupt.parquet row 0: too_long"), message)
            XCTAssertTrue(message.contains(reportPath), message)
        }
    }

    func testDecodedAudioStructAndManifestLineNumbers() throws {
        let report = try SkipReport(path: try temporaryDirectory() + "/skipped.jsonl")
        let (index, _) = try quietBuild([Fixture.path("parquet_decoded_struct"), Fixture.path("manifest/train.jsonl")],
                                        report: report)
        let decoded = try index.sample(at: 0)
        XCTAssertEqual(decoded.text, "decoded struct")
        XCTAssertLessThanOrEqual(maxAbsDifference(decoded.waveform, try Fixture.floats("expected/decoded_struct.16k.f32")), 1e-6)
        XCTAssertEqual(try index.sample(at: 2).row, 3)  // line 4 (after a blank line 3)
        let skipped = try String(contentsOfFile: report.path, encoding: .utf8)
        XCTAssertTrue(skipped.contains("\"reason\":\"missing_file\",\"row\":1"), skipped)
    }

    func testEmptyAudioAndBadManifestLinesAreCountedSeparately() throws {
        let dir = try temporaryDirectory()
        let writer = try ParquetShardWriter(path: dir + "/shard.parquet", schema: [ShardColumn("audio", .audio), ShardColumn("text", .string)])
        let clip = try Audio.encode([Float](repeating: 0.1, count: 1600), sampleRate: 16_000, as: .flac)
        try writer.append([.audio(bytes: try Audio.encode([], sampleRate: 16_000, as: .wav), path: "empty.wav"), .string("silence")])
        try writer.append([.audio(bytes: clip, path: "a.flac"), .string("kept")])
        try writer.close()
        try Data(clip).write(to: URL(fileURLWithPath: dir + "/a.flac"))
        var manifest = Data("{\"audio\": \"a.flac\", \"text\": \"fine\"}\n".utf8)
        manifest += Data([0x7B, 0x22, 0x61, 0xFF, 0x22, 0x7D, 0x0A])  // {"a\xFF"} : not UTF-8
        manifest += Data("not json\n{\"audio\": \"a.flac\"}\n".utf8)
        try manifest.write(to: URL(fileURLWithPath: dir + "/m.jsonl"))

        let report = try SkipReport(path: dir + "/skipped.jsonl")
        for verify in [true, false] {
            let (index, _) = try quietBuild([dir + "/shard.parquet", dir + "/m.jsonl"],
                                            filter: FilterOptions(verifyAudio: verify), report: report)
            XCTAssertEqual(index.counts.kept, 2, "verify \(verify): \(index.counts)")
            XCTAssertEqual(index.counts[.emptyAudio], 1, "verify \(verify)")
            XCTAssertEqual(index.counts[.invalidText], 2, "verify \(verify)")  // line 2 bytes, line 4 no text
            XCTAssertEqual(index.counts[.malformed], 1, "verify \(verify)")     // line 3
        }
    }

    func testMissingTextColumnNamesFileAndListsColumns() throws {
        XCTAssertThrowsError(try quietBuild([Fixture.path("parquet_missing_column")])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("column 'text' not found in"), text)
            XCTAssertTrue(text.contains("parquet_missing_column/x.parquet"), text)
            XCTAssertTrue(text.contains("audio, transcript"), text)
        }
        var mapping = ColumnMapping()
        mapping.text = "transcript"
        let index = try DatasetIndex.build(paths: [Fixture.path("parquet_missing_column")], mapping: mapping, log: { _ in })
        XCTAssertEqual(try index.sample(at: 0).text, "named differently")
    }

    func testPrecomputedColumnsPassThrough() throws {
        let (index, _) = try quietBuild([Fixture.path("parquet_precomputed")])
        XCTAssertEqual(index.counts.kept, 2)
        let sample = try index.sample(at: 0)
        XCTAssertTrue(sample.waveform.isEmpty)
        XCTAssertEqual(sample.inputFeatures?.rows, 4)
        XCTAssertEqual(sample.inputIds, [1, 2, 3])
        XCTAssertEqual(sample.labels, [-100, 2, 3])
        XCTAssertEqual(sample.duration, 0.06, accuracy: 1e-9)  // 6 frames x 10 ms
    }

    /// transcripts() gives every kept row's text (and stored ids) in entry order, as sample(at:) does.
    func testTranscriptsMatchTheDecodedSamples() throws {
        let paths = ["parquet_nested", "parquet_arrays", "hf_disk", "manifest/train.jsonl", "parquet_precomputed"].map(Fixture.path)
        let (index, _) = try quietBuild(paths)
        let transcripts = try index.transcripts()
        XCTAssertEqual(transcripts.count, index.entries.count)
        for i in index.entries.indices {
            let sample = try index.sample(at: i)
            XCTAssertEqual(transcripts[i], Transcript(text: sample.text, inputIds: sample.inputIds), "entry \(i)")
        }
        XCTAssertEqual(transcripts.last?.inputIds, [4, 5])
    }

    func testDurationAndTextLengthFilters() throws {
        let filter = FilterOptions(maxAudioLength: 0.2, maxTextLength: 12, verifyAudio: false)
        let (index, _) = try quietBuild([Fixture.path("parquet_nested"), Fixture.path("parquet_arrays")],
                                        filter: filter, textLength: { $0.count })
        // 0.25-0.3 s clips are too long; "eight kilohertz" (15 chars) is too long as text;
        // "sixteen kilohertz" (0.1 s) also fails the text limit.
        XCTAssertEqual(index.counts[.tooLong], Audio.supportsMP3 ? 5 : 4)
        XCTAssertEqual(index.counts[.textTooLong], 2)
        XCTAssertEqual(index.counts.kept, 0)
        let relaxed = FilterOptions(maxAudioLength: 0.2, maxTextLength: 16, verifyAudio: false)
        let (kept, _) = try quietBuild([Fixture.path("parquet_arrays")], filter: relaxed, textLength: { $0.count })
        XCTAssertEqual(kept.counts.kept, 1)
        XCTAssertEqual(kept.entries.map(\.duration), [0.2])
    }

    func testIndexCacheIsReusedUntilTheFileChanges() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Fixture.path("parquet_corrupt"), toPath: dir + "/data")
        let cache = dir + "/cache"
        func build(_ filter: FilterOptions = FilterOptions()) throws -> (DatasetIndex, String, [String]) {
            let report = try SkipReport(path: dir + "/skipped-\(UUID().uuidString).jsonl")
            var log = ""
            let index = try DatasetIndex.build(paths: [dir + "/data"], filter: filter, skipReport: report,
                                               cacheDirectory: cache, log: { log = $0 })
            let lines = try String(contentsOfFile: report.path, encoding: .utf8).split(separator: "\n").map(String.init)
            return (index, log, lines)
        }
        let (first, firstLog, firstReport) = try build()
        XCTAssertTrue(firstLog.contains("index cache reused for 0 of 1 files"), firstLog)
        let (second, secondLog, secondReport) = try build()
        XCTAssertTrue(secondLog.contains("index cache reused for 1 of 1 files"), secondLog)
        XCTAssertEqual(second.entries, first.entries)
        XCTAssertEqual(second.counts, first.counts)
        XCTAssertEqual(secondReport, firstReport)
        XCTAssertEqual(try second.sample(at: 1).text, "good two")

        // Limits apply after the cache: a tighter one reuses it and drops more rows.
        let (tight, tightLog, _) = try build(FilterOptions(maxAudioLength: 0.1))
        XCTAssertTrue(tightLog.contains("reused for 1 of 1"), tightLog)
        XCTAssertEqual(tight.counts.kept, 0)
        XCTAssertEqual(tight.counts[.tooLong], first.counts.kept)

        // A changed file (new size and time) is measured again.
        let writer = try ParquetShardWriter(path: dir + "/data/corrupt.parquet", schema: [ShardColumn("audio", .audio), ShardColumn("text", .string)])
        try writer.append([.audio(bytes: try Fixture.bytes("audio/mono_22k.flac"), path: nil), .string("replaced")])
        try writer.close()
        let (changed, changedLog, _) = try build()
        XCTAssertTrue(changedLog.contains("reused for 0 of 1"), changedLog)
        XCTAssertEqual(changed.counts.kept, 1)
        XCTAssertEqual(try changed.sample(at: 0).text, "replaced")
    }

    func testDamagedRowGroupIsReportedAndOtherFilesStillLoad() throws {
        let dir = try temporaryDirectory()
        let bytes = try Fixture.bytes("parquet_nested/a/part-0.parquet")
        // Keep the footer (metadata + length + "PAR1") but lose most of the pages it points at:
        // the file opens, its row groups cannot be read.
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
            | Int(bytes[bytes.count - 6]) << 16 | Int(bytes[bytes.count - 5]) << 24
        let damaged = Array(bytes.prefix(1_000)) + Array(bytes.suffix(footerLength + 8))
        try Data(damaged).write(to: URL(fileURLWithPath: dir + "/damaged.parquet"))
        let report = try SkipReport(path: dir + "/skipped.jsonl")
        let (index, _) = try quietBuild([dir + "/damaged.parquet", Fixture.path("parquet_arrays")], report: report)
        XCTAssertEqual(index.counts.kept, 2)  // only the other file's rows
        XCTAssertEqual(index.counts.total, 5)
        XCTAssertEqual(index.counts[.unreadableChunk], 3)
        XCTAssertEqual(report.count, 3)
    }

    func testIndexIsIdenticalForAnyWorkerCount() throws {
        let paths = ["parquet_nested", "parquet_corrupt", "hf_disk"].map(Fixture.path)
        let (one, _) = try quietBuild(paths, workers: 1)
        let (three, _) = try quietBuild(paths, workers: 3)
        XCTAssertEqual(one.entries, three.entries)
        XCTAssertEqual(one.counts, three.counts)
    }
}
