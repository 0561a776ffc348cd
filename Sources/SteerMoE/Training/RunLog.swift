import Foundation

/// Where a run reports: console lines, `train_log.jsonl` (one JSON object per record) and
/// TensorBoard scalars under the logging folder.
public final class RunLog {
    private let jsonl: FileHandle?
    private let tensorboard: TensorBoardWriter?
    public let quiet: Bool

    public init(outputDir: String, loggingDir: String?, quiet: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let path = outputDir + "/train_log.jsonl"
        if !FileManager.default.fileExists(atPath: path) && !FileManager.default.createFile(atPath: path, contents: nil) {
            throw ConfigError("\(path): cannot create the training log")
        }
        jsonl = FileHandle(forWritingAtPath: path)
        _ = try? jsonl?.seekToEnd()
        tensorboard = try TensorBoardWriter(directory: loggingDir ?? outputDir + "/tensorboard")
        self.quiet = quiet
    }

    private init() {
        jsonl = nil
        tensorboard = nil
        quiet = true
    }

    /// A log that writes and prints nothing (data-parallel ranks other than 0).
    public static func silent() -> RunLog { RunLog() }

    public func say(_ line: String) {
        if !quiet { print(line) }
        fflush(nil)  // all output streams (progress must show up when piped)
    }

    /// A structured record (`kind`: train, eval, steering, ...). Numeric fields also go to TensorBoard as kind/field.
    public func record(_ kind: String, step: Int, _ fields: [String: Any]) {
        var object = fields
        object["kind"] = kind
        object["step"] = step
        object["time"] = Date().timeIntervalSince1970
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            jsonl?.write(data + Data("\n".utf8))
        }
        var scalars: [String: Double] = [:]
        for (k, v) in fields {
            if let d = v as? Double { scalars["\(kind)/\(k)"] = d } else if let i = v as? Int { scalars["\(kind)/\(k)"] = Double(i) }
        }
        if !scalars.isEmpty { tensorboard?.scalars(scalars, step: step) }
    }

    public func flush() {
        try? jsonl?.synchronize()
        tensorboard?.flush()
    }
}
