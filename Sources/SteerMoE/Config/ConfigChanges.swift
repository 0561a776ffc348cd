import Foundation

extension TrainingConfig {
    /// The settings whose values differ between two effective configs (`effectiveYAML()` text), as
    /// "key (old → new)", in key order. A resumed run reports them: a changed batch size, seed or
    /// data list silently changes which batches the remaining steps see.
    static func changedSettings(from old: String, to new: String) throws -> [String] {
        let before = try YAMLTree(yaml: old, source: "checkpoint config")
        let after = try YAMLTree(yaml: new, source: "config")
        let render = { (value: Any?) in value.map { "\($0)" } ?? "unset" }
        return Set(before.leafPaths() + after.leafPaths()).sorted().compactMap { key in
            let (a, b) = (render(before.value(key)), render(after.value(key)))
            return a == b ? nil : "\(key) (\(a) → \(b))"
        }
    }
}
