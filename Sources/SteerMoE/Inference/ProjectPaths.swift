import Foundation

/// Finding the checkout's files (the bundled default adapter, the converted models its config
/// names) from any current folder: `steermoe` is run as `.build/release/steermoe` from the
/// checkout, but also by its full path from elsewhere.
public enum ProjectPaths {
    /// The bundled default adapter, relative to the checkout.
    public static let bundledDefault = "checkpoints/default"

    /// `path` made absolute (against the current folder), then each folder above it up to `/`.
    static func selfAndAncestors(of path: String, currentDirectory: String = FileManager.default.currentDirectoryPath) -> [String] {
        var url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            .standardizedFileURL
        var out = [url.path]
        while url.path != "/" {
            url = url.deletingLastPathComponent().standardizedFileURL
            out.append(url.path)
        }
        return out
    }

    /// The bundled default: `checkpoints/default` in the current folder, else in the checkout that
    /// holds the running binary (`<checkout>/.build/release/steermoe`, symbolic links resolved).
    /// Nil when neither has one.
    public static func locateBundledDefault(currentDirectory: String = FileManager.default.currentDirectoryPath,
                                            executable: String? = Bundle.main.executablePath) -> String? {
        let fm = FileManager.default
        let local = URL(fileURLWithPath: bundledDefault, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true)).path
        if fm.fileExists(atPath: local + "/" + Checkpoint.adapterFile) { return bundledDefault }
        guard let executable else { return nil }
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().path
        return selfAndAncestors(of: binary, currentDirectory: currentDirectory).map { $0 + "/" + bundledDefault }
            .first { fm.fileExists(atPath: $0 + "/" + Checkpoint.adapterFile) }
    }
}
