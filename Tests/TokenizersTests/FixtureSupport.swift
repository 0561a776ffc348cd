import Foundation
import XCTest
@testable import Tokenizers

/// Expected outputs written by scripts/fixtures/make_tokenizer_fixtures.py from HF
/// `tokenizers` / transformers.
struct FamilyExpectations: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let ids_with_special: [Int]
        let pretokens: [String]?
        let decoded: String
        let decoded_skip_special: String
    }
    struct Message: Decodable { let role: String; let content: String }
    struct Chat: Decodable {
        let conversation: String
        let messages: [Message]
        let add_generation_prompt: Bool
        let enable_thinking: Bool
        let date_string: String?
        let expected: String
    }
    let family: String
    let vocab_size: Int?
    let cases: [Case]?
    let chat: [Chat]?
}

enum Fixtures {
    static let families = ["gpt2", "smollm2", "qwen2_5", "qwen3", "llama3"]

    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/tokenizers")
    }

    static func folder(_ family: String) -> URL { root.appendingPathComponent(family) }

    static func tokenizer(_ family: String) throws -> Tokenizer {
        try Tokenizer(folder: folder(family))
    }

    static func expectations(_ family: String) throws -> FamilyExpectations {
        let data = try Data(contentsOf: folder(family).appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(FamilyExpectations.self, from: data)
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Shows control characters so failure messages are readable.
func visible(_ text: String) -> String {
    text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
}
