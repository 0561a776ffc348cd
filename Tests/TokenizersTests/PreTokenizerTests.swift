import XCTest
@testable import Tokenizers

final class PreTokenizerTests: XCTestCase {
    /// Our pieces, in byte-level characters, equal HF's pre_tokenize_str output.
    func testPreTokensMatchHuggingFace() throws {
        for family in Fixtures.families {
            let tokenizer = try Fixtures.tokenizer(family)
            for item in try XCTUnwrap(Fixtures.expectations(family).cases) {
                let text = tokenizer.normalizer?.apply(item.text) ?? item.text
                var bytes = Array(text.utf8)
                var pieces = bytes.isEmpty ? [] : [0..<bytes.count]
                tokenizer.preTokenizer?.apply(&bytes, &pieces)
                let ours = pieces.map { ByteLevelAlphabet.encode(bytes[$0]) }
                XCTAssertEqual(ours, try XCTUnwrap(item.pretokens), "\(family) '\(visible(item.text))'")
            }
        }
    }

    /// The hand-written matchers agree with ICU running the original regex.
    func testKnownPatternsAgreeWithRegexEngine() throws {
        let sources = [KnownPattern.gpt2Source, KnownPattern.chatStyleSource(digits: ""),
                       KnownPattern.chatStyleSource(digits: "{1,3}")]
        let texts = try Fixtures.expectations("qwen3").cases!.map(\.text)
        for source in sources {
            let known = try XCTUnwrap(KnownPattern(source: source))
            let regex = try RegexBox(source: source, path: "test")
            for text in texts where !text.isEmpty {
                let bytes = Array(text.utf8)
                bytes.withUnsafeBufferPointer { buffer in
                    let fast = SplitPattern.known(known).matches(in: buffer, range: 0..<buffer.count)
                    let slow = regex.matches(in: buffer, range: 0..<buffer.count)
                    XCTAssertEqual(fast, slow, "\(known) '\(visible(text))'")
                }
            }
        }
    }

    func testUnknownPatternFallsBackToRegex() throws {
        guard case .regex = try SplitPattern(regexSource: #"\d+|[a-z]+"#, path: "x") else {
            return XCTFail("expected the ICU fallback")
        }
        let pattern = try SplitPattern(regexSource: #"\d+"#, path: "x")
        let bytes = Array("ab12cd345".utf8)
        let matches = bytes.withUnsafeBufferPointer { pattern.matches(in: $0, range: 0..<$0.count) }
        XCTAssertEqual(matches, [2..<4, 6..<9])
    }

    func testSplitBehaviors() {
        let matches = [2..<3, 5..<6]  // "ab-cd-ef" split on "-"
        let range = 0..<8
        XCTAssertEqual(SplitBehavior.removed.pieces(of: range, matches: matches, invert: false), [0..<2, 3..<5, 6..<8])
        XCTAssertEqual(SplitBehavior.isolated.pieces(of: range, matches: matches, invert: false), [0..<2, 2..<3, 3..<5, 5..<6, 6..<8])
        XCTAssertEqual(SplitBehavior.mergedWithPrevious.pieces(of: range, matches: matches, invert: false), [0..<3, 3..<6, 6..<8])
        XCTAssertEqual(SplitBehavior.mergedWithNext.pieces(of: range, matches: matches, invert: false), [0..<2, 2..<5, 5..<8])
        XCTAssertEqual(SplitBehavior.removed.pieces(of: range, matches: matches, invert: true), [2..<3, 5..<6])
    }

    func testByteLevelAddPrefixSpace() {
        var bytes = Array("hello world".utf8)
        var pieces = [0..<bytes.count]
        PreTokenizer.byteLevel(addPrefixSpace: true, useRegex: true).apply(&bytes, &pieces)
        XCTAssertEqual(pieces.map { String(decoding: bytes[$0], as: UTF8.self) }, [" hello", " world"])
    }
}
