import Foundation
import XCTest
@testable import SpeechData
@testable import SteerMoE
@testable import Torch
import Tokenizers

final class AugmentationTests: XCTestCase {
    /// (80, frames) features with distinct values, so any masked cell is visible.
    func features(frames: Int) throws -> Tensor {
        try Tensor((0..<(80 * frames)).map { Float($0 % 977) / 977 + 1 }, shape: [80, frames])
    }

    func changedCells(_ a: Tensor, _ b: Tensor) throws -> [(bin: Int, frame: Int, value: Float)] {
        let x = try a.floats(), y = try b.floats(), frames = a.size(1)
        return x.indices.filter { x[$0] != y[$0] }.map { ($0 / frames, $0 % frames, y[$0]) }
    }

    /// The cells `aug` masks in `f` for data row `row` (epoch 0).
    func maskedCells(_ aug: Augmentation, _ f: Tensor, validFrames: Int, row: Int, seed: UInt64 = 1,
                     source: String = "a.parquet") throws -> [(bin: Int, frame: Int, value: Float)] {
        var rng = Augmentation.generator(seed: seed, epoch: 0, source: source, row: row)
        return try changedCells(f, aug.maskFeatures(f, validFrames: validFrames, rng: &rng))
    }

    func testFrequencyMasksCoverWholeBinsWithinTheWidthAndFillWithTheMean() throws {
        let f = try features(frames: 200)
        let mean = try f.floats().reduce(0, +) / Float(80 * 200)
        let aug = Augmentation(freqMasks: 2, freqWidth: 10)
        var masked = 0
        for row in 0..<20 {
            let changed = try maskedCells(aug, f, validFrames: 200, row: row)
            let bins = Set(changed.map(\.bin))
            XCTAssertLessThanOrEqual(bins.count, 20, "two masks of at most 10 bins")
            XCTAssertEqual(changed.count, bins.count * 200, "a frequency mask covers every frame of its bins")
            for c in changed { XCTAssertEqual(c.value, mean, accuracy: 1e-4) }
            masked += bins.count
        }
        XCTAssertGreaterThan(masked, 0, "some draw masks something")
    }

    func testOneFrequencyMaskIsOneContiguousBandOfAtMostItsWidth() throws {
        let f = try features(frames: 50)
        var widths = Set<Int>()
        for row in 0..<60 {
            let bins = Set(try maskedCells(Augmentation(freqMasks: 1, freqWidth: 6), f, validFrames: 50, row: row, seed: 2,
                                           source: "b.parquet").map(\.bin))
            if let lo = bins.min(), let hi = bins.max() { XCTAssertEqual(hi - lo + 1, bins.count, "contiguous") }
            XCTAssertLessThanOrEqual(bins.count, 6)
            widths.insert(bins.count)
        }
        XCTAssertEqual(widths, Set(0...6), "every width 0...6 is drawn")
    }

    /// The generator is a pure function of (seed, epoch, file, row): the same value in every process
    /// (Swift's own String hash would change from run to run and break resumed runs).
    func testGeneratorIsFixedAcrossProcesses() {
        var rng = Augmentation.generator(seed: 7, epoch: 1, source: "data/train-00000.parquet", row: 3)
        XCTAssertEqual(rng.next(), 7_577_936_174_497_680_713, "FNV-1a + SplitMix64 + xoshiro256**, recomputed in Python")
        // A second listing of the same file draws its own stream; the first keeps the value above.
        var first = Augmentation.generator(seed: 7, epoch: 1, source: "data/train-00000.parquet", row: 3, copy: 0)
        var second = Augmentation.generator(seed: 7, epoch: 1, source: "data/train-00000.parquet", row: 3, copy: 1)
        XCTAssertEqual(first.next(), 7_577_936_174_497_680_713)
        XCTAssertEqual(second.next(), 15_343_032_962_299_813_096, "copy mixed in as copy × 0xD6E8FEB86659FD93, recomputed in Python")
    }

    func testTimeMasksStayInsideTheClipAndWithinTheirFraction() throws {
        let f = try features(frames: 300)
        let aug = Augmentation(timeMasks: 2, timeWidth: 0.1)
        var masked = 0
        for row in 0..<20 {
            let changed = try maskedCells(aug, f, validFrames: 100, row: row)
            let frames = Set(changed.map(\.frame))
            XCTAssertTrue(frames.allSatisfy { $0 < 100 }, "never inside the padding after the clip")
            XCTAssertLessThanOrEqual(frames.count, 20, "two masks of at most 10% of 100 frames")
            XCTAssertEqual(changed.count, frames.count * 80, "a time mask covers every bin of its frames")
            masked += frames.count
        }
        XCTAssertGreaterThan(masked, 0)
    }

    func testDrawsRepeatForTheSameClipAndEpochAndDifferAcrossEpochs() throws {
        let f = try features(frames: 150)
        let aug = Augmentation(freqMasks: 2, freqWidth: 20, timeMasks: 2, timeWidth: 0.1)
        func draw(epoch: Int, row: Int = 3, source: String = "train/a.parquet") throws -> [Float] {
            var rng = Augmentation.generator(seed: 7, epoch: epoch, source: source, row: row)
            return try aug.maskFeatures(f, validFrames: 150, rng: &rng).floats()
        }
        XCTAssertEqual(try draw(epoch: 2), try draw(epoch: 2))
        let epochs = try (0..<4).map { try draw(epoch: $0) }
        XCTAssertGreaterThan(Set(epochs.map { $0.hashValue }).count, 1, "epochs draw different masks")
        let rows = try (0..<4).map { try draw(epoch: 0, row: $0) }
        XCTAssertGreaterThan(Set(rows.map { $0.hashValue }).count, 1, "rows draw different masks")
    }

    func testSpeedPerturbationResamplesLengthAndPitch() throws {
        let rate = 16000
        let tone = (0..<rate).map { Float(sin(Double($0) * 2 * .pi * 400 / Double(rate))) }
        func zeroCrossings(_ x: [Float]) -> Int { zip(x, x.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count }
        var rng = Augmentation.generator(seed: 0, epoch: 0, source: "x", row: 0)
        let faster = try Augmentation(speedFactors: [1.1]).perturbSpeed(tone, sampleRate: rate, rng: &rng)
        XCTAssertEqual(Double(faster.count), Double(rate) / 1.1, accuracy: 2)
        // The same 400 cycles in 1/1.1 s: 440 Hz. Zero crossings over the middle (skip filter edges).
        let middle = Array(faster[1000..<(faster.count - 1000)])
        let hz = Double(zeroCrossings(middle)) / 2 / (Double(middle.count) / Double(rate))
        XCTAssertEqual(hz, 440, accuracy: 3)
        let slower = try Augmentation(speedFactors: [0.9]).perturbSpeed(tone, sampleRate: rate, rng: &rng)
        XCTAssertEqual(Double(slower.count), Double(rate) / 0.9, accuracy: 2)
        XCTAssertEqual(try Augmentation(speedFactors: [1.0]).perturbSpeed(tone, sampleRate: rate, rng: &rng), tone)
        // A clip that would outgrow the encoder's window keeps its speed; one that shrinks is fine.
        XCTAssertEqual(try Augmentation(speedFactors: [0.9]).perturbSpeed(tone, sampleRate: rate, maxSamples: 17000, rng: &rng), tone)
        XCTAssertEqual(try Augmentation(speedFactors: [1.1]).perturbSpeed(tone, sampleRate: rate, maxSamples: 16000, rng: &rng).count,
                       faster.count)
    }

    /// Amplitude of the `hz` component of a 16 kHz signal (one DFT bin over the middle, away from
    /// the resampler's edges).
    func amplitude(_ x: [Float], hz: Double, rate: Int = 16000) -> Double {
        let part = x[2000..<14000]
        var (re, im) = (0.0, 0.0)
        for (k, v) in part.enumerated() {
            let angle = 2 * Double.pi * hz * Double(k) / Double(rate)
            re += Double(v) * cos(angle)
            im += Double(v) * sin(angle)
        }
        return 2 * (re * re + im * im).squareRoot() / Double(part.count)
    }

    func testChannelRemovesWhatIsAboveHalfItsRateAndRoundsToItsBits() throws {
        let rate = 16000
        let wave = (0..<rate).map { i -> Float in
            let t = Double(i) / Double(rate)
            return Float(0.4 * sin(2 * .pi * 400 * t) + 0.3 * sin(2 * .pi * 7000 * t))
        }
        XCTAssertEqual(amplitude(wave, hz: 7000), 0.3, accuracy: 0.005)
        // 11,025 Hz keeps 400 Hz and removes 7 kHz (above its 5,512 Hz Nyquist), at the clip's length.
        let narrow = try Augmentation.Channel(sampleRate: 11025).apply(wave, sampleRate: rate)
        XCTAssertEqual(narrow.count, wave.count)
        XCTAssertEqual(amplitude(narrow, hz: 400), 0.4, accuracy: 0.005)
        XCTAssertLessThan(amplitude(narrow, hz: 7000), 0.003, "at least 40 dB down")
        // 8 bits: every sample on the 1/128 grid, within half a step, the top code 127/128.
        let rounded = try Augmentation.Channel(bits: 8).apply(wave, sampleRate: rate)
        XCTAssertEqual(rounded.count, wave.count)
        for (r, w) in zip(rounded, wave) {
            XCTAssertEqual(r * 128, (r * 128).rounded())
            XCTAssertLessThanOrEqual(abs(r - w), 0.5 / 128 + 1e-6)
        }
        XCTAssertEqual(try Augmentation.Channel(bits: 8).apply([1.0, -1.0, 0.999, -1.2], sampleRate: rate), [127.0 / 128, -1, 127.0 / 128, -1])
        // Both: the rounding noise (white up to 8 kHz when added at 16 kHz) stays below 5.5 kHz too.
        let both = try Augmentation.Channel(sampleRate: 11025, bits: 8).apply(wave, sampleRate: rate)
        XCTAssertLessThan(amplitude(both, hz: 7000), 0.003)
        XCTAssertEqual(amplitude(both, hz: 400), 0.4, accuracy: 0.005)
        XCTAssertNotEqual(both, narrow, "rounded at 11,025 Hz")
    }

    /// A recording level scales the clip to that RMS before the rounding (so loud clips clip at full
    /// scale, as the game's do); a range draws the level per clip within it.
    func testChannelLevelSetsTheClipsRMSAndARangeDrawsWithinIt() throws {
        func dBFS(_ x: [Float]) -> Double {
            10 * log10(x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count))
        }
        let quiet = (0..<16000).map { Float(0.05 * sin(Double($0) * 0.2)) }  // about -29 dBFS
        XCTAssertEqual(dBFS(try Augmentation.Channel(levelDBFS: -12 ... -12).apply(quiet, sampleRate: 16000, level: -12)), -12,
                       accuracy: 0.01)
        XCTAssertEqual(try Augmentation.Channel().apply(quiet, sampleRate: 16000), quiet, "no level, rate or bits: unchanged")
        // Silence stays silence (no division by a zero RMS).
        XCTAssertEqual(try Augmentation.Channel(levelDBFS: -12 ... -12).apply([0, 0, 0], sampleRate: 16000, level: -12), [0, 0, 0])
        // At +0 dBFS RMS a sine's peaks pass full scale and the 8-bit rounding clips them.
        let loud = try Augmentation.Channel(bits: 8).apply(quiet, sampleRate: 16000, level: 0)
        XCTAssertEqual(loud.max(), 127.0 / 128)
        XCTAssertEqual(loud.min(), -1)
        var levels: [Double] = []
        let ranged = Augmentation(channel: .init(levelDBFS: -15 ... -10))
        for row in 0..<50 {
            var rng = Augmentation.generator(seed: 5, epoch: 0, source: "l.parquet", row: row)
            levels.append(dBFS(try ranged.simulateChannel(quiet, sampleRate: 16000, rng: &rng)))
        }
        XCTAssertTrue(levels.allSatisfy { $0 >= -15.01 && $0 <= -9.99 }, "\(levels)")
        XCTAssertGreaterThan(levels.max()! - levels.min()!, 3, "spread over the range")
        XCTAssertEqual(ranged.summary, "channel at -15…-10 dBFS on 100% of the clips")
    }

    /// The channel is drawn per clip with its probability; probability 1 and no channel draw nothing,
    /// so adding a channel leaves the speed and mask draws of other runs as they were.
    func testChannelProbabilityIsDrawnPerClipAndOtherwiseDrawsNothing() throws {
        let wave = (0..<16000).map { Float(sin(Double($0) * 0.9)) * 0.5 }  // 2.3 kHz: only the rounding changes it
        let half = Augmentation(channel: .init(bits: 4, probability: 0.5))
        var through = 0
        for row in 0..<200 {
            var rng = Augmentation.generator(seed: 3, epoch: 0, source: "c.parquet", row: row)
            if try half.simulateChannel(wave, sampleRate: 16000, rng: &rng) != wave { through += 1 }
        }
        XCTAssertTrue((70...130).contains(through), "about half of 200 clips, found \(through)")
        for aug in [Augmentation(channel: .init(bits: 4)), Augmentation(speedFactors: [0.9])] {
            var rng = Augmentation.generator(seed: 3, epoch: 0, source: "c.parquet", row: 0)
            var fresh = rng
            let out = try aug.simulateChannel(wave, sampleRate: 16000, rng: &rng)
            XCTAssertEqual(out == wave, aug.channel == nil)
            XCTAssertEqual(rng.next(), fresh.next(), "no draw")
        }
        XCTAssertFalse(Augmentation(channel: .init(bits: 8, probability: 0)).isEnabled)
        XCTAssertTrue(Augmentation(channel: .init(sampleRate: 8000)).isEnabled)
        XCTAssertEqual(Augmentation(channel: .init(sampleRate: 11025, bits: 8, probability: 0.5)).summary,
                       "channel 11025 Hz 8-bit on 50% of the clips")
    }

    /// Rows with precomputed features keep them (no speed change) and are masked within their frames.
    func testPrecomputedFeaturesAreMaskedButNotResampled() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        let featurizer = Featurizer(extractor: try LogMelExtractor(), tokenizer: try Tokenizer(folder: stack.llm), padding: .trim)
        let stored = (0..<(80 * 120)).map { Float($0 % 61) }
        let sample = Sample(waveform: [Float](repeating: 0.1, count: 16000), text: "abc", source: "f.parquet", row: 0, duration: 1.2,
                            inputFeatures: FloatMatrix(rows: 80, cols: 120, values: stored))
        let aug = Augmentation(speedFactors: [0.9, 1.1], freqMasks: 2, freqWidth: 10, timeMasks: 2, timeWidth: 0.2)
        var changed = 0
        for epoch in 0..<5 {
            let item = try featurizer.item(sample, augmentation: aug, seed: 1, epoch: epoch)
            XCTAssertEqual(item.features.shape, [80, 120], "the stored frames, not the waveform's")
            changed += zip(try item.features.floats(), stored).filter { $0 != $1 }.count
        }
        XCTAssertGreaterThan(changed, 0)
    }

    /// The training loader augments (differently per epoch); the evaluation loader and an
    /// augmentation-free config give the plain features.
    func testTrainingLoaderAugmentsPerEpochAndEvaluationDoesNot() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        let extra = "speed_perturbation: [0.9, 1.1]\nspec_augment: {freq_masks: 2, freq_width: 8, time_masks: 1, time_width: 0.1}"
        let setup = try TrainingSetup(config: stack.config(output: stack.root + "/run", extra: extra)) { _ in }
        let index = try setup.index(paths: [stack.manifest], skipReport: nil) { _ in }
        func features(augment: Bool, epoch: Int) throws -> [String: [Float]] {
            let loader = setup.loader(index, batchSize: 8, shuffle: false, dropLast: false, augment: augment)
            var out: [String: [Float]] = [:]
            for batch in loader.batches(epoch: epoch) { for item in batch.items { out[item.text] = try item.features.floats() } }
            return out
        }
        let plain = try features(augment: false, epoch: 0)
        XCTAssertEqual(plain, try features(augment: false, epoch: 1), "evaluation features never change")
        let epoch0 = try features(augment: true, epoch: 0), epoch1 = try features(augment: true, epoch: 1)
        XCTAssertEqual(epoch0, try features(augment: true, epoch: 0), "a re-run sees the same augmented clips")
        XCTAssertEqual(plain.count, 8)
        for word in TinyStack.words {
            XCTAssertNotEqual(epoch0[word], plain[word], word)
            XCTAssertNotEqual(epoch0[word], epoch1[word], word)
        }
        // 1 s clips: speed 0.9 or 1.1 changes the frame count from 100 to 111 or 90.
        for word in TinyStack.words { XCTAssertTrue([90 * 80, 111 * 80].contains(epoch0[word]!.count), word) }

        // Masks alone (no speed change) keep the frame count and still change the features.
        /// Each clip's epoch-0 training features under a config with `extra` added.
        func trainingFeatures(run: String, extra: String) throws -> [(text: String, features: [Float])] {
            let setup = try TrainingSetup(config: stack.config(output: stack.root + "/" + run, extra: extra)) { _ in }
            return try setup.loader(index, batchSize: 8, shuffle: false, dropLast: false, augment: true).batches(epoch: 0)
                .flatMap { $0.items }.map { ($0.text, try $0.features.floats()) }
        }
        for (text, f) in try trainingFeatures(run: "run3", extra: "spec_augment: {freq_masks: 2, freq_width: 8}") {
            XCTAssertEqual(f.count, plain[text]!.count, text)
            XCTAssertEqual(zip(f, plain[text]!).filter { $0 != $1 }.count % 100, 0, "whole bins of the 100 frames")
        }

        // A channel alone (4-bit rounding) changes every clip and keeps its frame count.
        let channelled = try trainingFeatures(run: "run4", extra: "channel_simulation: {bits: 4}")
        XCTAssertEqual(channelled.count, 8)
        for (text, f) in channelled {
            XCTAssertEqual(f.count, plain[text]!.count, text)
            XCTAssertNotEqual(f, plain[text]!, text)
        }

        let noAugmentation = try TrainingSetup(config: stack.config(output: stack.root + "/run2")) { _ in }
        let loader = noAugmentation.loader(index, batchSize: 8, shuffle: false, dropLast: false, augment: true)
        for batch in loader.batches(epoch: 0) { for item in batch.items { XCTAssertEqual(try item.features.floats(), plain[item.text]) } }
    }
}
