import XCTest
@testable import SteerMoE
@testable import Torch

/// Log-mel parity with transformers' WhisperFeatureExtractor: ≤ 1e-4 max abs (fixture README).
final class LogMelTests: XCTestCase {
    let ref = try! Fixtures.tensors("logmel/reference.safetensors")
    var waveA: [Float] { try! ref["wave_a"]!.floats() }
    var waveB: [Float] { try! ref["wave_b"]!.floats() }

    func testSlaneyFiltersMatch() throws {
        for bins in [80, 128] {
            let ours = try LogMelExtractor(melBins: bins).filters.transpose(0, 1)
            try assertClose(ours, ref["mel\(bins).filters"]!, atol: 1e-7, "\(bins) bins")
        }
    }

    func testPaddedTo30Seconds() throws {
        for bins in [80, 128] {
            let fe = try LogMelExtractor(melBins: bins)
            let features = try fe.padded(waveA)
            XCTAssertEqual(features.shape, [bins, 3000])
            try assertClose(features.slice(dim: 1, start: 0, end: 376), ref["mel\(bins).a_padded30_head"]!, atol: 1e-4, "\(bins)")
            let tail = try features.slice(dim: 1, start: 376)
            let floor = try ref["mel\(bins).a_padded30_tail_value"]!.item()
            XCTAssertEqual(try tail.amax().item(), floor, accuracy: 1e-4)
            XCTAssertEqual(try tail.amin().item(), floor, accuracy: 1e-4)
        }
    }

    func testRealLengthBatchAndFrameMask() throws {
        let fe = try LogMelExtractor(melBins: 80)
        let (features, mask) = try fe([waveA, waveB])
        XCTAssertEqual(features.shape, [2, 80, 370])
        try assertClose(features, ref["mel80.batch_longest"]!, atol: 1e-4)
        XCTAssertEqual(try mask.ints(), try ref["mel80.batch_attention_mask"]!.ints())
        let alone = try fe([waveB]).features.squeeze(0)
        try assertClose(alone, ref["mel80.b_longest"]!, atol: 1e-4)
    }

    func testEmptyBatchIsAnError() throws {
        XCTAssertThrowsError(try LogMelExtractor()([])) { XCTAssertTrue("\($0)".contains("empty")) }
    }
}
