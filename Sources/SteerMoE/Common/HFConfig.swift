import Foundation
import Torch

/// A Hugging Face `config.json` (or any JSON object file) with typed, error-reporting accessors:
/// a missing or mistyped key names the file, the key and what was expected.
public struct HFConfig: @unchecked Sendable {
    public let path: String
    public let values: [String: Any]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TorchError("\(path): cannot read (missing file?)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw TorchError("\(path): not a JSON object")
        }
        self.init(path: path, values: dict)
    }
    public init(path: String, values: [String: Any]) {
        self.path = path
        self.values = values
    }

    /// A nested object (e.g. "rope_scaling"), nil when absent or null.
    public func object(_ key: String) -> HFConfig? {
        guard let v = values[key] as? [String: Any] else { return nil }
        return HFConfig(path: "\(path) [\(key)]", values: v)
    }
    public func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    public func int(_ key: String) throws -> Int {
        guard let v = optionalInt(key) else { throw missing(key, "an integer") }
        return v
    }
    public func int(_ key: String, default fallback: Int) -> Int { optionalInt(key) ?? fallback }
    public func optionalInt(_ key: String) -> Int? {
        if let n = values[key] as? NSNumber, !Self.isBoolean(n) { return n.intValue }
        return nil
    }
    /// JSON true/false. Not `is Bool`: on Linux the parsed numbers 0 and 1 cast to Bool too
    /// (which made `"num_key_value_heads": 1` or `"pad_token_id": 0` read as absent).
    private static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
    public func double(_ key: String) throws -> Double {
        guard let v = optionalDouble(key) else { throw missing(key, "a number") }
        return v
    }
    public func double(_ key: String, default fallback: Double) -> Double { optionalDouble(key) ?? fallback }
    public func optionalDouble(_ key: String) -> Double? { (values[key] as? NSNumber)?.doubleValue }
    public func bool(_ key: String, default fallback: Bool) -> Bool { (values[key] as? Bool) ?? fallback }
    public func string(_ key: String) throws -> String {
        guard let v = values[key] as? String else { throw missing(key, "a string") }
        return v
    }
    public func string(_ key: String, default fallback: String) -> String { (values[key] as? String) ?? fallback }
    /// An integer or a list of integers (e.g. `eos_token_id`), as a list.
    public func intList(_ key: String) -> [Int] {
        if let n = optionalInt(key) { return [n] }
        if let a = values[key] as? [NSNumber] { return a.map(\.intValue) }
        return []
    }

    private func missing(_ key: String, _ what: String) -> TorchError {
        if let v = values[key] { return TorchError("\(path): key '\(key)' should be \(what), found \(v)") }
        return TorchError("\(path): missing key '\(key)' (expected \(what))")
    }
}

/// A Hugging Face model folder: config.json plus weights (model.safetensors or a sharded index).
public struct ModelFolder: Sendable {
    public let url: URL
    public let config: HFConfig

    public init(_ path: String) throws {
        url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw TorchError("\(path): not a model folder (expected a directory with config.json and *.safetensors)")
        }
        config = try HFConfig(path: url.appendingPathComponent("config.json").path)
    }

    /// Makes `path` ready to receive a converted model: a new or empty folder, or an earlier
    /// conversion (it has a config.json) whose files are replaced; never a folder of other files
    /// (`--out docs`) or one that holds a source (its own config.json would be overwritten).
    public static func prepareOutput(_ path: String, sourceFiles: [String]) throws {
        try OutputFolder.check(path, marker: "config.json", kind: "a model folder", sources: sourceFiles,
                               sourceNoun: "source", what: "output folder")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func optionalConfig(_ name: String) throws -> HFConfig? {
        FileManager.default.fileExists(atPath: file(name)) ? try HFConfig(path: file(name)) : nil
    }

    /// All weights, memory-mapped (converted only when `dtype` differs from the stored type).
    public func weights(dtype: DType? = nil) throws -> [String: Tensor] {
        try Safetensors.load(url.path, dtype: dtype)
    }
}

/// Keeps the entries under `prefix` (e.g. "model.encoder.") with the prefix removed.
public func strippingPrefix(_ prefix: String, from weights: [String: Tensor]) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (k, v) in weights where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
    return out
}
