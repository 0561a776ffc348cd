import XCTest
@testable import Tokenizers

final class DecodeTests: XCTestCase {
    func testDecodeMatchesHuggingFace() throws {
        for family in Fixtures.families {
            let tokenizer = try Fixtures.tokenizer(family)
            for item in try XCTUnwrap(Fixtures.expectations(family).cases) {
                XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: false), item.decoded,
                               "\(family) '\(visible(item.text))'")
                XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special,
                               "\(family) skip special '\(visible(item.text))'")
            }
        }
    }

    func testRoundTripOfOrdinaryText() throws {
        let tokenizer = try Fixtures.tokenizer("qwen2_5")
        let text = "Round trip: 你好, мир! 👋 \t\n end"
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), text)
    }

    func testPartialUTF8IsReplacedLikeHF() throws {
        let tokenizer = try Fixtures.tokenizer("gpt2")
        let ids = tokenizer.encode("中", addSpecialTokens: false)
        // "中" is three bytes; a lone first byte decodes to U+FFFD.
        let firstByte = try XCTUnwrap(tokenizer.tokenToId(ByteLevelAlphabet.encode([0xE4])))
        XCTAssertEqual(tokenizer.decode([firstByte]), "\u{FFFD}")
        XCTAssertEqual(tokenizer.decode(ids), "中")
    }

    func testTokenLookups() throws {
        let tokenizer = try Fixtures.tokenizer("qwen3")
        let id = try XCTUnwrap(tokenizer.tokenToId("<|im_end|>"))
        XCTAssertEqual(tokenizer.idToToken(id), "<|im_end|>")
        XCTAssertTrue(tokenizer.isSpecial(id))
        let think = try XCTUnwrap(tokenizer.tokenToId("<think>"))
        XCTAssertFalse(tokenizer.isSpecial(think))
        XCTAssertNil(tokenizer.tokenToId("not a token at all"))
        XCTAssertNil(tokenizer.idToToken(10_000_000))
    }
}
