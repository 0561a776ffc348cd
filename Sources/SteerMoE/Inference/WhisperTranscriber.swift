import Foundation
import SpeechData
import Tokenizers
import Torch

/// Whisper transcribing with its own decoder (no SteerMoE adapter, no LLM): the 30 s padded
/// log-mel, the encoder, greedy decoding as transformers' `generate` (short-form, no
/// timestamps) and the model's tokenizer, special tokens skipped. The baseline row "Whisper's
/// decoder on the same converted weights".
public final class WhisperTranscriber: BatchTranscriber, ClipTranscriber {
    public let encoder: WhisperEncoder
    public let decoder: WhisperDecoder
    public let generation: WhisperGenerationConfig
    public let tokenizer: Tokenizer
    public let extractor: LogMelExtractor
    public let options: WhisperDecodingOptions
    /// The decoder prompt the options give (checked when the transcriber is made).
    public let promptIds: [Int]

    /// `folder`: an HF `WhisperForConditionalGeneration` folder with tokenizer.json (e.g. one
    /// written by `steermoe convert whisper-ct2`).
    public init(folder: String, options: WhisperDecodingOptions = WhisperDecodingOptions()) throws {
        // float32 whatever the folder stores (float16 folders would meet float32 log-mels).
        encoder = try WhisperEncoder.load(folder: folder, dtype: .float32)
        decoder = try WhisperDecoder.load(folder: folder, dtype: .float32)
        generation = try WhisperGenerationConfig(folder: ModelFolder(folder))
        tokenizer = try Tokenizer(folder: folder)
        extractor = try LogMelExtractor.forWhisper(folder: folder, encoderMelBins: encoder.config.melBins)
        self.options = options
        promptIds = try generation.promptIds(language: options.language, task: options.task)
        try decoder.config.checkRoom(prompt: promptIds.count, newTokens: options.maxNewTokens)  // before any audio is read
    }

    /// New token ids of each row (before eos) for 30 s features (B, mel, frames).
    public func generate(features: Tensor) throws -> [[Int]] {
        let frames = extractor.chunkSamples / extractor.hop
        guard features.rank == 3, features.size(2) == frames else {
            throw TorchError("Whisper: features must be (B, mel, \(frames)) (30 s, padded), got \(features.shape)")
        }
        let states = try Autograd.noGrad { try encoder(features).lastHiddenState }
        return try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: promptIds, generation: generation,
                                       maxNewTokens: options.maxNewTokens)
    }

    /// New token ids for one clip's own (mel, frames) log-mel, encoded without padding.
    public func generate(trimmedFeatures features: Tensor) throws -> [Int] {
        let states = try Autograd.noGrad { try encoder(features.unsqueeze(0)).lastHiddenState }
        return try whisperGreedyDecode(decoder: decoder, encoderStates: states, prompt: promptIds, generation: generation,
                                       maxNewTokens: options.maxNewTokens)[0]
    }

    /// Texts for loader items: 30 s padded log-mels, or each clip's own frames with
    /// `options.trimmedAudio` (one clip at a time: the decoder's cross-attention has no mask).
    public func transcribe(_ items: [SpeechItem]) throws -> [String] {
        if options.trimmedAudio { return try items.map { try text(generate(trimmedFeatures: $0.features)) } }
        return try generate(features: Featurizer.stack(items).features).map(text)
    }

    /// Whisper was trained on 30 s windows: a long recording is read in segments of up to 30 s.
    public static let defaultSegmenter = PauseSegmenter.windows
    public var segmenter: PauseSegmenter { Self.defaultSegmenter }

    /// Transcribes 16 kHz mono clips (longer than 30 s: only the first 30 s are heard).
    public func transcribe(clips: [[Float]]) throws -> [String] {
        try transcribe(clips.map { try Featurizer.clipItem(Array($0.prefix(extractor.chunkSamples)), extractor: extractor,
                                                           padding: options.audioPadding) })
    }

    func text(_ ids: [Int]) -> String {
        tokenizer.decode(ids, skipSpecialTokens: true).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
