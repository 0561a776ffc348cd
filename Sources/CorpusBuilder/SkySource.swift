import Foundation
import SkyCorpus

/// The voiced dialogue of Beneath a Steel Sky (real speech, exact transcripts; SkyCorpus).
public struct SkySource: CorpusSource {
    public static let sourceName = "sky"
    public let name = SkySource.sourceName
    public let game: SkySpeech
    public let normalizer = TextNormalizer()
    /// Restricts the corpus to these text numbers (tests build a handful of clips).
    public let onlyTextNumbers: Set<Int>?

    public static func prerequisites(gameDirectory: URL) -> [Prerequisite] {
        let files = ["sky.dnr", "sky.dsk", "sky.cpt"].map { gameDirectory.appendingPathComponent($0).path }
        return [.files(files, what: "Beneath a Steel Sky game data in \(gameDirectory.path)",
                       debianPackage: "beneath-a-steel-sky")]
    }

    public init(gameDirectory: URL = DiskArchive.defaultGameDirectory, onlyTextNumbers: Set<Int>? = nil) throws {
        try Prerequisite.require(Self.prerequisites(gameDirectory: gameDirectory))
        game = try SkySpeech(directory: gameDirectory)
        self.onlyTextNumbers = onlyTextNumbers
    }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Real, professionally acted English dialogue of the freeware adventure game *Beneath a Steel Sky* "
                + "(Revolution Software, 1994; CD version 0.0372 from the Debian package `beneath-a-steel-sky`), "
                + "8-bit mono at 11,025 Hz in the game, resampled to 16 kHz. Transcripts are the game's own subtitles "
                + "(no speech recognition involved). `speaker` is the character when the game scripts name it, "
                + "otherwise `section<N>` (the part of the story). Its test split is the decisive test set.",
            licence: "Game data © Revolution Software Ltd, Beneath-a-Steel-Sky licence "
                + "(`/usr/share/doc/beneath-a-steel-sky/copyright`): free redistribution, also modified, with this "
                + "notice; no fee for the game itself. The clips and subtitles here are a modified form of the game data.",
            isReal: true)
    }

    public func utterances(splitter: LineSplitter) throws -> [Utterance] {
        try game.lines().filter { onlyTextNumbers?.contains($0.textNumber) ?? true }.map { line in
            let text = normalizer.normalize(line.textRaw)
            let number = String(line.textNumber)
            return Utterance(
                id: "sky-s\(line.section)-t" + String(repeating: "0", count: max(0, 5 - number.count)) + number,
                text: text, textRaw: line.textRaw, speaker: line.speakerLabel, split: splitter.split(text),
                recipe: .gameLine(line))
        }
    }

    public func render(_ batch: [Utterance], shardSeed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        try batch.map { utterance in
            guard case let .gameLine(line) = utterance.recipe else {
                throw CorpusBuildError.renderFailed(source: name, id: utterance.id, reason: "not a game line")
            }
            return RenderedAudio(samples: try game.samples(for: line), sampleRate: SkySpeech.sampleRate)
        }
    }
}
