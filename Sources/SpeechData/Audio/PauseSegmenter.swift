import Foundation

/// Cuts long recordings into segments a 30 s model can hear, at pauses (long-form transcription).
///
/// Both models read at most 30 s, and the adapters were trained on single lines: they transcribe
/// one utterance well and several in a row badly (docs/transcribe.md). A recording longer than
/// `maxSeconds` is cut where the speaker pauses: the energy of 10 ms frames, a frame being quiet
/// when it is `quietDecibels` below the recording's loud level (its 95th-percentile frame), a pause
/// being `minPauseSeconds` of quiet frames, cut in its middle. From each segment start the cut is
/// the last pause within `targetSeconds` (so a segment gathers utterances up to that length; 0: cut
/// at every pause), else the first pause within `maxSeconds`, else (speech without a pause) the
/// quietest frame of the second half of the `maxSeconds` window. Segments with no frame above the
/// quiet level (silence, hum) are dropped, so the model is never asked to transcribe nothing.
/// Recordings up to `maxSeconds` come back whole (nothing changes for clip-length audio).
public struct PauseSegmenter: Sendable {
    public var maxSeconds: Double
    public var targetSeconds: Double
    public var minPauseSeconds: Double
    public var quietDecibels: Double
    public static let sampleRate = 16000
    static let frameSamples = 160  // 10 ms

    public init(maxSeconds: Double = 30, targetSeconds: Double = 0, minPauseSeconds: Double = 0.3, quietDecibels: Double = 35) {
        self.maxSeconds = maxSeconds
        self.targetSeconds = targetSeconds
        self.minPauseSeconds = minPauseSeconds
        self.quietDecibels = quietDecibels
    }

    /// A segment of the recording, in samples.
    public struct Segment: Equatable, Sendable {
        public var start: Int
        public var end: Int
        public var seconds: (start: Double, end: Double) {
            (Double(start) / Double(PauseSegmenter.sampleRate), Double(end) / Double(PauseSegmenter.sampleRate))
        }
        public init(start: Int, end: Int) { self.start = start; self.end = end }
    }

    /// For SteerMoE adapters, which were trained on single lines and read several in a row badly:
    /// recordings over 10 s cut at every pause (chosen on long recordings made of the dev split,
    /// docs/transcribe.md).
    public static let utterances = PauseSegmenter(maxSeconds: 10, targetSeconds: 0)
    /// For Whisper's own decoder, trained on 30 s windows: segments gather utterances up to 30 s.
    public static let windows = PauseSegmenter(maxSeconds: 30, targetSeconds: 30)

    /// What is wrong with these settings, nil when they are usable.
    public var problem: String? {
        if !(maxSeconds >= 1 && maxSeconds <= 30) {
            return "segment length must be within 1...30 s (the models read 30 s at most), found \(maxSeconds)"
        }
        if !(targetSeconds >= 0 && targetSeconds <= maxSeconds) {
            return "target segment length must be within 0...\(maxSeconds) s (the longest segment), found \(targetSeconds)"
        }
        if !(minPauseSeconds > 0 && minPauseSeconds < maxSeconds / 2) {
            return "minimum pause must be > 0 s and under half the segment length, found \(minPauseSeconds)"
        }
        if !(quietDecibels > 0) { return "quiet level must be a positive number of dB below the loud level, found \(quietDecibels)" }
        return nil
    }

    /// Segments of a 16 kHz mono recording, in order, not overlapping.
    public func segments(_ samples: [Float]) -> [Segment] {
        let maxSamples = Int(maxSeconds * Double(Self.sampleRate))
        guard samples.count > maxSamples else { return samples.isEmpty ? [] : [Segment(start: 0, end: samples.count)] }
        let energy = frameDecibels(samples)
        let quiet = quietLevel(energy)
        let pauses = pauseCentres(energy, quiet: quiet)
        let maxFrames = maxSamples / Self.frameSamples
        let targetFrames = Int(targetSeconds * Double(Self.sampleRate)) / Self.frameSamples
        var cuts: [Int] = []  // frame indices
        var start = 0
        while energy.count - start > targetFrames {
            let limit = start + maxFrames
            if let pause = pauses.last(where: { $0 > start && $0 <= start + targetFrames })
                ?? pauses.first(where: { $0 > start && $0 <= limit }) {
                cuts.append(pause)
            } else if energy.count - start > maxFrames {
                let half = start + maxFrames / 2
                cuts.append((half..<limit).min { energy[$0] < energy[$1] } ?? limit)
            } else {
                break  // the rest fits and has no pause to cut at
            }
            start = cuts.last!
        }
        let bounds = [0] + cuts.map { $0 * Self.frameSamples } + [samples.count]
        return zip(bounds, bounds.dropFirst()).compactMap { a, b in
            let frames = (a / Self.frameSamples)..<min(energy.count, max(a / Self.frameSamples + 1, b / Self.frameSamples))
            return frames.contains { energy[$0] > quiet } ? Segment(start: a, end: b) : nil
        }
    }

    /// Energy of each 10 ms frame in dB (the last partial frame included).
    func frameDecibels(_ samples: [Float]) -> [Double] {
        stride(from: 0, to: samples.count, by: Self.frameSamples).map { s in
            let frame = samples[s..<min(samples.count, s + Self.frameSamples)]
            let power = frame.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(frame.count)
            return 10 * log10(power + 1e-12)
        }
    }

    /// `quietDecibels` below the 95th-percentile frame: robust to a few clicks, and relative, so
    /// recording level does not matter; but never below `silenceFloor`, so a recording of digital
    /// silence is all quiet rather than all "loud" against itself.
    func quietLevel(_ energy: [Double]) -> Double {
        let sorted = energy.sorted()
        return max(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))] - quietDecibels, Self.silenceFloor)
    }

    /// dB re full scale (±1) below which a frame is silent whatever the recording: about two
    /// 16-bit steps of RMS.
    static let silenceFloor = -90.0

    /// Middle frame of every run of quiet frames at least `minPauseSeconds` long.
    func pauseCentres(_ energy: [Double], quiet: Double) -> [Int] {
        let minFrames = max(1, Int(minPauseSeconds * Double(Self.sampleRate / Self.frameSamples)))
        var centres: [Int] = []
        var runStart: Int? = nil
        for i in 0...energy.count {
            let isQuiet = i < energy.count && energy[i] <= quiet
            if isQuiet, runStart == nil { runStart = i }
            if !isQuiet, let s = runStart {
                if i - s >= minFrames { centres.append((s + i) / 2) }
                runStart = nil
            }
        }
        return centres
    }
}
