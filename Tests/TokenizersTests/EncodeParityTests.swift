import Foundation
import XCTest
@testable import Tokenizers

/// Ids must equal HF `tokenizers` for every fixture text of every family.
final class EncodeParityTests: XCTestCase {
    func testIdsMatchHuggingFaceForEveryFamily() throws {
        for family in Fixtures.families {
            let tokenizer = try Fixtures.tokenizer(family)
            let expected = try Fixtures.expectations(family)
            let cases = try XCTUnwrap(expected.cases)
            XCTAssertGreaterThan(cases.count, 100, family)
            var mismatches = 0
            for item in cases {
                let ids = tokenizer.encode(item.text, addSpecialTokens: false)
                let withSpecial = tokenizer.encode(item.text, addSpecialTokens: true)
                if ids != item.ids || withSpecial != item.ids_with_special {
                    mismatches += 1
                    if mismatches <= 5 {
                        XCTFail("\(family) '\(visible(item.text))': got \(ids) / \(withSpecial), HF \(item.ids) / \(item.ids_with_special)")
                    }
                }
            }
            XCTAssertEqual(mismatches, 0, "\(family): \(mismatches) of \(cases.count) texts differ from HF")
        }
    }

    func testLlama3AddsBeginOfTextOnlyWithSpecialTokens() throws {
        let tokenizer = try Fixtures.tokenizer("llama3")
        let bos = try XCTUnwrap(tokenizer.tokenToId("<|begin_of_text|>"))
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: true), [bos])
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: false), [])
        XCTAssertEqual(tokenizer.encode("Hi", addSpecialTokens: true).first, bos)
    }

    func testQwenSplitsDigitsOneByOneAndLlamaInThrees() throws {
        let qwen = try Fixtures.tokenizer("qwen2_5")
        let digitIds = "1234567".map { qwen.tokenToId(String($0))! }
        XCTAssertEqual(qwen.encode("1234567", addSpecialTokens: false), digitIds)
        let llama = try Fixtures.tokenizer("llama3")
        let pieces = llama.encode("1234567", addSpecialTokens: false).map { llama.decode([$0]) }
        XCTAssertEqual(pieces.joined(), "1234567")
        XCTAssertTrue(pieces.allSatisfy { $0.count <= 3 }, "\(pieces)")
    }

    func testRepeatedEncodingUsesCacheWithoutChangingIds() throws {
        let tokenizer = try Fixtures.tokenizer("qwen3")
        let text = "Cached words, cached words: 缓存的词语。"
        let first = tokenizer.encode(text)
        XCTAssertEqual(tokenizer.encode(text), first)
        XCTAssertEqual(tokenizer.decode(first), text)
    }
}

final class ConcurrentEncodeTests: XCTestCase {
    /// The shared word cache is locked: encoding from many threads gives the serial ids.
    func testConcurrentEncodingMatchesSerial() throws {
        let tokenizer = try Fixtures.tokenizer("qwen2_5")
        let texts = try XCTUnwrap(Fixtures.expectations("qwen2_5").cases).map(\.text)
        let serial = texts.map { tokenizer.encode($0) }
        let results = ResultBox(count: texts.count)
        DispatchQueue.concurrentPerform(iterations: texts.count * 4) { iteration in
            let index = iteration % texts.count
            results.set(index, tokenizer.encode(texts[index]))
        }
        XCTAssertEqual(results.values, serial)
    }
}

private final class ResultBox: @unchecked Sendable {  // guarded by lock
    private let lock = NSLock()
    private var stored: [[Int]]
    init(count: Int) { stored = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [Int]) { lock.lock(); stored[index] = value; lock.unlock() }
    var values: [[Int]] { lock.lock(); defer { lock.unlock() }; return stored }
}
