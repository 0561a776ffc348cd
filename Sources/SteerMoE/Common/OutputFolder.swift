import Foundation

/// Folders that a command fills or replaces (`export --out`, `convert --out`): checked before a
/// byte is written, so a mistyped `--out` cannot delete or litter a folder of other files.
enum OutputFolder {
    /// `path` absolute, with `.`/`..` and symbolic links resolved (two spellings of one folder compare equal).
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Throws unless `path` is new, empty or an earlier output of the same kind (it holds `marker`),
    /// and is not, and does not hold, any of `sources` (what the command reads).
    /// `what` names the folder in messages; `sourceNoun` and `kind` describe the source and the output.
    static func check(_ path: String, marker: String, kind: String, sources: [String], sourceNoun: String, what: String) throws {
        let output = realPath(path)
        for source in sources {
            let s = realPath(source)
            if s == output || s.hasPrefix(output + "/") {
                throw ConfigError("\(what) \(path) holds the \(sourceNoun) \(source) itself: choose another folder")
            }
        }
        guard let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty else { return }
        guard contents.contains(marker) else {
            throw ConfigError("\(what) \(path) exists and is not \(kind) (no \(marker)): refusing to write into it; choose a new folder")
        }
    }
}
