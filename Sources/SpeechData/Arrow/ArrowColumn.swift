import CArrow
#if canImport(Glibc)
import Glibc
#endif

/// Row-major float matrix, e.g. a precomputed `input_features` value (mel bins x frames).
public struct FloatMatrix: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var values: [Float]

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "matrix \(rows)x\(cols) given \(values.count) values")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public subscript(row: Int, col: Int) -> Float { values[row * cols + col] }
}

/// One column of an `ArrowTable` (possibly several Arrow chunks), read by row. Immutable after
/// creation, so it can be read from several threads.
public final class ArrowColumn: @unchecked Sendable {
    let handle: OpaquePointer
    /// "file.parquet column 'text'": prefixed to every error.
    public let context: String
    /// Arrow's type text, e.g. "struct<bytes: binary, path: string>" or "list<element: float>".
    public let typeDescription: String
    public let count: Int

    init(handle: OpaquePointer, context: String) {
        self.handle = handle
        self.context = context
        typeDescription = String(cString: carrow_column_type(handle))
        count = Int(carrow_column_length(handle))
    }

    deinit { carrow_column_free(handle) }

    private func check(_ error: UnsafeMutablePointer<CChar>?, row: Int? = nil) throws {
        if let message = takeCError(error) {
            let at = row.map { " row \($0)" } ?? ""
            throw SpeechDataError.arrow(context: context + at, reason: message)
        }
    }

    public func isNull(_ row: Int) -> Bool { carrow_column_is_null(handle, Int64(row)) != 0 }

    /// Child of a struct column; null parent rows read as null children.
    public func field(_ name: String) throws -> ArrowColumn {
        var child: OpaquePointer?
        try check(carrow_column_struct_field(handle, name, &child))
        return ArrowColumn(handle: child!, context: "\(context).\(name)")
    }

    /// Type tests on Arrow's type text (callers ask for fields / values and handle errors).
    public var isStruct: Bool { typeDescription.hasPrefix("struct<") }
    public var isList: Bool {
        typeDescription.hasPrefix("list<") || typeDescription.hasPrefix("large_list<")
            || typeDescription.hasPrefix("fixed_size_list<")
    }
    public var isStringLike: Bool {
        ["string", "large_string", "string_view", "binary", "large_binary", "binary_view"].contains(typeDescription)
    }

    /// Zero-copy view of a binary/string value; nil for null. The view is only valid inside body.
    public func withBytes<R>(_ row: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        var data: UnsafePointer<UInt8>?
        var size: Int64 = 0
        try check(carrow_column_binary(handle, Int64(row), &data, &size), row: row)
        guard let data else { return try body(nil) }
        return try body(UnsafeRawBufferPointer(start: data, count: Int(size)))
    }

    public func bytes(_ row: Int) throws -> [UInt8]? {
        try withBytes(row) { $0.map { [UInt8]($0) } }
    }

    /// A string value validated as UTF-8; nil for null. Invalid UTF-8 throws (never replaced silently).
    public func string(_ row: Int) throws -> String? {
        try withBytes(row) { buffer in
            guard let buffer else { return nil }
            guard let text = String(validating: buffer.bindMemory(to: UInt8.self), as: UTF8.self) else {
                throw SpeechDataError.arrow(context: "\(context) row \(row)", reason: "text is not valid UTF-8")
            }
            return text
        }
    }

    public func int64(_ row: Int) throws -> Int64 {
        var value: Int64 = 0
        try check(carrow_column_int64(handle, Int64(row), &value), row: row)
        return value
    }

    public func double(_ row: Int) throws -> Double {
        var value: Double = 0
        try check(carrow_column_double(handle, Int64(row), &value), row: row)
        return value
    }

    public func listLength(_ row: Int) throws -> Int {
        var length: Int64 = 0
        try check(carrow_column_list_length(handle, Int64(row), &length), row: row)
        return Int(length)
    }

    /// A list<numeric> value as Float (null elements become NaN).
    public func floats(_ row: Int) throws -> [Float] {
        let length = try listLength(row)
        return try [Float](unsafeUninitializedCapacity: length) { buffer, initialized in
            try check(carrow_column_list_floats(handle, Int64(row), buffer.baseAddress, Int64(length)), row: row)
            initialized = length
        }
    }

    /// A list<integer> value as Int64.
    public func int64s(_ row: Int) throws -> [Int64] {
        let length = try listLength(row)
        return try [Int64](unsafeUninitializedCapacity: length) { buffer, initialized in
            try check(carrow_column_list_int64s(handle, Int64(row), buffer.baseAddress, Int64(length)), row: row)
            initialized = length
        }
    }

    /// A list<list<numeric>> value; ragged inner lists throw.
    public func matrix(_ row: Int) throws -> FloatMatrix {
        var rows: Int64 = 0
        var cols: Int64 = 0
        try check(carrow_column_matrix_shape(handle, Int64(row), &rows, &cols), row: row)
        let total = Int(rows * cols)
        let values = try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            try check(carrow_column_matrix_floats(handle, Int64(row), buffer.baseAddress, Int64(total)), row: row)
            initialized = total
        }
        return FloatMatrix(rows: Int(rows), cols: Int(cols), values: values)
    }
}
