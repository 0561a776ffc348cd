import Foundation

/// A parsed JSON file that remembers its path, so that field errors can name it.
struct JSONFile {
    let path: String
    let root: [String: Any]
    /// The file's bytes, for fields Foundation's parser cannot return exactly (`RawVocabulary`).
    let data: Data

    /// Reads and parses `url`; `expected` describes the file for the not-found message.
    init(url: URL, expected: String) throws {
        path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TokenizerError.fileNotFound(path: path, expected: expected)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.fileNotFound(path: path, expected: expected)
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw TokenizerError.malformedJSON(path: path, detail: "not parseable as JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else {
            throw TokenizerError.malformedJSON(path: path, detail: "top level is not a JSON object")
        }
        root = dict
        self.data = data
    }

    /// Reads `url` only when it exists (optional companion files such as generation_config.json).
    static func optional(url: URL, expected: String) throws -> JSONFile? {
        FileManager.default.fileExists(atPath: url.path) ? try JSONFile(url: url, expected: expected) : nil
    }

    func invalid(_ field: String, _ expected: String) -> TokenizerError {
        .invalidField(path: path, field: field, expected: expected)
    }

    func unsupported(_ what: String) -> TokenizerError {
        .unsupported(path: path, what: what)
    }
}

/// Typed access to loosely typed JSONSerialization values, failing with the field's path.
extension JSONFile {
    func object(_ value: Any?, _ field: String) throws -> [String: Any] {
        guard let dict = value as? [String: Any] else { throw invalid(field, "an object") }
        return dict
    }

    func string(_ value: Any?, _ field: String) throws -> String {
        guard let text = value as? String else { throw invalid(field, "a string") }
        return text
    }

    func bool(_ value: Any?, _ field: String, default fallback: Bool) throws -> Bool {
        guard let value, !(value is NSNull) else { return fallback }
        if let flag = value as? Bool { return flag }
        throw invalid(field, "true or false")
    }

    func int(_ value: Any?, _ field: String) throws -> Int {
        if let number = value as? Int { return number }
        if let number = value as? NSNumber { return number.intValue }
        throw invalid(field, "an integer")
    }

    func array(_ value: Any?, _ field: String) throws -> [Any] {
        guard let items = value as? [Any] else { throw invalid(field, "an array") }
        return items
    }

    static func isNull(_ value: Any?) -> Bool { value == nil || value is NSNull }
}
