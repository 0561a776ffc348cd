import Foundation

/// A JSONL manifest: one `{"audio": "path.flac", "text": "..."}` object per line; paths relative
/// to the manifest's folder. Manifests are small, so the lines are kept in memory.
struct JSONLManifest: Sendable {
    let path: String
    let lines: [String]
    /// The keys of the first parseable line, presented as columns (for errors and inspect).
    let schema: TableSchema

    init(path: String) throws {
        self.path = path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let first = lines.lazy.compactMap(Self.parse).first ?? [:]
        schema = TableSchema(columns: first.keys.sorted().map { key in
            ColumnInfo(name: key, type: first[key] is String ? "string" : "json")
        }, metadata: [:])
    }

    static func parse(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    func row(_ index: Int, mapping: ColumnMapping, folder: String) -> RawRow {
        var row = RawRow(file: path, row: index, audio: .none)
        guard let object = Self.parse(lines[index]) else {
            row.audio = .unavailable(.malformed, "line \(index + 1) is not a JSON object")
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
