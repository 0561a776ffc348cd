import Foundation
import XCTest
@testable import Tokenizers

/// SentencePiece-style BPE (Gemma's tokenizer.json layout, and the Llama-2 style Prepend/Strip
/// variant) against HF `tokenizers`, on the fixtures of
/// scripts/fixtures/make_gemma_tokenizer_fixtures.py.
final class SentencePieceBPETests: XCTestCase {
    static let families = ["gemma3", "sp_prepend", "sp_unk"]

    struct DecodeOnly: Decodable {
        let ids: [Int]
        let decoded: String
        let decoded_skip_special: String
    }
    struct Extra: Decodable { let decode_only: [DecodeOnly] }

    func testIdsMatchHuggingFace() throws {
        for family in Self.families {
            let tokenizer = try Fixtures.tokenizer(family)
            let cases = try XCTUnwrap(Fixtures.expectations(family).cases)
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

    func testDecodeMatchesHuggingFace() throws {
        for family in Self.families {
            let tokenizer = try Fixtures.tokenizer(family)
            for item in try XCTUnwrap(Fixtures.expectations(family).cases) {
                XCTAssertEqual(tokenizer.decode(item.ids_with_special), item.decoded, "\(family) '\(visible(item.text))'")
                XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special,
                               "\(family) '\(visible(item.text))'")
            }
            let data = try Data(contentsOf: Fixtures.folder(family).appendingPathComponent("expected.json"))
            for item in try JSONDecoder().decode(Extra.self, from: data).decode_only {
                XCTAssertEqual(tokenizer.decode(item.ids), item.decoded, "\(family) \(item.ids)")
                XCTAssertEqual(tokenizer.decode(item.ids, skipSpecialTokens: true), item.decoded_skip_special, "\(family) \(item.ids)")
            }
        }
    }

    /// Gemma's Split(" ") pre-tokenizer runs after spaces became "▁": one piece per text.
    func testPreTokensMatchHuggingFace() throws {
        let tokenizer = try Fixtures.tokenizer("gemma3")
        for item in try XCTUnwrap(Fixtures.expectations("gemma3").cases) {
            let text = tokenizer.normalizer?.apply(item.text) ?? item.text
            var bytes = Array(text.utf8)
            var pieces = bytes.isEmpty ? [] : [0..<bytes.count]
            tokenizer.preTokenizer?.apply(&bytes, &pieces)
            XCTAssertEqual(pieces.map { String(decoding: bytes[$0], as: UTF8.self) }, try XCTUnwrap(item.pretokens),
                           "'\(visible(item.text))'")
        }
    }

    /// What the fixtures exercise, spelled out: spaces as "▁", characters outside the
    /// vocabulary as their UTF-8 bytes (or one fused <unk>), special ids from tokenizer_config.json.
    func testByteFallbackUnknownAndSpecialTokens() throws {
        let gemma = try Fixtures.tokenizer("gemma3")
        XCTAssertEqual(gemma.encode("😀", addSpecialTokens: false).compactMap { gemma.idToToken($0) },
                       ["<0xF0>", "<0x9F>", "<0x98>", "<0x80>"])
        XCTAssertEqual(gemma.idToToken(gemma.encode(" ", addSpecialTokens: false)[0]), "▁")
        XCTAssertEqual(gemma.encode("x", addSpecialTokens: true).first, gemma.tokenToId("<bos>"))
        XCTAssertEqual([gemma.padTokenId, gemma.eosTokenId, gemma.bosTokenId], [0, 1, 2])

        let unk = try Fixtures.tokenizer("sp_unk")
        XCTAssertEqual(unk.encode("😀🦀", addSpecialTokens: false), [3], "a run of unknown characters fuses into one <unk>")

        let prepend = try Fixtures.tokenizer("sp_prepend")
        XCTAssertEqual(prepend.encode("", addSpecialTokens: false), [], "Prepend leaves empty text empty")
        XCTAssertEqual(prepend.decode(prepend.encode("Hello world", addSpecialTokens: false)), "Hello world")
    }

    /// Plain-text vocabularies are read byte for byte: canonically equivalent tokens keep
    /// their own ids and a leading U+FEFF survives (Foundation's JSON parser loses both; the
    /// real Gemma 3 vocabulary has such tokens).
    func testCanonicallyEquivalentTokensStayDistinct() throws {
        let folder = try Fixtures.temporaryFolder()
        let json = """
            {"model": {"type": "BPE", "byte_fallback": false, "unk_token": null,
                       "vocab": {"\\u00c5": 0, "\\u212b": 1, "\u{FEFF}": 2, "\u{FEFF}\u{FEFF}": 3, "a": 4, "e\u{301}": 5,
                                 "\u{E9}": 6, "e": 7, "\u{301}": 8},
                       "merges": [["\u{FEFF}", "\u{FEFF}"], ["e", "\u{301}"]]},
             "pre_tokenizer": null}
            """
        try Data(json.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        let tokenizer = try Tokenizer(folder: folder)
        XCTAssertEqual(tokenizer.encode("\u{00C5}\u{212B}"), [0, 1])
        XCTAssertEqual(tokenizer.encode("\u{FEFF}\u{FEFF}a\u{FEFF}"), [3, 4, 2])
        XCTAssertEqual(tokenizer.encode("e\u{301}\u{E9}"), [5, 6])
        XCTAssertEqual(tokenizer.decode([1, 3]), "\u{212B} \u{FEFF}\u{FEFF}")  // no decoder: joined with spaces, as HF
    }

    /// A byte-level vocabulary is recognised by its ByteLevel pre-tokenizer; a file with only a
    /// ByteLevel decoder is refused instead of being read as plain text.
    func testByteLevelDecoderWithoutByteLevelPreTokenizerIsRefused() throws {
        let folder = try Fixtures.temporaryFolder()
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": null, "decoder": {"type": "ByteLevel"}}"#
        try Data(json.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        XCTAssertThrowsError(try Tokenizer(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("ByteLevel decoder"), "\(error)")
        }
    }

    func testRegexReplaceIsRefusedByName() throws {
        let folder = try Fixtures.temporaryFolder()
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": true},"#
            + #" "normalizer": {"type": "Replace", "pattern": {"Regex": " +"}, "content": "▁"}, "pre_tokenizer": null}"#
        try Data(json.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        XCTAssertThrowsError(try Tokenizer(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("Regex"), "\(error)")
        }
    }

    /// A real Gemma 3 tokenizer.json (262k tokens, not committed) against ids recorded with HF:
    /// set STEERMOE_GEMMA_TOKENIZER_DIR to a folder with tokenizer.json and gemma_expected.json
    /// (see scripts/fixtures/make_gemma_tokenizer_fixtures.py --real).
    func testRealGemmaTokenizerWhenAvailable() throws {
        guard let dir = ProcessInfo.processInfo.environment["STEERMOE_GEMMA_TOKENIZER_DIR"] else {
            throw XCTSkip("STEERMOE_GEMMA_TOKENIZER_DIR not set")
        }
        let folder = URL(fileURLWithPath: dir)
        let tokenizer = try Tokenizer(folder: folder)
        let data = try Data(contentsOf: folder.appendingPathComponent("gemma_expected.json"))
        let expected = try JSONDecoder().decode(FamilyExpectations.self, from: data)
        for item in try XCTUnwrap(expected.cases) {
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: true), item.ids_with_special, "'\(visible(item.text))'")
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special)
        }
    }
}
