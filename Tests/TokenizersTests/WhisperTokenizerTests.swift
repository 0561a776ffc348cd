import Foundation
import XCTest
@testable import Tokenizers

/// Parity on a real vocabulary: Whisper-base's tokenizer.json (GPT-2 style, 50k merges,
/// a 3-token TemplateProcessing). The file is 2.2 MB, so it is not committed: set
/// STEERMOE_WHISPER_TOKENIZER_DIR to the folder that
/// `make_tokenizer_fixtures.py --whisper DIR` filled; without it this test is skipped.
final class WhisperTokenizerTests: XCTestCase {
    func testRealWhisperTokenizerMatchesHuggingFace() throws {
        guard let dir = ProcessInfo.processInfo.environment["STEERMOE_WHISPER_TOKENIZER_DIR"], !dir.isEmpty else {
            throw XCTSkip("STEERMOE_WHISPER_TOKENIZER_DIR not set (see make_tokenizer_fixtures.py --whisper)")
        }
        let tokenizer = try Tokenizer(folder: URL(fileURLWithPath: dir))
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("whisper_base_expected.json"))
        let expected = try JSONDecoder().decode(WhisperExpectations.self, from: data)
        XCTAssertEqual(tokenizer.vocabSize, expected.vocab_size)
        XCTAssertGreaterThan(expected.cases.count, 100)
        for item in expected.cases {
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: false), item.ids, visible(item.text))
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: true), item.ids_with_special, visible(item.text))
            XCTAssertEqual(tokenizer.decode(item.ids_with_special), item.decoded, visible(item.text))
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special,
                           visible(item.text))
        }
    }
}

private struct WhisperExpectations: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let ids_with_special: [Int]
        let decoded: String
        let decoded_skip_special: String
    }
    let vocab_size: Int
    let cases: [Case]
}
