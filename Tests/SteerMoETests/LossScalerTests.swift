import Foundation
import XCTest
@testable import SteerMoE

final class LossScalerTests: XCTestCase {
    /// torch.amp.GradScaler's rules: overflow halves the scale and restarts the count; the
    /// growth interval's worth of good steps in a row doubles it.
    func testBacksOffOnOverflowAndGrowsAfterTheInterval() {
        var s = LossScaler()
        XCTAssertEqual(s.scale, 65536)
        s.growthInterval = 3
        s.update(overflow: true)
        XCTAssertEqual([s.scale, Double(s.goodSteps), Double(s.skippedSteps)], [32768, 0, 1])
        s.update(overflow: false)
        s.update(overflow: false)
        XCTAssertEqual(s.scale, 32768)
        s.update(overflow: true)
        XCTAssertEqual([s.scale, Double(s.goodSteps)], [16384, 0], "an overflow restarts the count")
        for _ in 0..<3 { s.update(overflow: false) }
        XCTAssertEqual([s.scale, Double(s.goodSteps), Double(s.skippedSteps)], [32768, 0, 2])
    }

    /// Trainer states written before fp16 training existed still load; fp16 ones keep their scale.
    func testTrainerStateKeepsTheScalerAndReadsOldStates() throws {
        var state = TrainerState()
        state.step = 7
        var scaler = LossScaler(scale: 1024)
        scaler.update(overflow: false)
        state.lossScaler = scaler
        let again = try JSONDecoder().decode(TrainerState.self, from: JSONEncoder().encode(state))
        XCTAssertEqual(again, state)
        let old = #"{"step": 3, "epoch": 0, "batchInEpoch": 3, "evalsWithoutImprovement": 0, "nonFiniteSkipped": 0, "consecutiveNonFinite": 0, "samplesSeen": 12}"#
        let decoded = try JSONDecoder().decode(TrainerState.self, from: Data(old.utf8))
        XCTAssertEqual(decoded.step, 3)
        XCTAssertNil(decoded.lossScaler)
    }
}
