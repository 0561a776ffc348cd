import Foundation
import SpeechData

/// Anything that turns a batch of loader items (log-mel features) into texts: a SteerMoE model
/// (`Evaluator`) or Whisper with its own decoder (`WhisperTranscriber`). `Evaluator.run` scores
/// either the same way.
public protocol BatchTranscriber {
    func transcribe(_ items: [SpeechItem]) throws -> [String]
}

extension Evaluator: BatchTranscriber {}

/// Anything that transcribes 16 kHz mono clips; reading audio files is shared.
public protocol ClipTranscriber {
    func transcribe(clips: [[Float]]) throws -> [String]
}

extension ClipTranscriber {
    /// Transcribes audio files (any format libsndfile reads, any sample rate), `batchSize` at a time.
    public func transcribe(files: [String], batchSize: Int = 4) throws -> [String] {
        let size = max(1, batchSize)
        var out: [String] = []
        for start in stride(from: 0, to: files.count, by: size) {
            let chunk = files[start..<min(files.count, start + size)]
            out += try transcribe(clips: chunk.map { try Audio.load16k(file: $0) })
        }
        return out
    }
}
