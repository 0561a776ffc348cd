import Foundation

/// Per-file index measurements stored as small parquet files (`index-<key>.parquet`), so a
/// restart skips re-reading unchanged data. A stale or unreadable cache file is ignored.
struct IndexCache: Sendable {
    let directory: String
    static let version = "1"

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
    }

    /// Identity of a data file's content and of how it is read; nil when the file cannot be stat'ed.
    static func key(file: DataFile, mapping: ColumnMapping, verifyAudio: Bool) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? NSNumber,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        let path = URL(fileURLWithPath: file.path).standardizedFileURL.path
        let parts = [version, path, "\(size)", "\(modified.timeIntervalSince1970)", mapping.audio, mapping.text,
                     mapping.samplingRate, mapping.inputFeatures, mapping.inputIds, mapping.labels, "\(verifyAudio)"]
        return fnv1a64(parts.joined(separator: "\u{1F}"))
    }

    private func path(_ key: String) -> String { "\(directory)/index-\(key).parquet" }

    private static let schema = [
        ShardColumn("chunk", .int64), ShardColumn("row_in_chunk", .int64), ShardColumn("row", .int64),
        ShardColumn("duration", .float64), ShardColumn("text", .string),
        ShardColumn("reason", .string), ShardColumn("detail", .string),
    ]

    func load(key: String, expectedRows: Int) -> [RowMeasure]? {
        guard FileManager.default.fileExists(atPath: path(key)),
              let reader = try? ParquetReader(path: path(key)), reader.rowCount == expectedRows else { return nil }
        var measures: [RowMeasure] = []
        measures.reserveCapacity(expectedRows)
        do {
            for group in 0..<reader.rowGroupCount {
                let table = try reader.readRowGroup(group)
                let (chunk, inChunk, row) = (try table.column("chunk"), try table.column("row_in_chunk"), try table.column("row"))
                let (duration, text) = (try table.column("duration"), try table.column("text"))
                let (reason, detail) = (try table.column("reason"), try table.column("detail"))
                for i in 0..<table.rowCount {
                    let outcome: RowMeasure.Outcome
                    if let name = try reason.string(i) {
                        guard let known = SkipReason(rawValue: name) else { return nil }
                        outcome = .failed(reason: known, detail: try detail.string(i) ?? "")
                    } else {
                        outcome = .usable(duration: try duration.double(i), text: try text.string(i) ?? "")
                    }
                    measures.append(RowMeasure(chunk: Int32(try chunk.int64(i)), rowInChunk: Int32(try inChunk.int64(i)),
                                               row: Int(try row.int64(i)), outcome: outcome))
                }
            }
        } catch {
            return nil
        }
        return measures
    }

    /// Best effort: a cache that cannot be written only costs the next run a re-read.
    func store(key: String, measures: [RowMeasure]) {
        guard let writer = try? ParquetShardWriter(path: path(key), schema: Self.schema, rowGroupRows: 65_536,
                                                   audioSamplingRate: nil) else { return }
        do {
            for m in measures {
                var row: [ShardValue] = [.int64(Int64(m.chunk)), .int64(Int64(m.rowInChunk)), .int64(Int64(m.row))]
                switch m.outcome {
                case let .usable(duration, text): row += [.float64(duration), .string(text), .null, .null]
                case let .failed(reason, detail): row += [.null, .null, .string(reason.rawValue), .string(detail)]
                }
                try writer.append(row)
            }
            try writer.close()
        } catch {
            return
        }
    }
}

/// 64-bit FNV-1a as 16 hex digits: a stable name for a cache key (not a security hash).
func fnv1a64(_ text: String) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
