import Foundation
import Torch

/// How to decode with Whisper's own decoder (greedy, short-form, no timestamps).
public struct WhisperDecodingOptions: Sendable {
    /// Language code ("en") or token ("<|en|>") for multilingual models; nil is only valid for
    /// English-only models (no language detection).
    public var language: String?
    public var task: String
    /// New tokens at most; the prompt plus these must fit `max_target_positions` (as in HF).
    public var maxNewTokens: Int
    /// Encode only each clip's own frames instead of the 30 s padded log-mel (as whisper.cpp's
    /// `audio_ctx`): what a trimmed SteerMoE adapter's encoder sees. Whisper was trained on 30 s
    /// windows, so this measures how much the frozen encoder loses on trimmed input.
    public var trimmedAudio: Bool
    /// The log-mel layout the decoder reads: the 30 s window, or the clip's frames when trimmed.
    public var audioPadding: SteerMoEOptions.AudioPadding { trimmedAudio ? .trim : .pad30 }

    public init(language: String? = "en", task: String = "transcribe", maxNewTokens: Int = 128, trimmedAudio: Bool = false) {
        self.language = language
        self.task = task
        self.maxNewTokens = maxNewTokens
        self.trimmedAudio = trimmedAudio
    }
}

/// Greedy decoding as transformers' `WhisperForConditionalGeneration.generate` does it for
/// short-form audio without timestamps: every row starts from `prompt`; at each step the
/// logits of `suppress_tokens` are -inf, at the first step also those of
/// `begin_suppress_tokens`; the argmax is taken; a row ends at eos. Returns each row's new
/// tokens before eos. `encoderStates` (B, S, d) is the encoder's last hidden state.
public func whisperGreedyDecode(decoder: WhisperDecoder, encoderStates: Tensor, prompt: [Int],
                                generation: WhisperGenerationConfig, maxNewTokens: Int) throws -> [[Int]] {
    try decoder.config.checkRoom(prompt: prompt.count, newTokens: maxNewTokens)
    let b = encoderStates.size(0)
    let vocab = decoder.config.vocabSize
    let device = decoder.device
    let suppress = try suppressionRow(generation.suppressTokens, vocab: vocab, device: device)
    let beginSuppress = try suppressionRow(generation.suppressTokens + generation.beginSuppressTokens, vocab: vocab, device: device)
    return try Autograd.noGrad {
        let cache = try decoder.makeCache(encoderStates: encoderStates.to(device), capacity: prompt.count + maxNewTokens)
        var tokens = try Tensor(rows: Array(repeating: prompt, count: b)).to(device)
        var rows = [[Int]](repeating: [], count: b)
        var finished = [Bool](repeating: false, count: b)
        for step in 0..<maxNewTokens {
            let hidden = try decoder.hiddenStates(tokens, cache: cache)
            var scores = try decoder.stepLogits(hidden.select(dim: 1, index: hidden.size(1) - 1))
            if scores.dtype != .float32 { scores = try scores.to(dtype: .float32) }
            let next = try (scores + (step == 0 ? beginSuppress : suppress)).argmax(dim: -1).ints()
            for r in 0..<b where !finished[r] {
                if next[r] == generation.eosTokenId { finished[r] = true } else { rows[r].append(next[r]) }
            }
            if finished.allSatisfy({ $0 }) { break }
            // Finished rows keep decoding eos (HF pads them); their tokens are not read.
            let fed = (0..<b).map { finished[$0] ? generation.eosTokenId : next[$0] }
            tokens = try Tensor(fed, shape: [b, 1]).to(device)
        }
        return rows
    }
}

/// (1, V) float32: 0, or -inf at `ids` (ids outside the vocabulary are ignored, as HF's `isin`).
private func suppressionRow(_ ids: [Int], vocab: Int, device: Device) throws -> Tensor {
    var row = [Float](repeating: 0, count: vocab)
    for id in ids where id >= 0 && id < vocab { row[id] = -.infinity }
    return try Tensor(row, shape: [1, vocab]).to(device)
}
