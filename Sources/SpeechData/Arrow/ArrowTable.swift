import CArrow

/// Column name and Arrow type text of one top-level field.
public struct ColumnInfo: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var type: String
    public var description: String { "\(name): \(type)" }
}

/// Field list plus key-value metadata (e.g. the "huggingface" features JSON).
public struct TableSchema: Sendable, Equatable {
    public var columns: [ColumnInfo]
    public var metadata: [String: String]
    public var names: [String] { columns.map(\.name) }

    public func column(_ name: String) -> ColumnInfo? { columns.first { $0.name == name } }

    public init(columns: [ColumnInfo], metadata: [String: String]) {
        self.columns = columns
        self.metadata = metadata
    }

    init(_ schema: OpaquePointer) {
        columns = (0..<Int(carrow_schema_num_fields(schema))).map {
            ColumnInfo(name: String(cString: carrow_schema_field_name(schema, Int32($0))),
                       type: String(cString: carrow_schema_field_type(schema, Int32($0))))
        }
        var metadata: [String: String] = [:]
        for key in ["huggingface"] {
            if let value = takeCError(carrow_schema_metadata(schema, key)) { metadata[key] = value }
        }
        self.metadata = metadata
    }
}

/// Rows of the selected columns of one row group / record batch. Holds its Arrow buffers.
public final class ArrowTable: @unchecked Sendable {
    let handle: OpaquePointer
    /// "path/file.parquet row group 3": prefixed to column errors.
    public let context: String
    public let rowCount: Int

    init(handle: OpaquePointer, context: String) {
        self.handle = handle
        self.context = context
        rowCount = Int(carrow_table_num_rows(handle))
    }

    deinit { carrow_table_free(handle) }

    public func column(_ name: String) throws -> ArrowColumn {
        var column: OpaquePointer?
        if let message = takeCError(carrow_table_column(handle, name, &column)) {
            throw SpeechDataError.arrow(context: context, reason: message)
        }
        return ArrowColumn(handle: column!, context: "\(context) column '\(name)'")
    }
}

/// Calls body with a C array of C strings (valid only inside body).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
}

#if canImport(Glibc)
import Glibc
#endif
