import Foundation

/// Something a source needs that this tool does not install itself (a Debian package, a
/// program, Python modules), with the exact command that installs it.
public struct Prerequisite: Sendable, Equatable {
    public let what: String
    public let installCommand: String
    public let isMet: Bool

    public init(what: String, installCommand: String, isMet: Bool) {
        self.what = what
        self.installCommand = installCommand
        self.isMet = isMet
    }

    /// Files that must exist (e.g. a Debian package's data).
    public static func files(_ paths: [String], what: String, debianPackage: String) -> Prerequisite {
        Prerequisite(what: what, installCommand: "apt-get install -y \(debianPackage)",
                     isMet: paths.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    }

    /// A program on PATH.
    public static func program(_ name: String, debianPackage: String) -> Prerequisite {
        Prerequisite(what: "program `\(name)`", installCommand: "apt-get install -y \(debianPackage)",
                     isMet: ExternalProgram.find(name) != nil)
    }

    /// Python modules importable by `python`.
    public static func pythonModules(_ modules: [String], python: String, pipPackages: [String]) -> Prerequisite {
        let check = "import " + modules.joined(separator: ", ")
        let ok = (try? ExternalProgram.run(python, ["-c", check]))?.status == 0
        return Prerequisite(what: "Python modules \(modules.joined(separator: ", ")) for \(python)",
                            installCommand: "\(python) -m pip install \(pipPackages.joined(separator: " "))", isMet: ok)
    }

    /// Throws listing every unmet prerequisite with its install command.
    public static func require(_ all: [Prerequisite]) throws {
        let missing = all.filter { !$0.isMet }
        if !missing.isEmpty { throw CorpusBuildError.missingPrerequisites(missing) }
    }
}
