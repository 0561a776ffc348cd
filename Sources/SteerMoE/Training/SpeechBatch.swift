import Foundation
import SpeechData
import Tokenizers
import Torch

/// One utterance after the loader's workers: log-mel features and transcript token ids.
public struct SpeechItem: Sendable {
    /// (mel, frames) float32.
    public var features: Tensor
    public var tokenIds: [Int]
    public var text: String
    public var source: String
    public var row: Int
    /// Frames of real audio when `features` were padded to 30 s (nil: every frame is real).
    public var validFrames: Int? = nil
}

/// Turns loader samples into model inputs (runs in the loader's worker threads).
public struct Featurizer: Sendable {
    public let extractor: LogMelExtractor
    public let tokenizer: Tokenizer
    public let padding: SteerMoEOptions.AudioPadding

    public init(extractor: LogMelExtractor, tokenizer: Tokenizer, padding: SteerMoEOptions.AudioPadding) {
        self.extractor = extractor
        self.tokenizer = tokenizer
        self.padding = padding
    }

    /// Features and token ids of one sample; with `augmentation`, the clip of that epoch passes
    /// the simulated channel and is speed-perturbed before, and masked after, the log-mel
    /// extraction (training only).
    public func item(_ s: Sample, augmentation: Augmentation? = nil, seed: UInt64 = 0, epoch: Int = 0) throws -> SpeechItem {
        guard let augmentation, augmentation.isEnabled else { return try item(s) }
        var rng = Augmentation.generator(seed: seed, epoch: epoch, source: s.source, row: s.row, copy: s.copy)
        if let pre = s.inputFeatures {
            // Precomputed features are used as stored: masks only (no channel, no speed), within the
            // stored frames (which may include padding the row was saved with: it cannot be told apart).
            var result = try item(s)
            result.features = try augmentation.maskFeatures(result.features, validFrames: pre.cols, rng: &rng)
            return result
        }
        var sample = s
        // The channel comes first: it stands for how the speech was recorded; speed is ours.
        sample.waveform = try augmentation.simulateChannel(s.waveform, sampleRate: extractor.sampleRate, rng: &rng)
        sample.waveform = try augmentation.perturbSpeed(sample.waveform, sampleRate: extractor.sampleRate,
                                                        maxSamples: extractor.chunkSamples, rng: &rng)
        var result = try item(sample)
        result.features = try augmentation.maskFeatures(result.features, validFrames: extractor.frameCount(samples: sample.waveform.count),
                                                        rng: &rng)
        return result
    }

    public func item(_ s: Sample) throws -> SpeechItem {
        var item: SpeechItem
        if let pre = s.inputFeatures {
            // Precomputed (mel, frames) features are used as they are (padded/cut to 30 s in the padded modes).
            var f = try Tensor(pre.values, shape: [pre.rows, pre.cols])
            if padding.padsEncoderInput {
                let frames = extractor.chunkSamples / extractor.hop
                f = f.size(1) >= frames ? try f.slice(dim: 1, start: 0, end: frames) : try f.pad([0, frames - f.size(1)])
            }
            item = SpeechItem(features: f, tokenIds: [], text: "", source: "", row: 0)
            if padding.padsEncoderInput { item.validFrames = min(pre.cols, f.size(1)) }
        } else {
            item = try Self.clipItem(s.waveform, extractor: extractor, padding: padding)
        }
        item.tokenIds = transcriptIds(text: s.text, inputIds: s.inputIds)
        (item.text, item.source, item.row) = (s.text, s.source, s.row)
        return item
    }

    /// An unlabelled item for a 16 kHz clip, its log-mel as the padding mode wants it: the clip's
    /// own frames, or the 30 s window with the count of frames that hear the clip (the extractor's
    /// frame mask: a frame per started hop).
    public static func clipItem(_ clip: [Float], extractor: LogMelExtractor, padding: SteerMoEOptions.AudioPadding) throws -> SpeechItem {
        guard padding.padsEncoderInput else {
            return SpeechItem(features: try extractor([clip]).features.squeeze(0), tokenIds: [], text: "", source: "", row: 0)
        }
        var item = SpeechItem(features: try extractor.padded(clip), tokenIds: [], text: "", source: "", row: 0)
        item.validFrames = min((clip.count + extractor.hop - 1) / extractor.hop, extractor.chunkSamples / extractor.hop)
        return item
    }

    /// A transcript's token ids: the row's stored `input_ids` when it has them, else its text tokenized.
    public func transcriptIds(text: String, inputIds: [Int64]?) -> [Int] {
        Self.transcriptIds(text: text, inputIds: inputIds, tokenizer: tokenizer)
    }

    public static func transcriptIds(text: String, inputIds: [Int64]?, tokenizer: Tokenizer) -> [Int] {
        inputIds.map { $0.map(Int.init) } ?? tokenizer.encode(text, addSpecialTokens: false)
    }

    /// Stacks items: features (B, mel, frames), zero-padded to the longest, and the frame mask.
    public static func stack(_ items: [SpeechItem]) throws -> (features: Tensor, frameMask: Tensor) {
        let frames = items.map { $0.validFrames ?? $0.features.size(1) }
        let width = items.map { $0.features.size(1) }.max() ?? 0
        let padded = try items.map { item -> Tensor in
            let pad = width - item.features.size(1)
            return pad > 0 ? try item.features.pad([0, pad]) : item.features
        }
        var mask = [Int64]()
        for f in frames { mask += [Int64](repeating: 1, count: min(f, width)) + [Int64](repeating: 0, count: max(0, width - f)) }
        return (try Tensor.stack(padded), try Tensor(mask, shape: [items.count, width]))
    }
}
