import Foundation
import QueenCorpus
import SkyCorpus
import SpeechData

/// The voiced dialogue of Flight of the Amazon Queen (real speech, exact transcripts; QueenCorpus).
public struct QueenSource: CorpusSource {
    public static let sourceName = "fotaq"
    public let name = QueenSource.sourceName
    public let speech: QueenSpeech
    public let normalizer = TextNormalizer()

    public static func prerequisites(archive: URL) -> [Prerequisite] {
        [.files([archive.path], what: "Flight of the Amazon Queen game data (\(archive.path))",
                debianPackage: "flight-of-the-amazon-queen")]
    }

    public init(archive: URL = QueenArchive.defaultPath) throws {
        try Prerequisite.require(Self.prerequisites(archive: archive))
        speech = try QueenSpeech(archive: try QueenArchive(path: archive))
    }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Real, professionally acted English dialogue of the freeware adventure game *Flight of the Amazon "
                + "Queen* (John Passfield and Steven Stamatiadis, 1995; the CD talkie from the Debian package "
                + "`flight-of-the-amazon-queen`), MP3 at 16 kbit/s in the game, played at 11,840 Hz, resampled to "
                + "16 kHz. Transcripts are the game's own subtitles (no speech recognition involved), one clip per "
                + "spoken segment; lines with sound tags or symbols and the menu prompts are left out. `speaker` is "
                + "`joe`, the dialogue partner, or `cutaway` (cutscenes).",
            licence: "Game content © John Passfield and Steven Stamatiadis, Flight of the Amazon Queen licence "
                + "(`/usr/share/doc/flight-of-the-amazon-queen/copyright`): free distribution with its readme and "
                + "notices, modification allowed with a prominent notice. **This is a modified version**: clips "
                + "cut from the game data, resampled, with their subtitles.",
            isReal: true)
    }

    public func utterances(splitter: LineSplitter) throws -> [Utterance] {
        try speech.pairing().lines.compactMap { line in
            let text = normalizer.normalize(line.textRaw)
            guard !text.isEmpty else { return nil }
            return Utterance(id: "fotaq-" + line.clip.dropLast(3).lowercased(), text: text, textRaw: line.textRaw,
                             speaker: line.speaker, split: splitter.split(text), recipe: .queenLine(line))
        }
    }

    public func render(_ batch: [Utterance], shardSeed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        try batch.map { utterance in
            guard case let .queenLine(line) = utterance.recipe else {
                throw CorpusBuildError.renderFailed(source: name, id: utterance.id, reason: "not a game line")
            }
            let decoded = try Audio.decode(try speech.speechBytes(for: line), source: "queen.1c:\(line.clip)")
            // The engine plays the 11,025 Hz headers of this build at 11,840 Hz.
            let rate = decoded.sampleRate == QueenSpeech.mislabelledRate ? QueenSpeech.playbackRate : decoded.sampleRate
            return RenderedAudio(samples: decoded.samples, sampleRate: rate)
        }
    }
}
