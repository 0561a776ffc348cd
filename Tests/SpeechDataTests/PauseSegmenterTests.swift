import XCTest
@testable import SpeechData

final class PauseSegmenterTests: XCTestCase {
    static let rate = 16000

    /// `seconds` of a 300 Hz tone at `amplitude`.
    func tone(_ seconds: Double, amplitude: Float = 0.5) -> [Float] {
        (0..<Int(seconds * Double(Self.rate))).map { amplitude * Float(sin(Double($0) * 2 * .pi * 300 / Double(Self.rate))) }
    }

    /// Low noise (-60 dB against the tone): what a quiet room between sentences sounds like.
    func quiet(_ seconds: Double) -> [Float] {
        var state: UInt32 = 12345
        return (0..<Int(seconds * Double(Self.rate))).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return 0.0005 * (Float(state >> 8) / Float(1 << 24) - 0.5)
        }
    }

    func testShortRecordingsStayWhole() {
        let s = PauseSegmenter(maxSeconds: 10)
        let clip = tone(2) + quiet(1) + tone(3)
        XCTAssertEqual(s.segments(clip), [.init(start: 0, end: clip.count)])
        XCTAssertEqual(s.segments([]), [])
        let exactly = tone(10)
        XCTAssertEqual(s.segments(exactly), [.init(start: 0, end: exactly.count)], "10 s is not longer than 10 s")
    }

    /// Sentences of 3 s with 0.5 s pauses (21 s). Pause k spans [3.5k + 3, 3.5k + 3.5) s; its middle
    /// frame is at 3.5k + 3.25 s. Cuts land there: at every pause by default (one sentence per
    /// segment), at the last pause within the target length when one is set (here two sentences),
    /// and the segments tile the recording.
    func testCutsAtPausesUpToTheTargetLength() {
        var audio: [Float] = []
        for _ in 0..<6 { audio += tone(3) + quiet(0.5) }
        func cuts(_ s: PauseSegmenter) -> [Double] {
            let segments = s.segments(audio)
            XCTAssertEqual(segments.first?.start, 0)
            for (a, b) in zip(segments, segments.dropFirst()) { XCTAssertEqual(a.end, b.start) }
            for seg in segments { XCTAssertLessThanOrEqual(seg.end - seg.start, Int(s.maxSeconds) * Self.rate) }
            return segments.dropFirst().map { Double($0.start) / Double(Self.rate) }
        }
        // The last pause (20.75 s) leaves only quiet after it: that segment is dropped.
        XCTAssertEqual(cuts(PauseSegmenter(maxSeconds: 8)), [3.25, 6.75, 10.25, 13.75, 17.25])
        XCTAssertEqual(PauseSegmenter(maxSeconds: 8).segments(audio).last?.end, Int(20.75 * Double(Self.rate)))
        XCTAssertEqual(cuts(PauseSegmenter(maxSeconds: 8, targetSeconds: 8)), [6.75, 13.75])
        XCTAssertEqual(PauseSegmenter(maxSeconds: 8, targetSeconds: 8).segments(audio).last?.end, audio.count)
        XCTAssertEqual(cuts(PauseSegmenter(maxSeconds: 8, targetSeconds: 2)), [3.25, 6.75, 10.25, 13.75, 17.25],
                       "no pause within 2 s: the first one after")
    }

    /// Speech without a 0.3 s pause: the cut is the quietest 10 ms of the segment's second half
    /// (here a 0.1 s dip at 7.0 s), never the first half (a deeper dip at 2.0 s).
    func testWithoutPausesCutsAtTheQuietestFrameOfTheSecondHalf() {
        let audio = tone(2) + tone(0.1, amplitude: 0.001) + tone(4.9) + tone(0.1, amplitude: 0.05) + tone(5.9)
        let segments = PauseSegmenter(maxSeconds: 10).segments(audio)
        XCTAssertEqual(segments.count, 2)
        let cut = Double(segments[1].start) / Double(Self.rate)
        XCTAssertGreaterThanOrEqual(cut, 7.0)
        XCTAssertLessThan(cut, 7.1)
    }

    /// A segment of nothing but room noise is dropped: nothing for the model to transcribe.
    func testSilentSegmentsAreDropped() {
        let audio = tone(4) + quiet(25) + tone(4)  // 33 s
        let segments = PauseSegmenter(maxSeconds: 10, minPauseSeconds: 0.3).segments(audio)
        XCTAssertGreaterThanOrEqual(segments.count, 2)
        let voiced = segments.map { seg in audio[seg.start..<seg.end].contains { abs($0) > 0.1 } }
        XCTAssertEqual(voiced, [Bool](repeating: true, count: segments.count), "\(segments)")
        XCTAssertEqual(segments.first?.start, 0)
        XCTAssertEqual(segments.last?.end, audio.count)
    }

    /// Digital silence is nothing to transcribe, however long.
    func testASilentRecordingHasNoSegments() {
        XCTAssertEqual(PauseSegmenter(maxSeconds: 10).segments([Float](repeating: 0, count: 40 * Self.rate)), [])
    }

    func testLevelIsRelative() {
        var loud: [Float] = []
        for _ in 0..<6 { loud += tone(3) + quiet(0.5) }
        let soft = loud.map { $0 * 0.01 }
        XCTAssertEqual(PauseSegmenter(maxSeconds: 8).segments(loud), PauseSegmenter(maxSeconds: 8).segments(soft))
        XCTAssertEqual(PauseSegmenter(maxSeconds: 8).segments(loud).count, 6)
    }

    func testSettingsAreChecked() {
        XCTAssertNil(PauseSegmenter().problem)
        XCTAssertTrue(PauseSegmenter(maxSeconds: 31).problem?.contains("1...30 s") == true)
        XCTAssertTrue(PauseSegmenter(maxSeconds: 0.5).problem?.contains("1...30 s") == true)
        XCTAssertTrue(PauseSegmenter(maxSeconds: 4, minPauseSeconds: 2).problem?.contains("minimum pause") == true)
        XCTAssertTrue(PauseSegmenter(maxSeconds: 10, targetSeconds: 12).problem?.contains("target segment length") == true)
        XCTAssertTrue(PauseSegmenter(quietDecibels: 0).problem?.contains("quiet level") == true)
    }
}
