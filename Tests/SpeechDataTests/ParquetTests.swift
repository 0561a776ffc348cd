import Foundation
import XCTest
@testable import SpeechData

final class ParquetReadTests: XCTestCase {
    func testAudioStructColumnByRowGroup() throws {
        let reader = try ParquetReader(path: Fixture.path("parquet_nested/a/part-0.parquet"))
        XCTAssertEqual(reader.rowCount, 3)
        XCTAssertEqual(reader.rowGroupSizes, [2, 1])
        XCTAssertEqual(reader.schema.names, ["audio", "text", "id"])
        XCTAssertEqual(reader.schema.column("audio")?.type, "struct<bytes: binary, path: string>")

        let second = try reader.readRowGroup(1, columns: ["text", "audio"])
        XCTAssertEqual(second.rowCount, 1)
        XCTAssertEqual(try second.column("text").string(0), "ogg clip")
        let audio = try second.column("audio")
        XCTAssertEqual(try audio.field("path").string(0), "mono_48k.ogg")
        XCTAssertEqual(try audio.field("bytes").bytes(0), try Fixture.bytes("audio/mono_48k.ogg"))
        // Only the requested columns were read.
        XCTAssertThrowsError(try second.column("id"))
    }

    func testMissingColumnErrorListsColumnsPresent() throws {
        let reader = try ParquetReader(path: Fixture.path("parquet_missing_column/x.parquet"))
        XCTAssertThrowsError(try reader.readRowGroup(0, columns: ["text"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("column 'text' not found"), text)
            XCTAssertTrue(text.contains("x.parquet"), text)
            XCTAssertTrue(text.contains("audio, transcript"), text)
        }
    }

    func testWaveformListColumnWithSamplingRate() throws {
        let reader = try ParquetReader(path: Fixture.path("parquet_arrays/waves.parquet"))
        let table = try reader.readRowGroup(0)
        let audio = try table.column("audio")
        XCTAssertTrue(audio.isList)
        XCTAssertEqual(try audio.floats(0).count, 1600)
        XCTAssertEqual(try table.column("sampling_rate").int64(0), 8000)
        XCTAssertEqual(try table.column("sampling_rate").double(1), 16000)
    }

    func testPrecomputedFeatureAndIdColumns() throws {
        let expected = try XCTUnwrap((Fixture.json("expected/precomputed.json") as? [String: Any])?["input_features"] as? [[[Double]]])
        let table = try ParquetReader(path: Fixture.path("parquet_precomputed/features.parquet")).readRowGroup(0)
        let features = try table.column("input_features").matrix(1)
        XCTAssertEqual(features.rows, 4)
        XCTAssertEqual(features.cols, 6)
        XCTAssertEqual(features.values, expected[1].flatMap { $0.map(Float.init) })
        XCTAssertEqual(try table.column("input_ids").int64s(0), [1, 2, 3])
        XCTAssertEqual(try table.column("labels").int64s(1), [-100, 5])
        XCTAssertThrowsError(try table.column("text").int64s(0))  // wrong type is an error, not a crash
    }

    func testInvalidUTF8TextIsAnErrorNamingTheRow() throws {
        let table = try ParquetReader(path: Fixture.path("parquet_corrupt/corrupt.parquet")).readRowGroup(0)
        let text = try table.column("text")
        XCTAssertEqual(try text.string(0), "good")
        XCTAssertThrowsError(try text.string(5)) { error in
            XCTAssertTrue("\(error)".contains("row 5"), "\(error)")
            XCTAssertTrue("\(error)".contains("UTF-8"), "\(error)")
        }
        XCTAssertNil(try table.column("audio").field("bytes").bytes(4))  // null bytes read as nil
    }

    func testSaveToDiskArrowStream() throws {
        let reader = try ArrowIPCReader(path: Fixture.path("hf_disk/data-00000-of-00002.arrow"))
        XCTAssertEqual(reader.rowCount, 1)
        XCTAssertTrue(reader.schema.names.contains("audio"))
        let batch = try reader.readBatch(0, columns: ["audio", "text"])
        XCTAssertEqual(try batch.column("text").string(0), "hf flac")
        XCTAssertEqual(try batch.column("audio").field("bytes").bytes(0), try Fixture.bytes("audio/mono_22k.flac"))
    }

    func testUnreadableFileIsAnErrorNotACrash() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/broken.parquet"
        try Data("PAR1 not really".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ParquetReader(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
        XCTAssertThrowsError(try ArrowIPCReader(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }
}

final class ParquetWriteTests: XCTestCase {
    let schema = [ShardColumn("audio", .audio), ShardColumn("text", .string),
                  ShardColumn("duration", .float64), ShardColumn("speaker_id", .int64)]

    private func writeShard(at path: String) throws -> [[UInt8]] {
        let clips = try (0..<5).map { i in
            try Audio.encode((0..<1600).map { Float(sin(Double($0 * (i + 1)) * 0.01)) * 0.3 }, sampleRate: 16_000, as: .flac)
        }
        let writer = try ParquetShardWriter(path: path, schema: schema, rowGroupRows: 2)
        for (i, clip) in clips.enumerated() {
            try writer.append([.audio(bytes: clip, path: "clip\(i).flac"), .string("utterance \(i) é"),
                               .float64(0.1), i == 3 ? .null : .int64(Int64(100 + i))])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "shard visible before close")
        try writer.close()
        XCTAssertEqual(writer.rowsWritten, 5)
        return clips
    }

    func testRoundTripThroughOwnReader() throws {
        let path = try temporaryDirectory() + "/shard-00000.parquet"
        let clips = try writeShard(at: path)
        let reader = try ParquetReader(path: path)
        XCTAssertEqual(reader.rowCount, 5)
        XCTAssertEqual(reader.rowGroupSizes, [2, 2, 1])
        XCTAssertEqual(reader.schema.column("audio")?.type, "struct<bytes: binary, path: string>")
        let features = try XCTUnwrap(reader.schema.metadata["huggingface"])
        XCTAssertTrue(features.contains("\"audio\": {\"sampling_rate\": 16000, \"_type\": \"Audio\"}"), features)
        let group = try reader.readRowGroup(1)
        XCTAssertEqual(try group.column("audio").field("bytes").bytes(0), clips[2])
        XCTAssertEqual(try group.column("text").string(1), "utterance 3 é")
        XCTAssertTrue(try group.column("speaker_id").isNull(1))
        XCTAssertEqual(try group.column("speaker_id").int64(0), 102)
    }

    /// Same schema and same "huggingface" metadata text as `datasets.to_parquet` (hub parquet).
    func testSchemaAndMetadataMatchDatasetsToParquet() throws {
        let hub = try ParquetReader(path: Fixture.path("parquet_hf/train-00000-of-00001.parquet"))
        let path = try temporaryDirectory() + "/ours.parquet"
        let columns = [ShardColumn("file", .string), ShardColumn("audio", .audio), ShardColumn("text", .string),
                       ShardColumn("speaker_id", .int64), ShardColumn("chapter_id", .int64), ShardColumn("id", .string)]
        let writer = try ParquetShardWriter(path: path, schema: columns)
        try writer.append([.string("a.flac"), .audio(bytes: [1, 2], path: "a.flac"), .string("A"), .int64(1), .int64(2), .string("x")])
        try writer.close()
        let ours = try ParquetReader(path: path)
        XCTAssertEqual(ours.schema.columns, hub.schema.columns)
        XCTAssertEqual(ours.schema.metadata["huggingface"], hub.schema.metadata["huggingface"])
        XCTAssertNotNil(hub.schema.metadata["huggingface"])
        let index = try DatasetIndex.build(paths: [Fixture.path("parquet_hf")], log: { _ in })
        let sample = try index.sample(at: 0)
        XCTAssertEqual(sample.text, "MISTER QUILTER IS THE APOSTLE OF THE MIDDLE CLASSES")
        XCTAssertEqual(sample.duration, 0.2, accuracy: 1e-9)
    }

    func testTypeMismatchAndArityAreRejected() throws {
        let path = try temporaryDirectory() + "/bad.parquet"
        let writer = try ParquetShardWriter(path: path, schema: schema)
        XCTAssertThrowsError(try writer.append([.string("x")]))
        XCTAssertThrowsError(try writer.append([.string("not audio"), .string("t"), .float64(1), .int64(1)])) {
            XCTAssertTrue("\($0)".contains("column 'audio'"), "\($0)")
        }
        XCTAssertThrowsError(try writer.append(["nope": .null]))
    }

    func testAbandonedWriterLeavesNoFile() throws {
        let dir = try temporaryDirectory()
        do {
            let writer = try ParquetShardWriter(path: dir + "/x.parquet", schema: schema)
            try writer.append(["text": .string("pending")])
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    /// pyarrow and datasets must read the shard like a hub LibriSpeech parquet file.
    func testShardReadByPyarrowAndDatasets() throws {
        guard let python = projectPython() else {
            throw XCTSkip("project venv (.venv/bin/python) not found: run scripts/bootstrap --reference to check pyarrow/datasets compatibility")
        }
        let path = try temporaryDirectory() + "/shard.parquet"
        let clips = try writeShard(at: path)
        let script = """
        import sys, pyarrow.parquet as pq
        t = pq.read_table(sys.argv[1])
        print("schema", t.schema.field("audio").type, t.schema.field("text").type, t.schema.field("duration").type, t.schema.field("speaker_id").type)
        print("rows", t.num_rows, pq.ParquetFile(sys.argv[1]).num_row_groups)
        row = t.slice(2, 1).to_pylist()[0]
        open(sys.argv[1] + ".row2", "wb").write(row["audio"]["bytes"])
        print("row2", row["audio"]["path"], row["text"], row["speaker_id"])
        print("null", t.column("speaker_id")[3].as_py())
        try:
            import datasets
        except ImportError:
            print("datasets absent"); sys.exit(0)
        ds = datasets.Dataset.from_parquet(sys.argv[1])
        f = ds.features["audio"]
        print("features", type(f).__name__, f.sampling_rate, ds.features["text"].dtype, ds.features["speaker_id"].dtype)
        """
        let (status, output) = try runProcess(python, ["-c", script, path])
        XCTAssertEqual(status, 0, output)
        let bytesSeenByPyarrow = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".row2")))
        XCTAssertEqual(bytesSeenByPyarrow, clips[2])
        XCTAssertTrue(output.contains("schema struct<bytes: binary, path: string> string double int64"), output)
        XCTAssertTrue(output.contains("rows 5 3"), output)
        XCTAssertTrue(output.contains("row2 clip2.flac utterance 2 é 102"), output)
        XCTAssertTrue(output.contains("null None"), output)
        if !output.contains("datasets absent") {
            XCTAssertTrue(output.contains("features Audio 16000 string int64"), output)
        }
    }
}

final class ShardedWriterTests: XCTestCase {
    func testShardsRollOverAndGetHubNamesOnClose() throws {
        let dir = try temporaryDirectory() + "/corpus"
        let writer = try ShardedParquetWriter(directory: dir, schema: [ShardColumn("audio", .audio), ShardColumn("text", .string)],
                                              rowsPerShard: 2)
        let clip = try Audio.encode([Float](repeating: 0.05, count: 800), sampleRate: 16_000, as: .flac)
        for i in 0..<5 { try writer.append(["audio": .audio(bytes: clip, path: "\(i).flac"), "text": .string("row \(i)")]) }
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { $0.hasPrefix(".") },
                      "shards visible before close")
        let paths = try writer.close()
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["train-00000-of-00003.parquet", "train-00001-of-00003.parquet", "train-00002-of-00003.parquet"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       paths.map { URL(fileURLWithPath: $0).lastPathComponent })
        let index = try DatasetIndex.build(paths: [dir], log: { _ in })
        XCTAssertEqual(try (0..<5).map { try index.sample(at: $0).text }, (0..<5).map { "row \($0)" })
        XCTAssertEqual(try index.sample(at: 4).waveform.count, 800)
    }
}
