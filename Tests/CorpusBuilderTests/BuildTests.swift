import Foundation
import SkyCorpus
import SpeechData
import XCTest
@testable import CorpusBuilder

/// Building a corpus from a test source: layout, schema, read-back, reruns, resumption.
final class BuildTests: XCTestCase {
    @discardableResult
    func build(_ folder: URL, _ sources: [CorpusSource], clipsPerShard: Int = 4, seed: UInt64 = 0) throws
        -> [CorpusBuild.SourceResult] {
        var options = CorpusBuild.Options()
        options.clipsPerShard = clipsPerShard
        options.jobs = 2
        return try CorpusBuild(output: folder, sources: sources, seed: seed, options: options).run { _ in }
    }

    func testShardsHaveHubSchemaAndReadBackWithSpeechData() throws {
        let folder = TempFolder.make("schema")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = ToneSource(name: "tone", sentences: sampleSentences)
        let results = try build(folder, [source])
        let expected = try source.utterances(splitter: LineSplitter())
        XCTAssertEqual(results[0].totals.values.map(\.clips).reduce(0, +), expected.count)

        var seen: [String: Utterance] = [:]
        for split in CorpusSplit.allCases {
            let dir = folder.appendingPathComponent("tone/\(split.rawValue)")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".parquet") }.sorted()
            XCTAssertFalse(files.isEmpty, "\(split) has shards")
            for file in files {
                XCTAssertTrue(file.hasPrefix("\(split.rawValue)-") && file.contains("-of-"), file)
                let reader = try ParquetReader(path: dir.appendingPathComponent(file).path)
                XCTAssertEqual(reader.schema.names, ["audio", "text", "source", "speaker", "duration", "text_raw"])
                XCTAssertTrue(reader.schema.column("audio")!.type.hasPrefix("struct<bytes: binary"), reader.schema.column("audio")!.type)
                XCTAssertEqual(reader.schema.column("duration")!.type, "double")
                let hf = try JSONSerialization.jsonObject(with: Data(XCTUnwrap(reader.schema.metadata["huggingface"]).utf8))
                let features = try XCTUnwrap(((hf as? [String: Any])?["info"] as? [String: Any])?["features"] as? [String: Any])
                XCTAssertEqual((features["audio"] as? [String: Any])?["sampling_rate"] as? Int, 16_000)
                XCTAssertEqual((features["duration"] as? [String: Any])?["dtype"] as? String, "float64")
                for group in 0..<reader.rowGroupCount {
                    let table = try reader.readRowGroup(group)
                    let audio = try table.column("audio")
                    for row in 0..<table.rowCount {
                        let path = try XCTUnwrap(audio.field("path").string(row))
                        let id = String(path.dropLast(".flac".count))
                        let u = try XCTUnwrap(expected.first { $0.id == id })
                        seen[id] = u
                        XCTAssertEqual(u.split, split)
                        XCTAssertEqual(try table.column("text").string(row), u.text)
                        XCTAssertEqual(try table.column("text_raw").string(row), u.textRaw)
                        XCTAssertEqual(try table.column("source").string(row), "tone")
                        XCTAssertEqual(try table.column("speaker").string(row), "tone_tone")
                        let decoded = try Audio.decode(XCTUnwrap(audio.field("bytes").bytes(row)), source: path)
                        XCTAssertEqual(decoded.sampleRate, 16_000)
                        XCTAssertEqual(decoded.info.format & 0xFF0000, 0x170000, "FLAC container")
                        let words = u.text.split(separator: " ").count
                        XCTAssertEqual(decoded.samples.count, words * 4800, accuracy: 2, "8 kHz tone resampled to 16 kHz")
                        XCTAssertEqual(try table.column("duration").double(row), Double(decoded.samples.count) / 16_000)
                    }
                }
            }
        }
        XCTAssertEqual(seen.count, expected.count, "every utterance written exactly once")

        let index = try DatasetIndex.build(paths: [folder.appendingPathComponent("tone").path], log: { _ in })
        XCTAssertEqual(index.entries.count, expected.count, "the SpeechData loader keeps every row")
        let card = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(card.contains("config_name: tone") && card.contains("| tone | synthetic | train |"), card)
    }

    func testPyArrowReadsTheSchema() throws {
        guard let python = pythonWithPyArrow() else { throw XCTSkip("no Python with pyarrow") }
        let folder = TempFolder.make("pyarrow")
        defer { try? FileManager.default.removeItem(at: folder) }
        try build(folder, [ToneSource(name: "tone", sentences: sampleSentences)])
        let script = """
            import glob, json, sys, pyarrow.parquet as pq
            files = sorted(glob.glob(sys.argv[1] + "/tone/*/*.parquet"))
            t = pq.read_table(files[0])
            meta = json.loads(t.schema.metadata[b"huggingface"])["info"]["features"]
            print(str(t.schema.field("audio").type), t.schema.field("duration").type, meta["audio"]["_type"],
                  meta["audio"]["sampling_rate"], sum(pq.read_metadata(f).num_rows for f in files))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", script, folder.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let line = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(line.trimmingCharacters(in: .whitespacesAndNewlines),
                       "struct<bytes: binary, path: string> double Audio 16000 \(sampleSentences.count)")
    }

    func testRerunKeepsEveryShardAndRebuildIsByteIdentical() throws {
        let a = TempFolder.make("a"), b = TempFolder.make("b")
        defer { for f in [a, b] { try? FileManager.default.removeItem(at: f) } }
        let source = ToneSource(name: "tone", sentences: sampleSentences)
        let first = try build(a, [source])
        XCTAssertEqual(first[0].shardsKept, 0)
        let tree = try treeContents(a)
        let again = try build(a, [source])
        XCTAssertEqual(again[0].shardsBuilt, 0, "a finished build is reused")
        XCTAssertEqual(try treeContents(a), tree)
        try build(b, [source])
        XCTAssertEqual(try treeContents(b), tree, "a fresh build gives the same bytes")
        XCTAssertFalse(tree.keys.contains { $0.contains(".scratch") || $0.contains(".lock") || $0.contains("tmp") })
    }

    func testInterruptedBuildRedoesOnlyUnfinishedShards() throws {
        let folder = TempFolder.make("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = ToneSource(name: "tone", sentences: sampleSentences)
        try build(folder, [source])
        let complete = try treeContents(folder)
        let train = folder.appendingPathComponent("tone/train")
        let shards = complete.keys.filter { $0.hasPrefix("tone/train/train-") }.sorted()
        XCTAssertGreaterThanOrEqual(shards.count, 2)
        let unfinished = String(shards[0].split(separator: "/").last!)
        // What a killed run leaves: a shard without its marker, a writer temporary, scratch files.
        try FileManager.default.removeItem(at: train.appendingPathComponent(".\(unfinished).done"))
        try Data("half".utf8).write(to: train.appendingPathComponent(".\(shards[1].split(separator: "/").last!).tmp-1-2"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".scratch/tone/train-0"),
                                                withIntermediateDirectories: true)
        let resumed = try build(folder, [source])
        XCTAssertEqual(resumed[0].shardsBuilt, 1)
        XCTAssertEqual(try treeContents(folder), complete)
    }

    func testChangedPlanRemovesStaleShards() throws {
        let folder = TempFolder.make("stale")
        defer { try? FileManager.default.removeItem(at: folder) }
        try build(folder, [ToneSource(name: "tone", sentences: sampleSentences)], clipsPerShard: 2)
        try build(folder, [ToneSource(name: "tone", sentences: Array(sampleSentences.prefix(3)))], clipsPerShard: 2)
        let names = try treeContents(folder).keys.filter { $0.hasSuffix(".parquet") }
        let rows = try names.map { try ParquetReader(path: folder.appendingPathComponent($0).path).rowCount }.reduce(0, +)
        XCTAssertEqual(rows, 3, "only the current plan's shards remain: \(names.sorted())")
    }

    func testNoSentenceInTwoSplitsAcrossSources() throws {
        let folder = TempFolder.make("disjoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two sources sharing most sentences, differently cased and punctuated.
        let other = sampleSentences.map { $0.lowercased().replacingOccurrences(of: "!", with: ".") } + ["only here"]
        try build(folder, [ToneSource(name: "one", sentences: sampleSentences), ToneSource(name: "two", sentences: other)])
        var splitOf: [String: String] = [:]
        var shared = 0
        for path in try treeContents(folder).keys where path.hasSuffix(".parquet") {
            let split = path.split(separator: "/")[1]
            let reader = try ParquetReader(path: folder.appendingPathComponent(path).path)
            for group in 0..<reader.rowGroupCount {
                let table = try reader.readRowGroup(group, columns: ["text"])
                for row in 0..<table.rowCount {
                    let text = try XCTUnwrap(table.column("text").string(row))
                    if let earlier = splitOf[text] {
                        XCTAssertEqual(earlier, String(split), "\"\(text)\" in two splits")
                        shared += 1
                    }
                    splitOf[text] = String(split)
                }
            }
        }
        XCTAssertEqual(shared, sampleSentences.count, "every shared sentence was checked")
        XCTAssertEqual(Set(splitOf.values), ["train", "dev", "test"])
    }

    func testSecondBuildOfTheSameFolderIsRefusedWhileOneRuns() throws {
        let folder = TempFolder.make("lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let held = try BuildLock(folder: folder)
        XCTAssertThrowsError(try build(folder, [ToneSource(name: "tone", sentences: sampleSentences)])) {
            XCTAssertTrue("\($0)".contains("another corpus build"), "\($0)")
        }
        held.release()
        XCTAssertNoThrow(try build(folder, [ToneSource(name: "tone", sentences: sampleSentences)]))
    }
}
