import Foundation

/// flite (Debian `flite`): CMU's small diphone/clustergen engine with its built-in voices.
/// One process per clip; flite has no randomness, so the seed is unused.
public struct FliteSynthesizer: SpeechSynthesizer {
    public let voices = ["rms", "slt", "awb"]
    public let charactersPerSecond = 14.0
    public let program: String

    public init(program: String = "flite") { self.program = program }

    public static func prerequisites() -> [Prerequisite] { [.program("flite", debianPackage: "flite")] }

    public var description: SourceDescription {
        SourceDescription(
            summary: "Synthetic speech from flite 2.2 (Debian package `flite`) with its built-in CMU ARCTIC voices "
                + "`rms` (US male), `slt` (US female) and `awb` (Scottish male), 16 kHz; each clip gets a seeded voice and "
                + "a duration stretch of 0.90-1.15. Text: WordNet 3.0 example sentences (Debian `wordnet-base`), numbers "
                + "and symbols written out as words before synthesis so the transcript is what is spoken.",
            licence: "Audio generated with flite (Carnegie Mellon University, BSD-style licence; its voices are built "
                + "from the CMU ARCTIC databases, same terms; see /usr/share/doc/flite/copyright). " + SentencePool.licence,
            isReal: false)
    }

    public func synthesize(_ requests: [SynthesisRequest], ids: [String], seed: UInt64, scratch: URL) throws -> [RenderedAudio] {
        try zip(requests, ids).map { request, id in
            let wav = scratch.appendingPathComponent(id + ".wav")
            return try ExternalProgram.renderClip(source: "flite", id: id, program: program, arguments: [
                "-voice", request.voice, "--setf", "duration_stretch=\(request.lengthScaleText)",
                "-t", request.spokenText, "-o", wav.path,
            ], wav: wav)
        }
    }
}
