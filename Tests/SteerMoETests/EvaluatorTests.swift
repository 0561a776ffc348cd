import Foundation
import SpeechData
import XCTest
@testable import SteerMoE

final class EvaluatorTests: XCTestCase {
    /// A transcriber that returns each reference: every score is 0, so only the counting is tested.
    struct Echo: BatchTranscriber {
        func transcribe(_ items: [SpeechItem]) throws -> [String] { items.map(\.text) }
    }

    /// `shouldStop` (Ctrl-C in `steermoe evaluate`) ends the run between batches and marks the
    /// result incomplete; the batches already scored are kept.
    func testEvaluationStopsBetweenBatchesWhenAskedAndSaysSo() throws {
        let stack = try TinyStack()
        defer { stack.remove() }
        let setup = try TrainingSetup(config: try stack.config(output: stack.root + "/run")) { _ in }
        let index = try setup.index(paths: setup.config.parquetDirs, skipReport: nil) { _ in }
        let loader = setup.loader(index, batchSize: 2, shuffle: false, dropLast: false)
        let whole = try Evaluator.run(Echo(), loader)
        XCTAssertTrue(whole.complete)
        XCTAssertEqual(whole.predictions.count, index.entries.count)
        XCTAssertGreaterThan(whole.predictions.count, 4)
        XCTAssertEqual(whole.score.wer, 0)
        var asked = 0
        let part = try Evaluator.run(Echo(), loader, shouldStop: { asked += 1; return asked > 2 })
        XCTAssertFalse(part.complete)
        XCTAssertEqual(part.predictions.count, 4, "two batches of two")
        XCTAssertEqual(part.predictions.map(\.row), Array(whole.predictions.prefix(4)).map(\.row))
    }
}
