import Foundation

/// Appends one JSON line per skipped row to a report file (skipped.jsonl):
/// `{"detail": ..., "reason": "undecodable", "row": 7, "source": "/data/x.parquet"}`.
/// Thread-safe; each line is written and flushed as it comes, so a crash keeps the report.
public final class SkipReport: @unchecked Sendable {
    public let path: String
    private let handle: FileHandle
    private let lock = NSLock()
    public private(set) var count = 0

    /// Creates (or truncates) the report file.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw SpeechDataError.malformed(file: path, reason: "cannot create skip report")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    deinit { try? handle.close() }

    public func record(source: String, row: Int, failure: RowFailure) {
        let object: [String: Any] = ["source": source, "row": row, "reason": failure.reason.rawValue, "detail": failure.detail]
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.withLock {
            handle.write(line)
            count += 1
        }
    }
}
