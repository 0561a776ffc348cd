import Foundation

/// espeak-ng (Debian `espeak-ng`): a formant synthesiser. Robotic next to Piper, but it has English
/// accents and voice variants, so a source of it spreads the training speech over more "speakers"
/// than the other engines here. The 20 voices are the most intelligible of 8 accents × 12 variants:
/// Whisper base misheard 33–44% of the words of these four accents and 22–46% of these five
/// variants, against 51–62% and 50–71% for the rest (300 clips, docs/corpus.md). One process per
/// clip; espeak-ng has no randomness, so the seed is unused.
public struct EspeakSynthesizer: SpeechSynthesizer {
    public static let accents = ["en-gb", "en-gb-x-rp", "en-us-nyc", "en-us"]
    public static let variants = ["m1", "m3", "m5", "m6", "m7"]
    /// "accent+variant", as `espeak-ng -v` takes it.
    public let voices = accents.flatMap { accent in variants.map { accent + "+" + $0 } }
    public let charactersPerSecond = 17.0
    /// espeak-ng's default rate in words per minute; a clip's length scale divides it.
    static let wordsPerMinute = 175.0
    public let program: String

    public init(program: String = "espeak-ng") { self.program = program }

    public static func prerequisites() -> [Prerequisite] { [.program("espeak-ng", debianPackage: "espeak-ng")] }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Synthetic speech from espeak-ng 1.51 (Debian package `espeak-ng`, formant synthesis) with 20 voices: "
                + "the accents " + Self.accents.map { "`\($0)`" }.joined(separator: ", ") + " each with the male variants "
                + Self.variants.joined(separator: ", ") + ", 22,050 Hz resampled to 16 kHz; each "
                + "clip gets a seeded voice and a speaking rate of 175 words per minute divided by a length scale of "
                + "0.90-1.15. Text: WordNet 3.0 example sentences (Debian `wordnet-base`), numbers and symbols written out "
                + "as words before synthesis so the transcript is what is spoken.",
            licence: "Audio generated with espeak-ng (GPL-3.0-or-later program and voice data; see "
                + "/usr/share/doc/espeak-ng-data/copyright). " + SentencePool.licence,
            isReal: false)
    }

    public func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        try zip(requests, ids).map { request, id in
            let wav = scratch.appendingPathComponent(id + ".wav")
            let rate = Int((Self.wordsPerMinute * 1000 / Double(request.lengthScaleMillis)).rounded())
            return try ExternalProgram.renderClip(source: "espeak", id: id, program: program,
                                                  arguments: ["-v", request.voice, "-s", String(rate), "-w", wav.path, "--", request.spokenText], wav: wav)
        }
    }
}
