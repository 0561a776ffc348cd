/// Errors of the data pipeline. Every case names the file (and row where there is one) so a
/// message alone tells the user what to fix.
public enum SpeechDataError: Error, CustomStringConvertible, Equatable {
    /// Audio that libsndfile/soxr could not handle; `source` is a file path or "file.parquet row 7".
    case audio(source: String, reason: String)
    /// Arrow/Parquet failure reported by the C++ layer.
    case arrow(context: String, reason: String)
    /// A requested column is not in the file; `available` lists what is there.
    case missingColumn(column: String, file: String, available: [String])
    /// A column exists but its Arrow type is not one this pipeline reads.
    case unsupportedColumnType(column: String, type: String, file: String, expected: String)
    /// A configured source path holds no data files.
    case emptySource(path: String, looked: String)
    /// A configured source path does not exist.
    case missingSource(path: String)
    /// A manifest or metadata file could not be parsed.
    case malformed(file: String, reason: String)
    /// Writer misuse (wrong column count/type, append after close, ...).
    case writer(path: String, reason: String)
    /// Every row of the configured sources was filtered out; `summary` holds the counts and examples.
    case noUsableRows(paths: [String], summary: String)

    public var description: String {
        switch self {
        case let .audio(source, reason):
            return "audio \(source): \(reason)"
        case let .arrow(context, reason):
            return "\(context): \(reason)"
        case let .noUsableRows(paths, summary):
            return "no usable rows in \(paths.joined(separator: ", ")): \(summary)"
        case let .missingColumn(column, file, available):
            return "column '\(column)' not found in \(file); columns present: \(available.joined(separator: ", "))"
        case let .unsupportedColumnType(column, type, file, expected):
            return "column '\(column)' in \(file) has type \(type); expected \(expected)"
        case let .emptySource(path, looked):
            return "no data files in \(path) (looked for \(looked))"
        case let .missingSource(path):
            return "data source \(path) does not exist"
        case let .malformed(file, reason):
            return "\(file): \(reason)"
        case let .writer(path, reason):
            return "parquet writer \(path): \(reason)"
        }
    }
}

/// Takes ownership of a malloc'd C error string (NULL = success) and frees it.
func takeCError(_ message: UnsafeMutablePointer<CChar>?) -> String? {
    guard let message else { return nil }
    defer { free(message) }
    return String(cString: message)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
