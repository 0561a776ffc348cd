import Foundation

/// One file of a data source, in the order the pipeline reads it.
public struct DataFile: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case parquet, arrowIPC, jsonl }
    public var path: String
    public var kind: Kind
    public var description: String { path }

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// Expands the `parquet_dirs` config list into data files, concatenated in list order:
/// - a folder: `*.parquet` files found recursively and `datasets.save_to_disk` folders
///   (state.json + data-*.arrow), sorted by path for determinism;
/// - a `.parquet` / `.arrow` file: itself;
/// - a `.jsonl` manifest: `{"audio": path, "text": ...}` lines, paths relative to the manifest.
public enum SourceResolver {
    static let looked = "*.parquet files or datasets.save_to_disk folders (state.json + data-*.arrow), searched recursively"

    public static func resolve(_ paths: [String]) throws -> [DataFile] {
        try paths.flatMap(resolve)
    }

    public static func resolve(_ path: String) throws -> [DataFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpeechDataError.missingSource(path: path)
        }
        if !isDirectory.boolValue {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "parquet": return [DataFile(path: path, kind: .parquet)]
            case "arrow": return [DataFile(path: path, kind: .arrowIPC)]
            case "jsonl": return [DataFile(path: path, kind: .jsonl)]
            default:
                throw SpeechDataError.malformed(file: path, reason: "not a data file (expected .parquet, .arrow, .jsonl or a folder)")
            }
        }
        let files = try scan(folder: path)
        if files.isEmpty { throw SpeechDataError.emptySource(path: path, looked: looked) }
        return files
    }

    /// Depth-first, children sorted by name; a save_to_disk folder is a leaf.
    private static func scan(folder: String) throws -> [DataFile] {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder + "/dataset_dict.json") {
            let splits = (try? manager.contentsOfDirectory(atPath: folder))?.filter {
                manager.fileExists(atPath: "\(folder)/\($0)/state.json")
            }.sorted() ?? []
            throw SpeechDataError.malformed(
                file: folder, reason: "is a datasets DatasetDict with splits [\(splits.joined(separator: ", "))]; "
                    + "list one split folder (e.g. \(folder)/\(splits.first ?? "train")) in parquet_dirs")
        }
        if manager.fileExists(atPath: folder + "/state.json") { return try saveToDiskFiles(folder) }
        var files: [DataFile] = []
        for name in try manager.contentsOfDirectory(atPath: folder).sorted() where !name.hasPrefix(".") {
            let child = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: child, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files += try scan(folder: child)
            } else if name.lowercased().hasSuffix(".parquet") {
                files.append(DataFile(path: child, kind: .parquet))
            }
        }
        return files
    }

    /// The arrow files named by state.json's `_data_files`, in that order.
    private static func saveToDiskFiles(_ folder: String) throws -> [DataFile] {
        let statePath = folder + "/state.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: statePath))
        guard let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = state["_data_files"] as? [[String: Any]] else {
            throw SpeechDataError.malformed(file: statePath, reason: "no _data_files list")
        }
        let names = entries.compactMap { $0["filename"] as? String }
        if names.isEmpty { throw SpeechDataError.emptySource(path: folder, looked: "data files listed in state.json") }
        return try names.map { name in
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw SpeechDataError.malformed(file: statePath, reason: "lists \(name), which is missing")
            }
            return DataFile(path: path, kind: .arrowIPC)
        }
    }
}
