import Foundation

/// Anything that turns a batch of loader items (log-mel features) into texts: a SteerMoE model
/// (`Evaluator`) or Whisper with its own decoder (`WhisperTranscriber`). `Evaluator.run` scores
/// either the same way.
public protocol BatchTranscriber {
    func transcribe(_ items: [SpeechItem]) throws -> [String]
}

extension Evaluator: BatchTranscriber {}
