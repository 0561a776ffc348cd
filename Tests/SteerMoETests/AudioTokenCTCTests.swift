import XCTest
@testable import SteerMoE
@testable import Torch

/// The auxiliary audio-token CTC (ctc_weight) and the projection calibration, on the fixture
/// Whisper (width 32) and Qwen2 (width 48, vocabulary 160) models.
final class AudioTokenCTCTests: XCTestCase {
    func model(ctcWeight: Double) throws -> SteerMoEModel { try Fixtures.steerMoE(ctcWeight: ctcWeight) }

    /// Audio frames that are (scaled) copies of token embeddings: CTC must prefer the transcript
    /// in the frames' order, ignore prompt / padding labels and the final eos, and respect each
    /// row's audio length.
    func testCTCReadsAudioFramesAsTokensInOrder() throws {
        let m = try model(ctcWeight: 1)
        let table = try m.llm.embed(Tensor.arange(m.llm.vocabSize).unsqueeze(0)).squeeze(0)
        let (t1, t2, t3, eos, ignore) = (Int64(23), Int64(41), Int64(57), Int64(149), Int64(-100))
        func frame(_ t: Int64) throws -> Tensor {
            let e = try table.select(dim: 0, index: Int(t))
            return try e * (40 / e.pow(2).sum().item())  // own score 40; others well below
        }
        // Row 0: t1 t1 t2 t2 (4 frames). Row 1: t3 t3 then 2 padded frames (mask false).
        let audio = try Tensor.stack([Tensor.stack([frame(t1), frame(t1), frame(t2), frame(t2)]),
                                      Tensor.stack([frame(t3), frame(t3), frame(t1), frame(t1)])])
        let mask = try Tensor([true, true, true, true, true, true, false, false], shape: [2, 4])
        func loss(_ rows: [[Int64]]) throws -> Double {
            try m.audioTokenCTCLoss(audio: audio, audioMask: mask, labels: Tensor(rows: rows)).item()
        }
        let right = try loss([[ignore, ignore, t1, t2, eos], [ignore, ignore, t3, eos, ignore]])
        XCTAssertLessThan(right, 0.5)
        XCTAssertGreaterThan(try loss([[ignore, ignore, t2, t1, eos], [ignore, ignore, t3, eos, ignore]]), right + 5,
                             "the reversed transcript of row 0")
        // Row 1's padded frames hold t1: if they were read, "t3 t1" would become cheap.
        XCTAssertGreaterThan(try loss([[ignore, ignore, t1, t2, eos], [ignore, t3, t1, eos, ignore]]), right + 5)
    }

    func testCTCTermIsAddedAndTrainsTheBlankAndProjection() throws {
        let features = try Tensor.randn([2, 80, 60], generator: Generator(seed: 5))
        let frameMask = try Tensor([Bool](repeating: true, count: 60) + [Bool](repeating: true, count: 40) + [Bool](repeating: false, count: 20),
                                   shape: [2, 60])
        let labels = try Tensor(rows: [[Int64(-100), 23, 41, 149], [-100, 57, 149, -100]])
        let text = TextBatch(ids: try Tensor(rows: [[Int64(5), 23, 41, 149], [5, 57, 149, 149]]),
                             attentionMask: try Tensor(rows: [[Int64(1), 1, 1, 1], [1, 1, 1, 0]]), labels: labels)
        let plain = try model(ctcWeight: 0)
        XCTAssertNil(try plain(features: features, frameMask: frameMask, text: text).ctcLoss)
        XCTAssertNil(plain.adapter.ctcBlank)

        let m = try model(ctcWeight: 0.5)
        let out = try m(features: features, frameMask: frameMask, text: text)
        let ctc = try XCTUnwrap(out.ctcLoss).item()
        XCTAssertGreaterThan(ctc, 0)
        XCTAssertEqual(try out.loss.item(), try out.lmLoss.item() + 0.5 * ctc, accuracy: 1e-4)
        try out.loss.backward()
        let blankGrad = try XCTUnwrap(m.adapter.ctcBlank?.grad)
        XCTAssertGreaterThan(try blankGrad.abs().sum().item(), 0)
        XCTAssertTrue(m.adapter.otherParameters.contains { $0 === m.adapter.ctcBlank })
        XCTAssertNotNil(m.adapter.stateDict()["ctc_blank"], "saved with the adapter")
    }

    /// Restricted classes: the same loss when they cover the vocabulary; a lower one (a smaller
    /// softmax) when they hold only some tokens; a clear error for a target outside them.
    func testRestrictedClassesSpanOnlyTheGivenTokens() throws {
        let m = try model(ctcWeight: 1)
        let audio = try Tensor.randn([2, 6, m.llm.config.hiddenSize], generator: Generator(seed: 11)) * 0.3
        let labels = try Tensor(rows: [[Int64(-100), 23, 41, 149], [-100, 57, 149, -100]])
        let full: Double = try m.audioTokenCTCLoss(audio: audio, audioMask: nil, labels: labels).item()
        try m.restrictCTCClasses(to: Array(0..<m.llm.vocabSize).reversed())
        XCTAssertEqual(try m.audioTokenCTCLoss(audio: audio, audioMask: nil, labels: labels).item(), full, accuracy: 1e-5)
        try m.restrictCTCClasses(to: [57, 41, 23, 23, 90])
        XCTAssertEqual(m.ctcClasses?.count, 4)
        let restricted: Double = try m.audioTokenCTCLoss(audio: audio, audioMask: nil, labels: labels).item()
        XCTAssertLessThan(restricted, full - 0.5)
        let outside = try Tensor(rows: [[Int64(-100), 23, 42, 149]])
        XCTAssertThrowsError(try m.audioTokenCTCLoss(audio: audio.slice(dim: 0, start: 0, end: 1), audioMask: nil, labels: outside)) {
            XCTAssertTrue("\($0)".contains("token 42 of batch row 0 is not among the 4 CTC classes"), "\($0)")
        }
        XCTAssertThrowsError(try m.restrictCTCClasses(to: [1, m.llm.vocabSize])) {
            XCTAssertTrue("\($0)".contains("token id \(m.llm.vocabSize) is outside the vocabulary"), "\($0)")
        }
    }

    /// Gemma multiplies input embeddings by √H; the CTC scores use the matrix as stored.
    func testGemmaScoresUseTheStoredEmbeddingMatrix() throws {
        let m = try Fixtures.steerMoE(llm: "gemma3-tiny-random", ctcWeight: 1)
        let stored = try m.llm.embeddingMatrix.to(dtype: .float32)
        XCTAssertEqual(try maxAbsDiff(m.ctcClassSet().table, stored), 0)
        let inputNorm: Double = try m.llm.embed(Tensor(rows: [[Int64(7)]])).pow(2).sum().sqrt().item()
        let storedNorm: Double = try stored.select(dim: 0, index: 7).pow(2).sum().sqrt().item()
        let inputScale = inputNorm / storedNorm
        XCTAssertEqual(inputScale, Double(m.llm.config.hiddenSize).squareRoot(), accuracy: 1e-3, "the input side keeps √H")
    }

    /// After calibration the audio embeddings' RMS equals the text embeddings' RMS, directions kept.
    func testCalibrationMatchesTokenEmbeddingRMS() throws {
        let m = try model(ctcWeight: 0)
        let features = try Tensor.randn([2, 80, 60], generator: Generator(seed: 6))
        let text = TextBatch(ids: try Tensor(rows: [[Int64(5), 23, 41], [5, 57, 0]]),
                             attentionMask: try Tensor(rows: [[Int64(1), 1, 1], [1, 1, 0]]),
                             labels: try Tensor(rows: [[Int64(-100), 23, 41], [-100, 57, -100]]))
        let before = try m.steeringEncoder(features).embeddings
        let r = try XCTUnwrap(try m.calibrateProjection(features: features, frameMask: nil, text: text))
        let after = try m.steeringEncoder(features).embeddings
        XCTAssertEqual(try SteerMoEModel.rms(after, mask: nil), r.tokenRMS, accuracy: 1e-5 * r.tokenRMS)
        let tokens = try m.llm.embed(Tensor(rows: [[Int64(5), 23, 41], [5, 57, 0]]))
        let real = try Tensor.cat([tokens.select(dim: 0, index: 0), tokens.select(dim: 0, index: 1).slice(dim: 0, start: 0, end: 2)])
        XCTAssertEqual(r.tokenRMS, try SteerMoEModel.rms(real.unsqueeze(0), mask: nil), accuracy: 1e-6, "padding excluded")
        try assertClose(after, before * r.factor, atol: 1e-5)
        XCTAssertNotEqual(r.factor, 1, accuracy: 1e-3)
    }
}
