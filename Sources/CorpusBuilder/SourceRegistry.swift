import Foundation
import QueenCorpus
import SkyCorpus

/// Settings the sources need from the command line.
public struct SourceSettings: Sendable {
    public var gameDirectory = DiskArchive.defaultGameDirectory
    /// Flight of the Amazon Queen's queen.1c.
    public var queenArchive = QueenArchive.defaultPath
    public var wordNetDirectory = SentencePool.defaultDirectory
    /// Python that runs the Piper and Kokoro helpers.
    public var python = SourceSettings.defaultPython()
    /// Hours of speech per synthetic source.
    public var syntheticHours = 1.0
    public var seed: UInt64 = 0
    public init() {}

    /// $STEERMOE_PYTHON, else the project venv of the current folder (scripts/bootstrap makes
    /// it), else python3 on PATH.
    public static func defaultPython() -> String {
        if let python = ProcessInfo.processInfo.environment["STEERMOE_PYTHON"], !python.isEmpty { return python }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }
}

/// Maps source names to sources, checking every prerequisite of every requested source
/// before any is opened, so one message lists all missing installs.
public enum SourceRegistry {
    public static let known = ["sky", "fotaq", "piper", "flite", "espeak", "kokoro"]
    /// What `corpus build` builds without `--sources` (docs/corpus.md).
    public static let defaults = ["sky", "piper", "flite"]

    public static func prerequisites(for name: String, settings: SourceSettings) throws -> [Prerequisite] {
        switch name {
        case "sky": return SkySource.prerequisites(gameDirectory: settings.gameDirectory)
        case "fotaq": return QueenSource.prerequisites(archive: settings.queenArchive)
        case "piper": return [SentencePool.prerequisite(directory: settings.wordNetDirectory)]
            + PiperSynthesizer.prerequisites(python: settings.python)
        case "flite": return [SentencePool.prerequisite(directory: settings.wordNetDirectory)] + FliteSynthesizer.prerequisites()
        case "espeak": return [SentencePool.prerequisite(directory: settings.wordNetDirectory)] + EspeakSynthesizer.prerequisites()
        case "kokoro": return [SentencePool.prerequisite(directory: settings.wordNetDirectory)]
            + KokoroSynthesizer.prerequisites(python: settings.python)
        default: throw CorpusBuildError.unknownSource(name, known: known)
        }
    }

    public static func make(_ names: [String], settings: SourceSettings) throws -> [CorpusSource] {
        try Prerequisite.require(names.flatMap { try prerequisites(for: $0, settings: settings) })
        var pool: [PoolSentence]?
        func sentences() throws -> [PoolSentence] {
            if let pool { return pool }
            let loaded = try SentencePool.load(directory: settings.wordNetDirectory)
            pool = loaded
            return loaded
        }
        // Every TTS engine reads the same sentence pool with the same hour budget and seed.
        func synthetic(_ name: String, _ engine: SpeechSynthesizer) throws -> CorpusSource {
            SyntheticSource(name: name, synthesizer: engine, pool: try sentences(), hours: settings.syntheticHours, seed: settings.seed)
        }
        return try names.map { name -> CorpusSource in
            switch name {
            case "sky": return try SkySource(gameDirectory: settings.gameDirectory)
            case "fotaq": return try QueenSource(archive: settings.queenArchive)
            case "piper": return try synthetic(name, PiperSynthesizer(python: settings.python))
            case "flite": return try synthetic(name, FliteSynthesizer())
            case "espeak": return try synthetic(name, EspeakSynthesizer())
            case "kokoro": return try synthetic(name, KokoroSynthesizer(python: settings.python))
            default: throw CorpusBuildError.unknownSource(name, known: known)
            }
        }
    }
}
