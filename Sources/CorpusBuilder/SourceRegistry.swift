import Foundation
import SkyCorpus

/// Settings the sources need from the command line.
public struct SourceSettings: Sendable {
    public var gameDirectory = DiskArchive.defaultGameDirectory
    public init() {}
}

/// Maps source names to sources, checking every prerequisite of every requested source
/// before any is opened, so one message lists all missing installs.
public enum SourceRegistry {
    public static let known = [SkySource.sourceName]

    public static func prerequisites(for name: String, settings: SourceSettings) throws -> [Prerequisite] {
        switch name {
        case SkySource.sourceName: return SkySource.prerequisites(gameDirectory: settings.gameDirectory)
        default: throw CorpusBuildError.unknownSource(name, known: known)
        }
    }

    public static func make(_ names: [String], settings: SourceSettings) throws -> [CorpusSource] {
        try Prerequisite.require(names.flatMap { try prerequisites(for: $0, settings: settings) })
        return try names.map { name -> CorpusSource in
            switch name {
            case SkySource.sourceName: return try SkySource(gameDirectory: settings.gameDirectory)
            default: throw CorpusBuildError.unknownSource(name, known: known)
            }
        }
    }
}
