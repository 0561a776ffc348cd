import Foundation
import Yams

/// A parsed YAML mapping with typed, path-named accessors and a record of which keys were read,
/// so that unknown keys can be reported with the closest valid spelling.
struct YAMLTree {
    let source: String
    let root: [String: Any]

    init(yaml text: String, source: String) throws {
        let parsed: Any?
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw ConfigError("\(source): not valid YAML: \(error)") }
        if let node { try Self.rejectDuplicateKeys(node, path: "", source: source) }
        parsed = node?.any  // what Yams.load gives, without parsing the text a second time
        guard let dict = parsed as? [String: Any] else {
            if parsed == nil { root = [:]; self.source = source; return }
            throw ConfigError("\(source): the top level must be a mapping of keys")
        }
        root = dict
        self.source = source
    }

    /// Yams keeps the last of two equal keys without a word, so a key written twice (an edited copy
    /// of a recipe) would silently change a run; name it and its lines instead.
    private static func rejectDuplicateKeys(_ node: Node, path: String, source: String) throws {
        if let mapping = node.mapping {
            var firstLine: [String: Int] = [:]
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                let dotted = path.isEmpty ? name : "\(path).\(name)"
                let line = key.mark?.line ?? 0
                if let earlier = firstLine[name] {
                    throw ConfigError("\(source): '\(dotted)' is set twice (lines \(earlier) and \(line)); keep one")
                }
                firstLine[name] = line
                try rejectDuplicateKeys(value, path: dotted, source: source)
            }
        } else if let sequence = node.sequence {
            for (i, item) in sequence.enumerated() { try rejectDuplicateKeys(item, path: "\(path)[\(i)]", source: source) }
        }
    }

    /// Value at a dotted path ("training.batch_size"), nil when absent or null.
    func value(_ path: String) -> Any? {
        var node: Any? = root
        for part in path.split(separator: ".") {
            guard let dict = node as? [String: Any] else { return nil }
            node = dict[String(part)]
        }
        if node is NSNull { return nil }
        return node
    }

    func int(_ path: String) throws -> Int? {
        guard let v = value(path) else { return nil }
        if let i = v as? Int { return i }
        if let d = v as? Double, d == d.rounded() { return Int(d) }
        if let s = v as? String, let i = Int(s) { return i }
        throw ConfigError("\(source): '\(path)' should be an integer, found \(v)")
    }
    func double(_ path: String) throws -> Double? {
        guard let v = value(path) else { return nil }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        // YAML 1.1 reads "1e-4" (no dot) as a string; upstream's configs rely on it being a number.
        if let s = v as? String, let d = Double(s) { return d }
        throw ConfigError("\(source): '\(path)' should be a number, found \(v)")
    }
    func bool(_ path: String) throws -> Bool? {
        guard let v = value(path) else { return nil }
        if let b = v as? Bool { return b }
        throw ConfigError("\(source): '\(path)' should be true or false, found \(v)")
    }
    func string(_ path: String) throws -> String? {
        guard let v = value(path) else { return nil }
        if let s = v as? String { return s }
        if v is Int || v is Double || v is Bool { return "\(v)" }
        throw ConfigError("\(source): '\(path)' should be a string, found \(v)")
    }
    func strings(_ path: String) throws -> [String]? {
        guard let v = value(path) else { return nil }
        if let s = v as? String { return [s] }
        if let a = v as? [Any] {
            return try a.map {
                guard let s = $0 as? String else { throw ConfigError("\(source): '\(path)' should list strings, found \($0)") }
                return s
            }
        }
        throw ConfigError("\(source): '\(path)' should be a list of strings, found \(v)")
    }

    func doubles(_ path: String) throws -> [Double]? {
        guard let v = value(path) else { return nil }
        let items = v as? [Any] ?? [v]
        return try items.map {
            if let d = $0 as? Double { return d }
            if let i = $0 as? Int { return Double(i) }
            if let s = $0 as? String, let d = Double(s) { return d }
            throw ConfigError("\(source): '\(path)' should list numbers, found \($0)")
        }
    }

    /// Every leaf path (mappings are descended; lists are leaves).
    func leafPaths() -> [String] {
        func walk(_ node: Any, _ prefix: String) -> [String] {
            guard let dict = node as? [String: Any] else { return [prefix] }
            return dict.keys.sorted().flatMap { k in walk(dict[k]!, prefix.isEmpty ? k : "\(prefix).\(k)") }
        }
        return walk(root, "")
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = message }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where j <= b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
