import XCTest
@testable import SteerMoE
@testable import Torch

final class CollatorAndMetricsTests: XCTestCase {
    let collator = TextCollator(promptIds: [11, 12, 13], eosId: 2, padId: 0, maxTextTokens: 5)

    func testPromptMaskingEosAndPadding() throws {
        let b = try collator.collate([[40, 41], [50, 51, 52, 53]])
        XCTAssertEqual(try b.ids.ints(), [11, 12, 13, 40, 41, 2, 0, 0,
                                         11, 12, 13, 50, 51, 52, 53, 2])
        XCTAssertEqual(try b.attentionMask.ints(), [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try b.labels.ints(), [-100, -100, -100, 40, 41, 2, -100, -100,
                                            -100, -100, -100, 50, 51, 52, 53, 2])
    }

    func testTruncationKeepsEosAndEmptyTranscriptTrainsEos() throws {
        let b = try collator.collate([[1, 2, 3, 4, 5, 6, 7], []])
        XCTAssertEqual(b.ids.shape, [2, 8])
        XCTAssertEqual(try b.labels.select(dim: 0, index: 0).ints(), [-100, -100, -100, 1, 2, 3, 4, 2])
        XCTAssertEqual(try b.labels.select(dim: 0, index: 1).ints(), [-100, -100, -100, 2, -100, -100, -100, -100])
        XCTAssertEqual(try b.attentionMask.select(dim: 0, index: 1).ints(), [1, 1, 1, 1, 0, 0, 0, 0])
        XCTAssertThrowsError(try collator.collate([]))
    }

    func testErrorRates() {
        XCTAssertEqual(ErrorRates.normalize("Hello, World! It's  DONE."), "hello world it's done")
        var s = ErrorRates.Score()
        s.add(reference: "the cat sat", hypothesis: "the cat sat")
        XCTAssertEqual(s.wer, 0)
        s.add(reference: "a b c d", hypothesis: "a x c")
        XCTAssertEqual(s.wordErrors, 2)
        XCTAssertEqual(s.words, 7)
        XCTAssertEqual(s.wer, 2.0 / 7.0, accuracy: 1e-12)
        let zh = ErrorRates.score(references: ["今天天气很好。"], hypotheses: ["今天天汽很好"])
        XCTAssertEqual(zh.charErrors, 1)
        XCTAssertEqual(zh.chars, 6)
        XCTAssertEqual(ErrorRates.editDistance([1, 2, 3], [Int]()), 3)
    }
}
