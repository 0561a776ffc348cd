import Foundation
import SpeechData
import Tokenizers
import Torch

/// Batched transcription of an evaluation set with WER/CER, per utterance and corpus-level.
public struct Evaluator {
    public struct Prediction: Codable {
        public var source: String
        public var row: Int
        public var reference: String
        public var hypothesis: String
        public var wer: Double
        public var cer: Double
    }
    public struct Result {
        public var score: ErrorRates.Score
        public var predictions: [Prediction]
        public var seconds: Double
        /// False when `shouldStop` ended the run early: the scores cover `predictions` only.
        public var complete = true
    }

    public let model: SteerMoEModel
    public let tokenizer: Tokenizer
    public let promptIds: [Int]
    /// Tokens before the audio (TextCollator.prefixIds).
    public let prefixIds: [Int]
    public let generation: GenerationOptions

    public init(model: SteerMoEModel, tokenizer: Tokenizer, promptIds: [Int], prefixIds: [Int] = [], generation: GenerationOptions) {
        self.model = model
        self.tokenizer = tokenizer
        self.promptIds = promptIds
        self.prefixIds = prefixIds
        self.generation = generation
    }

    /// Transcribes every batch of `loader` (epoch 0, in order) and scores it.
    public func run(_ loader: DataLoader<SpeechItem>, limit: Int? = nil, progress: ((Int) -> Void)? = nil) throws -> Result {
        try Evaluator.run(self, loader, limit: limit, progress: progress)
    }

    /// `run` for any transcriber (e.g. Whisper's own decoder), scored the same way.
    /// `shouldStop` is asked before each batch (steermoe evaluate: Ctrl-C keeps what is scored).
    public static func run(_ transcriber: some BatchTranscriber, _ loader: DataLoader<SpeechItem>, limit: Int? = nil,
                           shouldStop: () -> Bool = { false }, progress: ((Int) -> Void)? = nil) throws -> Result {
        let start = Date()
        var predictions: [Prediction] = []
        var score = ErrorRates.Score()
        for batch in loader.batches(epoch: 0) {
            guard !batch.items.isEmpty else { continue }
            if shouldStop() {
                return Result(score: score, predictions: predictions, seconds: Date().timeIntervalSince(start), complete: false)
            }
            let items = limit.map { Array(batch.items.prefix(max(0, $0 - predictions.count))) } ?? batch.items
            if items.isEmpty { break }
            let texts = try transcriber.transcribe(items)
            for (item, text) in zip(items, texts) {
                var one = ErrorRates.Score()
                one.add(reference: item.text, hypothesis: text)
                score.add(reference: item.text, hypothesis: text)
                predictions.append(Prediction(source: item.source, row: item.row, reference: item.text, hypothesis: text,
                                              wer: one.wer, cer: one.cer))
            }
            progress?(predictions.count)
            if let limit, predictions.count >= limit { break }
        }
        return Result(score: score, predictions: predictions, seconds: Date().timeIntervalSince(start))
    }

    public func transcribe(_ items: [SpeechItem]) throws -> [String] {
        let (features, frameMask) = try Featurizer.stack(items)
        let ids = try model.generate(features: features, frameMask: frameMask, promptIds: promptIds, prefixIds: prefixIds,
                                     options: generation)
        return ids.map { tokenizer.decode($0, skipSpecialTokens: true).trimmingCharacters(in: .whitespaces) }
    }

    public static func writePredictions(_ predictions: [Prediction], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for p in predictions { data += try encoder.encode(p) + Data("\n".utf8) }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
