import CArrow
import Foundation

/// Column types a shard can hold; `audio` is Hugging Face's `struct<bytes: binary, path: string>`.
public enum ShardColumnType: Sendable, Equatable {
    case audio, string, float64, int64

    var kind: Int32 {
        switch self {
        case .audio: return Int32(CARROW_KIND_AUDIO.rawValue)
        case .string: return Int32(CARROW_KIND_STRING.rawValue)
        case .float64: return Int32(CARROW_KIND_FLOAT64.rawValue)
        case .int64: return Int32(CARROW_KIND_INT64.rawValue)
        }
    }

    /// The `datasets` feature JSON, spelled exactly as `datasets` writes it (key order included).
    func huggingFaceFeature(samplingRate: Int?) -> String {
        switch self {
        case .audio: return samplingRate.map { "{\"sampling_rate\": \($0), \"_type\": \"Audio\"}" } ?? "{\"_type\": \"Audio\"}"
        case .string: return "{\"dtype\": \"string\", \"_type\": \"Value\"}"
        case .float64: return "{\"dtype\": \"float64\", \"_type\": \"Value\"}"
        case .int64: return "{\"dtype\": \"int64\", \"_type\": \"Value\"}"
        }
    }
}

/// The "huggingface" schema metadata `datasets` writes into parquet: features in column order.
func huggingFaceMetadata(_ schema: [ShardColumn], audioSamplingRate: Int?) -> String {
    let features = schema.map { column -> String in
        let name = (try? JSONSerialization.data(withJSONObject: column.name, options: [.fragmentsAllowed]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "\"\(column.name)\""
        return "\(name): \(column.type.huggingFaceFeature(samplingRate: audioSamplingRate))"
    }
    return "{\"info\": {\"features\": {\(features.joined(separator: ", "))}}}"
}

public struct ShardColumn: Sendable, Equatable {
    public var name: String
    public var type: ShardColumnType
    public init(_ name: String, _ type: ShardColumnType) {
        self.name = name
        self.type = type
    }
}

/// One cell of a row appended to a shard.
public enum ShardValue: Sendable {
    case audio(bytes: [UInt8]?, path: String?)
    case string(String)
    case float64(Double)
    case int64(Int64)
    case null
}

/// Writes parquet shards readable by `pyarrow.parquet.read_table` and `datasets` exactly like the
/// hub's LibriSpeech parquet (audio `struct<bytes, path>` + "huggingface" features metadata).
/// Rows are buffered and written as row groups of `rowGroupRows` rows (or fewer once
/// `rowGroupBytes` of audio/text are pending). The file is written under a temporary name and
/// renamed onto `path` by `close()`, so readers never see a partial shard.
public final class ParquetShardWriter {
    public let path: String
    public let schema: [ShardColumn]
    public let rowGroupRows: Int
    public let rowGroupBytes: Int
    public private(set) var rowsWritten = 0
    private let temporaryPath: String
    private var handle: OpaquePointer?
    private var pendingBytes = 0

    /// - Parameter audioSamplingRate: recorded in the Audio feature metadata (nil: unspecified).
    public init(path: String, schema: [ShardColumn], rowGroupRows: Int = 100, rowGroupBytes: Int = 64 << 20,
                audioSamplingRate: Int? = Audio.targetSampleRate) throws {
        precondition(rowGroupRows > 0 && rowGroupBytes > 0, "row group limits must be positive")
        guard !schema.isEmpty else { throw SpeechDataError.writer(path: path, reason: "schema has no columns") }
        let names = schema.map(\.name)
        guard Set(names).count == names.count else {
            throw SpeechDataError.writer(path: path, reason: "duplicate column names in \(names)")
        }
        self.path = path
        self.schema = schema
        self.rowGroupRows = rowGroupRows
        self.rowGroupBytes = rowGroupBytes
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

        let metadata = huggingFaceMetadata(schema, audioSamplingRate: audioSamplingRate)
        var kinds = schema.map(\.type.kind)
        var created: OpaquePointer?
        let message = withCStrings(names) { cNames in
            withCStrings(["huggingface"]) { keys in
                withCStrings([metadata]) { values in
                    takeCError(carrow_writer_open(temporaryPath, cNames, &kinds, Int32(schema.count), keys, values, 1, &created))
                }
            }
        }
        if let message { throw SpeechDataError.writer(path: path, reason: message) }
        handle = created
    }

    deinit {
        // Not closed: the shard is incomplete, so it must not appear under its final name.
        if let handle {
            carrow_writer_free(handle)
            unlink(temporaryPath)
        }
    }

    /// Appends one row, values in schema order.
    public func append(_ row: [ShardValue]) throws {
        guard let handle else { throw SpeechDataError.writer(path: path, reason: "append after close") }
        guard row.count == schema.count else {
            throw SpeechDataError.writer(path: path, reason: "row has \(row.count) values, schema has \(schema.count) columns")
        }
        for (column, value) in zip(schema, row) {
            guard Self.accepts(column.type, value) else {
                throw SpeechDataError.writer(path: path, reason: "column '\(column.name)' (\(column.type)) given \(value)")
            }
        }
        for (index, value) in row.enumerated() {
            let column = Int32(index)
            let message: String?
            switch value {
            case let .audio(bytes, audioPath):
                pendingBytes += bytes?.count ?? 0
                message = Self.appendAudio(handle, column, bytes, audioPath)
            case let .string(text):
                pendingBytes += text.utf8.count
                message = text.withCString {
                    takeCError(carrow_writer_append_string(handle, column, $0, Int64(text.utf8.count)))
                }
            case let .float64(number): message = takeCError(carrow_writer_append_double(handle, column, number))
            case let .int64(number): message = takeCError(carrow_writer_append_int64(handle, column, number))
            case .null: message = takeCError(carrow_writer_append_null(handle, column))
            }
            if let message { throw SpeechDataError.writer(path: path, reason: message) }
        }
        if carrow_writer_pending_rows(handle) >= rowGroupRows || pendingBytes >= rowGroupBytes {
            try flushRowGroup()
        }
    }

    /// Appends one row given by column name; absent columns are null.
    public func append(_ row: [String: ShardValue]) throws {
        let unknown = Set(row.keys).subtracting(schema.map(\.name))
        guard unknown.isEmpty else {
            throw SpeechDataError.writer(path: path, reason: "unknown columns \(unknown.sorted())")
        }
        try append(schema.map { row[$0.name] ?? .null })
    }

    /// Writes the pending rows as a row group now.
    public func flushRowGroup() throws {
        guard let handle else { throw SpeechDataError.writer(path: path, reason: "flush after close") }
        let pending = Int(carrow_writer_pending_rows(handle))
        if let message = takeCError(carrow_writer_flush_row_group(handle)) {
            throw SpeechDataError.writer(path: path, reason: message)
        }
        rowsWritten += pending
        pendingBytes = 0
    }

    /// Writes the last row group and the footer, then renames the file onto `path`.
    public func close() throws {
        guard let handle else { return }
        try flushRowGroup()
        let message = takeCError(carrow_writer_close(handle))
        carrow_writer_free(handle)
        self.handle = nil
        if let message {
            unlink(temporaryPath)
            throw SpeechDataError.writer(path: path, reason: message)
        }
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw SpeechDataError.writer(path: path, reason: "rename from \(temporaryPath) failed: \(reason)")
        }
    }

    private static func accepts(_ type: ShardColumnType, _ value: ShardValue) -> Bool {
        switch (type, value) {
        case (_, .null), (.audio, .audio), (.string, .string), (.float64, .float64), (.int64, .int64): return true
        default: return false
        }
    }

    private static func appendAudio(_ handle: OpaquePointer, _ column: Int32, _ bytes: [UInt8]?, _ path: String?) -> String? {
        func withPath(_ body: (UnsafePointer<CChar>?) -> String?) -> String? {
            guard let path else { return body(nil) }
            return path.withCString { body($0) }
        }
        return withPath { cPath in
            guard let bytes else { return takeCError(carrow_writer_append_audio(handle, column, nil, 0, cPath)) }
            if bytes.isEmpty {  // an empty value still needs a non-NULL pointer: NULL means null
                var zero: UInt8 = 0
                return withUnsafePointer(to: &zero) { takeCError(carrow_writer_append_audio(handle, column, $0, 0, cPath)) }
            }
            return bytes.withUnsafeBufferPointer {
                takeCError(carrow_writer_append_audio(handle, column, $0.baseAddress, Int64($0.count), cPath))
            }
        }
    }
}
