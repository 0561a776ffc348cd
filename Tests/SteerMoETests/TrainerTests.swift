import Foundation
import XCTest
@testable import SteerMoE
@testable import Torch

final class TrainerTests: XCTestCase {
    /// The tiny model learns 8 synthetic utterances to near-zero loss and transcribes them exactly.
    func testOverfitsEightUtterancesAndTranscribesThem() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        var config = try stack.config(output: stack.root + "/run", extra: "eval_parquet_dirs: [\"\(stack.manifest)\"]")
        config.maxSteps = 250
        let trainer = try Trainer(setup: TrainingSetup(config: config) { _ in }, quiet: true)
        try trainer.run()
        let final = trainer.stepLosses.suffix(5).reduce(0, +) / 5
        XCTAssertLessThan(final, 0.05, "loss \(trainer.stepLosses.first ?? .nan) -> \(final)")
        let log = try String(contentsOfFile: stack.root + "/run/train_log.jsonl", encoding: .utf8)
        XCTAssertTrue(log.contains("\"kind\":\"eval\""))
        let predictions = try String(contentsOfFile: stack.root + "/run/predictions-step250.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(predictions.count, 8)
        for p in predictions { XCTAssertEqual(p["hypothesis"] as? String, p["reference"] as? String) }
    }
}
