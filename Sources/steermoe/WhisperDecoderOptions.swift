import ArgumentParser
import Foundation
import SteerMoE
import Torch

/// `--whisper-decoder DIR`: transcribe with Whisper's own decoder (encoder + decoder of an HF
/// Whisper folder, greedy as transformers' generate) instead of a SteerMoE adapter.
struct WhisperDecoderOptions: ParsableArguments {
    @Option(name: .customLong("whisper-decoder"),
            help: "Use Whisper's own decoder from this HF Whisper folder (e.g. models/whisper-base) instead of an adapter.")
    var folder: String?
    @Option(help: "With --whisper-decoder: the language token of multilingual models (code, e.g. en, de).")
    var language = "en"
    @Option(help: "With --whisper-decoder: new tokens at most (prompt + new ≤ max_target_positions).")
    var maxNewTokens = 128
    @Flag(help: "With --whisper-decoder: encode each clip's own frames, not the 30 s padded window (what trimmed adapters see).")
    var whisperTrim = false

    func validate() throws { try requireAtLeastOne(["--max-new-tokens": maxNewTokens]) }

    func transcriber() throws -> WhisperTranscriber? {
        guard let folder else { return nil }
        return try WhisperTranscriber(folder: folder, options: WhisperDecodingOptions(language: language, maxNewTokens: maxNewTokens, trimmedAudio: whisperTrim))
    }
}

/// Prints an evaluation's scores and writes predictions.jsonl + metrics.json (with `info`) to `out`.
func reportEvaluation(_ result: Evaluator.Result, out: String?, info: [String: Any]) throws {
    print(String(format: "WER %.2f%%  CER %.2f%%  (%d utterances, %d words, %.1f s)", result.score.wer * 100,
                 result.score.cer * 100, result.predictions.count, result.score.words, result.seconds)
          + (result.complete ? "" : "  PARTIAL: stopped by a signal; the scores cover these utterances only"))
    guard let out else { return }
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try Evaluator.writePredictions(result.predictions, to: out + "/predictions.jsonl")
    var metrics: [String: Any] = ["wer": result.score.wer, "cer": result.score.cer, "utterances": result.predictions.count,
                                  "words": result.score.words, "seconds": result.seconds, "complete": result.complete]
    metrics.merge(info) { _, new in new }
    try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        .write(to: URL(fileURLWithPath: out + "/metrics.json"))
}
