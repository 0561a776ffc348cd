import Foundation

/// Writes a corpus as a series of parquet shards named like the hub's
/// (`train-00000-of-00003.parquet`), starting a new shard after `rowsPerShard` rows or about
/// `bytesPerShard` bytes. Finished shards stay hidden (`.train-00000.parquet`, which source
/// scanning ignores) until `close()` knows the total and gives them their final names.
public final class ShardedParquetWriter {
    public let directory: String
    public let prefix: String
    public let schema: [ShardColumn]
    public let rowsPerShard: Int
    public let bytesPerShard: Int
    private let rowGroupRows: Int
    private let audioSamplingRate: Int?
    private var current: ParquetShardWriter?
    private var currentRows = 0
    private var currentBytes = 0
    private var finished: [String] = []  // hidden paths of closed shards
    public private(set) var rowsWritten = 0

    public init(directory: String, prefix: String = "train", schema: [ShardColumn], rowsPerShard: Int = 50_000,
                bytesPerShard: Int = 512 << 20, rowGroupRows: Int = 100,
                audioSamplingRate: Int? = Audio.targetSampleRate) throws {
        precondition(rowsPerShard > 0 && bytesPerShard > 0, "shard limits must be positive")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.prefix = prefix
        self.schema = schema
        self.rowsPerShard = rowsPerShard
        self.bytesPerShard = bytesPerShard
        self.rowGroupRows = rowGroupRows
        self.audioSamplingRate = audioSamplingRate
    }

    public func append(_ row: [ShardValue]) throws {
        let writer = try currentWriter()
        try writer.append(row)
        currentRows += 1
        rowsWritten += 1
        currentBytes += row.reduce(0) { total, value in
            switch value {
            case let .audio(bytes, path): return total + (bytes?.count ?? 0) + (path?.utf8.count ?? 0)
            case let .string(text): return total + text.utf8.count
            case .float64, .int64: return total + 8
            case .null: return total
            }
        }
        if currentRows >= rowsPerShard || currentBytes >= bytesPerShard { try closeCurrent() }
    }

    public func append(_ row: [String: ShardValue]) throws {
        let unknown = Set(row.keys).subtracting(schema.map(\.name))
        guard unknown.isEmpty else {
            throw SpeechDataError.writer(path: directory, reason: "unknown columns \(unknown.sorted())")
        }
        try append(schema.map { row[$0.name] ?? .null })
    }

    /// Closes the last shard and renames every shard to `prefix-iiiii-of-nnnnn.parquet`.
    /// Returns the final paths in order.
    @discardableResult
    public func close() throws -> [String] {
        try closeCurrent()
        let total = finished.count
        let finalPaths = finished.indices.map {
            "\(directory)/\(prefix)-\(Self.number($0))-of-\(Self.number(total)).parquet"
        }
        for (hidden, final) in zip(finished, finalPaths) where rename(hidden, final) != 0 {
            throw SpeechDataError.writer(path: final, reason: "rename from \(hidden) failed: \(String(cString: strerror(errno)))")
        }
        finished = []
        return finalPaths
    }

    private func currentWriter() throws -> ParquetShardWriter {
        if let current { return current }
        let path = "\(directory)/.\(prefix)-\(Self.number(finished.count)).parquet"
        let writer = try ParquetShardWriter(path: path, schema: schema, rowGroupRows: rowGroupRows,
                                            audioSamplingRate: audioSamplingRate)
        current = writer
        return writer
    }

    private func closeCurrent() throws {
        guard let current else { return }
        try current.close()
        finished.append(current.path)
        self.current = nil
        currentRows = 0
        currentBytes = 0
    }

    private static func number(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
