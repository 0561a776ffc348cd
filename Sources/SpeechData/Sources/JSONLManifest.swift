import Foundation

/// A JSONL manifest: one `{"audio": "path.flac", "text": "..."}` object per line; paths relative
/// to the manifest's folder. Manifests are small, so the lines are kept in memory. Blank lines
/// are not rows; a row's number is its line number - 1, so reports point at the right line.
struct JSONLManifest: Sendable {
    let path: String
    /// Non-blank lines with their 0-based line index; text nil when the line is not valid UTF-8.
    let lines: [(index: Int, text: String?)]
    /// The keys of the first parseable line, presented as columns (for errors and inspect).
    let schema: TableSchema

    init(path: String) throws {
        self.path = path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Split bytes, not a decoded string: a decoded string would hide invalid UTF-8 behind U+FFFD.
        lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
            .map { (index: $0.offset, text: String(validating: $0.element, as: UTF8.self)) }
            .filter { $0.text.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? true }
        let first = lines.lazy.compactMap { $0.text.flatMap(Self.parse) }.first ?? [:]
        schema = TableSchema(columns: first.keys.sorted().map { key in
            ColumnInfo(name: key, type: first[key] is String ? "string" : "json")
        }, metadata: [:])
    }

    static func parse(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// The row at position `position` among the non-blank lines.
    func row(_ position: Int, mapping: ColumnMapping, folder: String) -> RawRow {
        let index = lines[position].index
        var row = RawRow(file: path, row: index, audio: .none)
        guard let line = lines[position].text else {
            row.rowProblem = RowFailure(.invalidText, "line \(index + 1) is not valid UTF-8")
            return row
        }
        guard let object = Self.parse(line) else {
            row.rowProblem = RowFailure(.malformed, "line \(index + 1) is not a JSON object")
            return row
        }
        if let text = object[mapping.text] as? String {
            row.text = text
        } else {
            row.textProblem = "line \(index + 1) has no string '\(mapping.text)'"
        }
        if let audio = object[mapping.audio] as? String, !audio.isEmpty {
            row.audio = .file(audio.hasPrefix("/") ? audio : folder + "/" + audio)
        } else {
            row.audio = .unavailable(.missingAudio, "line \(index + 1) has no string '\(mapping.audio)'")
        }
        return row
    }
}
