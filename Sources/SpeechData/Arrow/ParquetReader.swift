import CArrow
import Foundation

/// A parquet file read one row group at a time (never the whole file), with only the columns asked
/// for. Reads are serialised by a lock, so one reader can serve several threads.
public final class ParquetReader: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String
    public let schema: TableSchema
    public let rowCount: Int
    /// Rows in each row group.
    public let rowGroupSizes: [Int]
    private let lock = NSLock()

    public init(path: String) throws {
        var handle: OpaquePointer?
        if let message = takeCError(carrow_parquet_open(path, &handle)) {
            throw SpeechDataError.arrow(context: path, reason: message)
        }
        self.handle = handle!
        self.path = path
        schema = TableSchema(carrow_parquet_schema(handle)!)
        rowCount = Int(carrow_parquet_num_rows(handle))
        rowGroupSizes = (0..<Int(carrow_parquet_num_row_groups(handle))).map {
            Int(carrow_parquet_row_group_num_rows(handle, Int32($0)))
        }
    }

    deinit { carrow_parquet_free(handle) }

    public var rowGroupCount: Int { rowGroupSizes.count }

    /// Reads one row group; `columns` empty reads all. Unknown names throw `missingColumn`.
    public func readRowGroup(_ index: Int, columns: [String] = []) throws -> ArrowTable {
        for name in columns where schema.column(name) == nil {
            throw SpeechDataError.missingColumn(column: name, file: path, available: schema.names)
        }
        var table: OpaquePointer?
        let message = withCStrings(columns) { names in
            lock.withLock { takeCError(carrow_parquet_read_row_group(handle, Int32(index), names, Int32(columns.count), &table)) }
        }
        if let message { throw SpeechDataError.arrow(context: "\(path) row group \(index)", reason: message) }
        return ArrowTable(handle: table!, context: "\(path) row group \(index)")
    }
}

/// An Arrow IPC file (stream or file format), memory-mapped; e.g. `data-00000-of-00002.arrow`
/// written by `datasets.save_to_disk`. Record batches play the role of row groups.
public final class ArrowIPCReader: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String
    public let schema: TableSchema
    public let batchSizes: [Int]
    private let lock = NSLock()

    public init(path: String) throws {
        var handle: OpaquePointer?
        if let message = takeCError(carrow_ipc_open(path, &handle)) {
            throw SpeechDataError.arrow(context: path, reason: message)
        }
        self.handle = handle!
        self.path = path
        schema = TableSchema(carrow_ipc_schema(handle)!)
        batchSizes = (0..<Int(carrow_ipc_num_batches(handle))).map { Int(carrow_ipc_batch_num_rows(handle, Int32($0))) }
    }

    deinit { carrow_ipc_free(handle) }

    public var rowCount: Int { batchSizes.reduce(0, +) }

    public func readBatch(_ index: Int, columns: [String] = []) throws -> ArrowTable {
        for name in columns where schema.column(name) == nil {
            throw SpeechDataError.missingColumn(column: name, file: path, available: schema.names)
        }
        var table: OpaquePointer?
        let message = withCStrings(columns) { names in
            lock.withLock { takeCError(carrow_ipc_read_batch(handle, Int32(index), names, Int32(columns.count), &table)) }
        }
        if let message { throw SpeechDataError.arrow(context: "\(path) batch \(index)", reason: message) }
        return ArrowTable(handle: table!, context: "\(path) batch \(index)")
    }
}
