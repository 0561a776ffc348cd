import Foundation
import SpeechData
import Torch

/// Training-time data augmentation (ours; upstream trains on clean features, and these keys are
/// absent from its configs): a simulated recording channel (band limit and sample depth), speed
/// perturbation of the waveform (Ko et al. 2015) and SpecAugment frequency and time masks on the
/// log-mel features (Park et al. 2019). Off unless a config sets it; evaluation and transcription
/// never augment.
///
/// Every draw comes from a generator seeded by (seed, epoch, data file, row, copy), so a clip gets a
/// new augmentation each epoch (and each listing of a source listed twice its own), while a re-run or
/// a `--resume`d run sees exactly the same batches.
public struct Augmentation: Sendable, Equatable {
    /// Speed factors drawn uniformly per clip (e.g. [0.9, 1.0, 1.1]); empty = no speed perturbation.
    public var speedFactors: [Double] = []
    /// Frequency masks per clip, each up to `freqWidth` mel bins wide.
    public var freqMasks = 0
    public var freqWidth = 0
    /// Time masks per clip, each up to `timeWidth` × the clip's frames wide (a fraction, so short
    /// game lines lose as large a share as long ones).
    public var timeMasks = 0
    public var timeWidth = 0.0
    /// The recording channel the clips pass through first (nil: none), with probability
    /// `channel.probability` per clip.
    public var channel: Channel? = nil

    /// A recording channel to simulate: the clip brought to a recording level, resampled to
    /// `sampleRate` (which removes everything above half that rate), its samples rounded to
    /// `bits`-bit PCM, and brought back to the training rate. Made for a target domain recorded
    /// differently from the training speech, e.g. loud 11,025 Hz 8-bit game audio beside quieter
    /// 16 kHz float TTS, whose level, empty top mel bands and rounding noise the frozen encoder
    /// otherwise only sees on the real clips.
    public struct Channel: Sendable, Equatable {
        public var sampleRate: Int?
        public var bits: Int?
        /// RMS level in dB relative to full scale, drawn uniformly per clip from this range (a single
        /// value: lower == upper); nil keeps each clip's own level.
        public var levelDBFS: ClosedRange<Double>?
        public var probability: Double

        public init(sampleRate: Int? = nil, bits: Int? = nil, levelDBFS: ClosedRange<Double>? = nil, probability: Double = 1) {
            self.sampleRate = sampleRate
            self.bits = bits
            self.levelDBFS = levelDBFS
            self.probability = probability
        }

        /// The clip through this channel at RMS `level` dBFS (nil: its own level); always applied,
        /// `Augmentation.simulateChannel` draws whether to and which level.
        public func apply(_ wave: [Float], sampleRate rate: Int, level: Double? = nil) throws -> [Float] {
            var x = wave
            if let level {
                let rms = (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(x.count, 1))).squareRoot()
                if rms > 0 {
                    let gain = Float(pow(10, level / 20) / rms)
                    x = x.map { $0 * gain }
                }
            }
            // Only a narrower channel resamples; a rate at or above the clip's changes nothing.
            let narrow = sampleRate.flatMap { $0 < rate ? $0 : nil }
            if let narrow {
                x = try Audio.resample(x, from: rate, to: narrow, source: "channel simulation")
            }
            if let bits {
                // Linear PCM as a WAV stores it: 2^(bits-1) steps per unit, the top code one step below 1.
                let steps = Float(1 << (bits - 1)), top = (steps - 1) / steps
                x = x.map { min(max(($0 * steps).rounded() / steps, -1), top) }
            }
            if let narrow {
                x = try Audio.resample(x, from: narrow, to: rate, source: "channel simulation")
                // soxr's output length can differ by a sample; keep the clip's own length.
                x = x.count >= wave.count ? Array(x.prefix(wave.count)) : x + [Float](repeating: 0, count: wave.count - x.count)
            }
            return x
        }
    }

    public init(speedFactors: [Double] = [], freqMasks: Int = 0, freqWidth: Int = 0, timeMasks: Int = 0, timeWidth: Double = 0,
                channel: Channel? = nil) {
        self.speedFactors = speedFactors
        self.freqMasks = freqMasks
        self.freqWidth = freqWidth
        self.timeMasks = timeMasks
        self.timeWidth = timeWidth
        self.channel = channel
    }

    public var changesSpeed: Bool { speedFactors.contains { $0 != 1 } }
    public var masksFeatures: Bool { (freqMasks > 0 && freqWidth > 0) || (timeMasks > 0 && timeWidth > 0) }
    public var simulatesChannel: Bool {
        guard let channel, channel.probability > 0 else { return false }
        return channel.sampleRate != nil || channel.bits != nil || channel.levelDBFS != nil
    }
    public var isEnabled: Bool { changesSpeed || masksFeatures || simulatesChannel }

    /// The waveform through the simulated channel, with the channel's probability. Draws nothing
    /// when no channel is set, so runs without one keep their speed and mask draws.
    public func simulateChannel(_ wave: [Float], sampleRate: Int, rng: inout Xoshiro256) throws -> [Float] {
        guard simulatesChannel, let channel else { return wave }
        if channel.probability < 1 && rng.uniform() >= channel.probability { return wave }
        var level: Double? = nil
        if let range = channel.levelDBFS {
            level = range.lowerBound == range.upperBound ? range.lowerBound
                : range.lowerBound + rng.uniform() * (range.upperBound - range.lowerBound)
        }
        return try channel.apply(wave, sampleRate: sampleRate, level: level)
    }

    /// The generator for one clip in one epoch.
    public static func generator(seed: UInt64, epoch: Int, source: String, row: Int, copy: Int = 0) -> Xoshiro256 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: Swift's own hashValue changes per process
        for byte in source.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        h ^= UInt64(truncatingIfNeeded: row) &* 0x9E37_79B9_7F4A_7C15
        // The first listing keeps the draws runs made before sources could be listed twice.
        if copy > 0 { h ^= UInt64(truncatingIfNeeded: copy) &* 0xD6E8_FEB8_6659_FD93 }
        return Xoshiro256(seed: seed ^ h, epoch: epoch)
    }

    /// The waveform played at a randomly drawn speed: resampled as if it had been recorded at
    /// factor × the sample rate, so factor 1.1 is 10% shorter and 10% higher in pitch. A clip that
    /// would grow beyond `maxSamples` (the encoder's 30 s window) keeps its speed.
    public func perturbSpeed(_ wave: [Float], sampleRate: Int, maxSamples: Int = .max, rng: inout Xoshiro256) throws -> [Float] {
        guard !speedFactors.isEmpty else { return wave }
        let factor = speedFactors[rng.below(speedFactors.count)]
        guard factor != 1, Double(wave.count) / factor <= Double(maxSamples) else { return wave }
        return try Audio.resample(wave, from: Int((Double(sampleRate) * factor).rounded()), to: sampleRate,
                                  source: "speed perturbation")
    }

    /// SpecAugment on (mel, frames) features: masked cells take the clip's mean value (the
    /// features are not mean-normalised, and a zero would be a loud value on Whisper's log scale).
    /// Time masks fall inside the first `validFrames` frames (the clip, not its 30 s padding).
    public func maskFeatures(_ features: Tensor, validFrames: Int, rng: inout Xoshiro256) throws -> Tensor {
        guard masksFeatures else { return features }
        let bins = features.size(0), frames = features.size(1)
        let valid = max(0, min(validFrames, frames))
        guard valid > 0 else { return features }
        var values = try features.contiguous().floats()
        var sum = 0.0
        for m in 0..<bins { for t in 0..<valid { sum += Double(values[m * frames + t]) } }
        let fill = Float(sum / Double(bins * valid))
        for _ in 0..<freqMasks where freqWidth > 0 {
            let width = rng.below(min(freqWidth, bins) + 1)
            let start = rng.below(bins - width + 1)
            for m in start..<(start + width) { for t in 0..<valid { values[m * frames + t] = fill } }
        }
        let maxTime = Int(timeWidth * Double(valid))
        for _ in 0..<timeMasks where maxTime > 0 {
            let width = rng.below(maxTime + 1)
            let start = rng.below(valid - width + 1)
            for m in 0..<bins { for t in start..<(start + width) { values[m * frames + t] = fill } }
        }
        return try Tensor(values, shape: [bins, frames])
    }

    /// One line for the run log.
    public var summary: String {
        var parts: [String] = []
        if simulatesChannel, let channel {
            var what: [String] = []
            if let r = channel.sampleRate { what.append("\(r) Hz") }
            if let b = channel.bits { what.append("\(b)-bit") }
            if let l = channel.levelDBFS {
                what.append(l.lowerBound == l.upperBound ? String(format: "at %g dBFS", l.lowerBound)
                            : String(format: "at %g…%g dBFS", l.lowerBound, l.upperBound))
            }
            parts.append("channel \(what.joined(separator: " ")) on \(String(format: "%g", channel.probability * 100))% of the clips")
        }
        if changesSpeed { parts.append("speed × \(speedFactors.map { String(format: "%g", $0) }.joined(separator: "/"))") }
        if freqMasks > 0 && freqWidth > 0 { parts.append("\(freqMasks) frequency masks ≤ \(freqWidth) bins") }
        if timeMasks > 0 && timeWidth > 0 { parts.append("\(timeMasks) time masks ≤ \(String(format: "%g", timeWidth * 100))% of the clip") }
        return parts.isEmpty ? "off" : parts.joined(separator: ", ")
    }
}
