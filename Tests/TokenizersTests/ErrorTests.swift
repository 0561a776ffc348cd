import XCTest
@testable import Tokenizers

final class ErrorTests: XCTestCase {
    private func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return String(describing: error) }
        XCTFail("expected an error")
        return ""
    }

    func testMissingTokenizerJSONNamesTheFile() throws {
        let folder = try Fixtures.temporaryFolder()
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains(folder.appendingPathComponent("tokenizer.json").path), text)
        XCTAssertTrue(text.contains("file not found"), text)
        XCTAssertTrue(text.contains("tokenizer.json"), text)
    }

    func testMalformedJSONNamesTheFile() throws {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": {".utf8).write(to: path)
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains(path.path) && text.contains("malformed JSON"), text)
    }

    func testMalformedConfigNamesTheConfigFile() throws {
        let folder = try Fixtures.temporaryFolder()
        try FileManager.default.copyItem(at: Fixtures.folder("gpt2").appendingPathComponent("tokenizer.json"),
                                         to: folder.appendingPathComponent("tokenizer.json"))
        try Data("[1, 2".utf8).write(to: folder.appendingPathComponent("generation_config.json"))
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains("generation_config.json") && text.contains("malformed JSON"), text)
    }

    func testUnsupportedModelType() throws {
        let folder = try Fixtures.temporaryFolder()
        let path = folder.appendingPathComponent("tokenizer.json")
        try Data(#"{"model": {"type": "WordPiece", "vocab": {}}, "pre_tokenizer": null}"#.utf8).write(to: path)
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains(path.path) && text.contains("model type 'WordPiece'") && text.contains("BPE"), text)
    }

    func testMergeOutsideVocabularyNamesTheEntry() throws {
        let folder = try Fixtures.temporaryFolder()
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]},"#
            + #" "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}}"#
        try Data(json.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains("model.merges[0]"), text)
    }

    func testUnknownPreTokenizer() throws {
        let folder = try Fixtures.temporaryFolder()
        let json = #"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}"#
        try Data(json.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        let text = message { _ = try Tokenizer(folder: folder) }
        XCTAssertTrue(text.contains("pre-tokenizer type 'Metaspace'"), text)
    }
}
