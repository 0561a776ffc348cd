import Foundation
import Torch

/// Whisper's log-mel features, computed as transformers' `WhisperFeatureExtractor` (torch path):
/// periodic Hann window, centred reflect-padded STFT (n_fft 400, hop 160), power spectrum with the
/// last frame dropped, Slaney mel filters, log10(max(x, 1e-10)), floor at (per-example max − 8),
/// then (x + 4) / 4. Sizes come from preprocessor_config.json.
public final class LogMelExtractor: @unchecked Sendable {
    public let melBins: Int, nFFT: Int, hop: Int, sampleRate: Int, chunkSamples: Int
    let window: Tensor
    /// (mel bins, frequency bins) float32, so `filters.matmul(power)` gives mel energies.
    let filters: Tensor

    public init(melBins: Int = 80, nFFT: Int = 400, hop: Int = 160, sampleRate: Int = 16000, chunkSeconds: Int = 30) throws {
        self.melBins = melBins
        self.nFFT = nFFT
        self.hop = hop
        self.sampleRate = sampleRate
        chunkSamples = chunkSeconds * sampleRate
        window = try Tensor.hannWindow(nFFT, periodic: true, device: .cpu)
        let bins = nFFT / 2 + 1
        let bank = MelFilterBank.slaney(frequencyBins: bins, melBins: melBins, sampleRate: sampleRate)
        // Rounded to float32 first, as transformers does (float64 numpy bank → torch float32).
        filters = try Device.with(.cpu) { try Tensor(bank.map { Float($0) }, shape: [bins, melBins]).transpose(0, 1).contiguous() }
    }

    /// From a model folder's preprocessor_config.json (feature_size, n_fft, hop_length, ...).
    public convenience init(preprocessorConfig config: HFConfig) throws {
        try self.init(melBins: config.int("feature_size", default: 80), nFFT: config.int("n_fft", default: 400),
                      hop: config.int("hop_length", default: 160), sampleRate: config.int("sampling_rate", default: 16000),
                      chunkSeconds: config.int("chunk_length", default: 30))
    }

    /// The extractor for a Whisper model folder: its preprocessor_config.json when present, else
    /// the defaults with the encoder's mel-bin count; a folder whose settings disagree with the
    /// encoder is an error naming the file.
    public static func forWhisper(folder: String, encoderMelBins: Int) throws -> LogMelExtractor {
        let path = folder + "/preprocessor_config.json"
        guard FileManager.default.fileExists(atPath: path) else { return try LogMelExtractor(melBins: encoderMelBins) }
        let extractor = try LogMelExtractor(preprocessorConfig: HFConfig(path: path))
        guard extractor.melBins == encoderMelBins else {
            throw ConfigError("\(path): feature_size \(extractor.melBins) but the encoder expects \(encoderMelBins) mel bins")
        }
        return extractor
    }

    /// Frames produced for `samples` samples (centre padding adds one frame; the last is dropped).
    public func frameCount(samples: Int) -> Int { samples / hop }

    /// Features of one clip padded (or truncated) to 30 s: (mel bins, 3000).
    public func padded(_ samples: [Float]) throws -> Tensor {
        try callAsFunction([samples], padToChunk: true).features.squeeze(0)
    }

    /// Batched features. With `padToChunk` every clip is zero-padded/truncated to the 30 s chunk
    /// (upstream SteerMoE's behaviour); otherwise to the longest clip in the batch. Returns
    /// features (B, mel, frames) and a frame mask (B, frames) int64 marking real audio
    /// (HF's `sample_mask[:, ::hop]`).
    /// Always computed on the CPU (its window and filters live there); the model moves the
    /// features to its own device.
    public func callAsFunction(_ clips: [[Float]], padToChunk: Bool = false) throws -> (features: Tensor, frameMask: Tensor) {
        try Device.with(.cpu) { try extract(clips, padToChunk: padToChunk) }
    }

    func extract(_ clips: [[Float]], padToChunk: Bool) throws -> (features: Tensor, frameMask: Tensor) {
        guard !clips.isEmpty else { throw TorchError("log-mel: empty batch") }
        let length = padToChunk ? chunkSamples : clips.map(\.count).max()!
        guard length > 0 else { throw TorchError("log-mel: all clips are empty") }
        let maskWidth = (length + hop - 1) / hop
        var mask = [Int64](repeating: 0, count: clips.count * maskWidth)
        for (i, clip) in clips.enumerated() {
            let n = Swift.min(clip.count, length)
            for f in 0..<((n + hop - 1) / hop) { mask[i * maskWidth + f] = 1 }
        }
        let features = try Autograd.noGrad {
            padToChunk ? try paddedLogMel(clips, length: length) : try logMel(batchedWaves(clips, length: length))
        }
        let frames = features.size(2)
        let frameMask = try Tensor(mask, shape: [clips.count, maskWidth]).slice(dim: 1, start: 0, end: frames)
        return (features, frameMask)
    }

    /// (B, length) float32 waveforms, zero-padded (or cut) to `length`.
    func batchedWaves(_ clips: [[Float]], length: Int) throws -> Tensor {
        var flat = [Float](repeating: 0, count: clips.count * length)
        for (i, clip) in clips.enumerated() {
            let n = Swift.min(clip.count, length)
            flat.replaceSubrange(i * length..<(i * length + n), with: clip[0..<n])
        }
        return try Tensor(flat, shape: [clips.count, length])
    }

    /// Zero padding to the chunk length contributes frames of zero power, i.e. log10(1e-10) = -10
    /// before the floor. So each clip's STFT runs only over its own samples plus the frames whose
    /// window reaches them, and the floor and scaling too; the padding frames get their final value
    /// (max(-10, peak - 8) + 4) / 4 directly — the same numbers at a fraction of the cost.
    func paddedLogMel(_ clips: [[Float]], length: Int) throws -> Tensor {
        let totalFrames = length / hop
        let rows = try clips.map { clip -> Tensor in
            let n = Swift.min(clip.count, length)
            // Enough zeros after the clip that the end reflection sees only zeros, as in the full signal.
            let needed = ((n + nFFT / 2 + 1 + hop - 1) / hop) * hop
            let trimmed = Swift.min(length, Swift.max(needed, hop))
            var samples = [Float](repeating: 0, count: trimmed)
            samples.replaceSubrange(0..<n, with: clip[0..<n])
            let part = try logSpectrum(Tensor(samples, shape: [1, trimmed]))
            // Padding frames (-10) never exceed real ones (clamped at 1e-10), so the part's peak is the clip's.
            let floor = Swift.max(Float(Foundation.log10(1e-10)), Float(try part.amax().item()) - 8)
            let scaled = try scale(part.clamp(min: Double(floor)))
            let rest = totalFrames - part.size(2)
            return rest > 0 ? try scaled.pad([0, rest], value: Double((floor + 4) / 4)) : scaled
        }
        return try Tensor.cat(rows, dim: 0)
    }

    /// Log-mel of (B, samples) float32 waveforms → (B, mel, samples / hop).
    public func logMel(_ waves: Tensor) throws -> Tensor { try floorAndScale(logSpectrum(waves)) }

    /// log10 mel energies before the dynamic-range floor: (B, mel, samples / hop).
    func logSpectrum(_ waves: Tensor) throws -> Tensor {
        let spec = try Functional.stft(waves, nFFT: nFFT, hop: hop, window: window, center: true, centerPadReflect: true)
        let frames = spec.size(-1) - 1
        // |z|² as re² + im² on strided views: abs().pow(2) pays for hypot's square root, and a sum
        // over the size-2 last dimension of viewAsReal is slower still.
        let parts = try spec.slice(dim: -1, start: 0, end: frames).viewAsReal()
        let power = try parts.select(dim: -1, index: 0).square()
        try power.add_(parts.select(dim: -1, index: 1).square())
        let mel = try filters.matmul(power)
        return try mel.clamp(min: 1e-10).log10()
    }

    /// Per-example floor at (max − 8), then (x + 4) / 4.
    func floorAndScale(_ logSpec: Tensor) throws -> Tensor {
        let peak = try logSpec.amax([1, 2], keepDim: true)
        return try scale(logSpec.maximum(peak - 8.0))
    }

    /// (x + 4) / 4; the division by 4 is exact, so multiplying in place by 0.25 gives the same numbers.
    private func scale(_ floored: Tensor) throws -> Tensor {
        let shifted = try floored + 4.0
        try shifted.mul_(0.25)
        return shifted
    }
}
